from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates.enums import RoundKind
from candidates.files import stored_file_response
from candidates.forms import IdentityReleaseForm, add_service_errors
from candidates.models import Application, CandidateProfile, City, VerificationRound
from candidates.permissions import is_administrator
from candidates.services.accounts import candidate_identity_release
from notices.enums import ImportStatus, PassListStatus, ReportStatus
from notices.forms import (
    AdministratorDecisionForm,
    AssignReviewerForm,
    ImportForm,
    ReportForm,
    ReportHandleForm,
    SupplementaryRoundForm,
)
from notices.models import (
    DossierExport,
    ExportFile,
    NoticeAttachment,
    PassList,
    PassListEntry,
    Report,
    RosterImport,
)
from notices.selectors import (
    candidates_matching,
    public_pass_lists_by_round,
    round_dashboards,
    round_stage_counts,
)
from notices.services.dossier import dossier_request
from notices.services.notices import notice_body_html, notices_public
from notices.services.publication import (
    pass_list_publish,
    pass_list_publish_supplementary,
    report_handle,
    report_submit,
)
from notices.services.roster_import import roster_import_cancel, roster_import_confirm, roster_import_upload
from notices.services.rounds import results_export_request, round_close_windows, supplementary_round_create
from reviews.enums import DecisionKind
from reviews.permissions import failed_by
from reviews.selectors import eligible_handlers, stuck_applications
from reviews.services.decisions import (
    administrator_decisions_from,
    application_assign,
    application_decide_by_administrator,
)
from verification_portal.client import client_address

PASS_LIST_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Public pages


@require_GET
def notice_list(request):
    page = Paginator(notices_public(), 20).get_page(request.GET.get("page"))
    return render(request, "notices/notice_list.html", {"page": page})


@require_GET
def notice_detail(request, pk: int):
    notice = get_object_or_404(notices_public().prefetch_related("attachments"), pk=pk)
    return render(
        request,
        "notices/notice_detail.html",
        {"notice": notice, "body": notice_body_html(notice.body), "round": notice.round},
    )


@require_GET
def attachment(request, pk: int):
    item = get_object_or_404(NoticeAttachment.objects.filter(notice__in=notices_public()), pk=pk)
    return stored_file_response(
        item.file,
        filename=item.original_name or item.title,
        content_type="application/octet-stream",
        inline=False,
    )


@require_GET
def cities(request):
    return render(request, "notices/cities.html", {"cities": City.objects.all()})


def _public_lists():
    return PassList.objects.filter(
        status__in=[PassListStatus.PUBLISHED, PassListStatus.FINAL]
    ).select_related("round__city")


@require_GET
def pass_lists(request):
    return render(request, "notices/pass_lists.html", {"rounds": public_pass_lists_by_round()})


@require_GET
def pass_list_detail(request, pk: int):
    pass_list = get_object_or_404(_public_lists(), pk=pk)
    query = request.GET.get("q", "").strip()
    entries = pass_list.entries.order_by("position")
    if query:
        entries = entries.filter(Q(name__contains=query) | Q(employer__contains=query))
    page = Paginator(entries, PASS_LIST_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    siblings = dict(public_pass_lists_by_round()).get(pass_list.round, [])
    return render(
        request,
        "notices/pass_list_detail.html",
        {
            "pass_list": pass_list,
            "siblings": siblings,
            "page": page,
            "q": query,
            "objection_open": pass_list.status == PassListStatus.PUBLISHED
            and pass_list.objection_ends_at > now,
        },
    )


@require_GET
def pass_list_file(request, pk: int, kind: str):
    pass_list = get_object_or_404(_public_lists(), pk=pk)
    if kind == "xlsx":
        return stored_file_response(
            pass_list.xlsx, filename=f"{pass_list.round.name}-公示名单.xlsx", content_type=XLSX, inline=False
        )
    if kind == "pdf":
        return stored_file_response(
            pass_list.pdf,
            filename=f"{pass_list.round.name}-公示名单.pdf",
            content_type="application/pdf",
            inline=False,
        )
    raise Http404


def report(request, pk: int, entry_id: int):
    pass_list = get_object_or_404(_public_lists(), pk=pk)
    entry = get_object_or_404(PassListEntry, pk=entry_id, pass_list=pass_list)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_submit(
                entry=entry,
                address=client_address(request),
                contact=form.cleaned_data["contact"],
                text=form.cleaned_data["text"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("举报已收到，我们将依法核实处理。"))
            return redirect("notices:pass_list", pk=pk)
    return render(request, "notices/report.html", {"pass_list": pass_list, "entry": entry, "form": form})


# Administrators


def _download_when_ready(request, export, *, filename: str, content_type: str):
    """A file a task is building: the waiting page (it refreshes itself) until it is stored."""
    if not export.file:
        return render(request, "notices/manage/export_pending.html", {"export": export})
    return stored_file_response(export.file, filename=filename, content_type=content_type, inline=False)


def _admin_only(request) -> None:
    if not is_administrator(request.user):
        raise Http404


@login_required
@require_GET
def manage_home(request):
    _admin_only(request)
    rounds = list(VerificationRound.objects.select_related("city").order_by("-opens_at"))
    counts = round_stage_counts(round_ids=[r.pk for r in rounds])
    latest_lists = {}
    for pass_list in PassList.objects.order_by("round_id", "version"):
        latest_lists[pass_list.round_id] = pass_list
    rows = [{"round": r, **counts[r.pk], "list": latest_lists.get(r.pk)} for r in rounds]
    return render(
        request,
        "notices/manage/home.html",
        {
            "rows": rows,
            "open_reports": Report.objects.filter(status=ReportStatus.OPEN).count(),
            "import_form": ImportForm(),
            "stuck": stuck_applications(),
        },
    )


@login_required
def application_handle(request, pk: int):
    """A fail confirmation or an appeal no reviewer of its city may take: assign it to a
    reviewer of another city, or decide it."""
    _admin_only(request)
    application = get_object_or_404(
        Application.objects.select_related("candidate", "round__city", "exam", "assigned_reviewer"), pk=pk
    )
    kinds = [DecisionKind(kind) for kind in administrator_decisions_from(application.status)]
    excluded = failed_by(application)
    reviewers = (
        get_user_model()
        .objects.filter(city_reviewer__isnull=False, is_active=True)
        .exclude(pk__in=excluded)
        .select_related("city_reviewer__city")
        .order_by("city_reviewer__city__sort_order", "username")
    )
    assign_form = AssignReviewerForm(
        request.POST if request.POST.get("action") == "assign" else None, reviewers=reviewers
    )
    decide_form = AdministratorDecisionForm(
        request.POST if request.POST.get("action") == "decide" else None, kinds=kinds
    )
    if request.method == "POST" and kinds:
        try:
            if assign_form.is_bound and assign_form.is_valid():
                application_assign(
                    application=application,
                    user=request.user,
                    reviewer=assign_form.cleaned_data["reviewer"],
                    reason=assign_form.cleaned_data["reason"],
                )
                messages.success(request, _("已指派，该核查人员可在“指派给我的”中处理。"))
                return redirect("notices:application_handle", pk=pk)
            if decide_form.is_bound and decide_form.is_valid():
                application_decide_by_administrator(
                    application=application,
                    user=request.user,
                    kind=decide_form.cleaned_data["kind"],
                    reason=decide_form.cleaned_data["reason"],
                )
                messages.success(request, _("决定已保存，申请人已收到通知。"))
                return redirect("notices:manage")
        except ValidationError as error:
            add_service_errors(assign_form if assign_form.is_bound else decide_form, error)
    return render(
        request,
        "notices/manage/application_handle.html",
        {
            "application": application,
            "handlers": eligible_handlers(application=application),
            "assign_form": assign_form,
            "decide_form": decide_form,
            "can_act": bool(kinds),
        },
    )


@login_required
@require_POST
def import_upload(request, round_id: int):
    _admin_only(request)
    round_ = get_object_or_404(VerificationRound, pk=round_id)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择名单文件（.xlsx）。"))
        return redirect("notices:manage")
    try:
        roster_import = roster_import_upload(
            round_=round_, user=request.user, upload=form.cleaned_data["file"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("notices:manage")
    return redirect("notices:import", pk=roster_import.pk)


@login_required
@require_GET
def import_detail(request, pk: int):
    _admin_only(request)
    roster_import = get_object_or_404(RosterImport.objects.select_related("round__city"), pk=pk)
    earlier = (
        RosterImport.objects.filter(
            round=roster_import.round, sha256=roster_import.sha256, status=ImportStatus.IMPORTED
        )
        .exclude(pk=pk)
        .first()
    )
    return render(request, "notices/manage/import.html", {"roster_import": roster_import, "earlier": earlier})


@login_required
@require_GET
def import_progress(request, pk: int):
    _admin_only(request)
    roster_import = get_object_or_404(RosterImport, pk=pk)
    return JsonResponse(
        {
            "status": roster_import.status,
            "processed": roster_import.processed_rows,
            "total": roster_import.total_rows,
            "percent": roster_import.progress_percent,
            "done": roster_import.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATING),
        }
    )


@login_required
@require_GET
def import_rejected(request, pk: int):
    _admin_only(request)
    roster_import = get_object_or_404(RosterImport, pk=pk)
    if not roster_import.rejected_file:
        raise Http404
    return stored_file_response(
        roster_import.rejected_file,
        filename=f"未通过校验-{roster_import.original_name}",
        content_type=XLSX,
        inline=False,
    )


@login_required
@require_POST
def import_confirm(request, pk: int):
    _admin_only(request)
    roster_import = get_object_or_404(RosterImport, pk=pk)
    try:
        done = roster_import_confirm(roster_import=roster_import, user=request.user)
    except (ValidationError, PermissionDenied) as error:
        for message in getattr(error, "messages", [_("无权操作。")]):
            messages.error(request, message)
    else:
        messages.success(request, _("已导入 {count} 条。").format(count=done.imported_rows))
    return redirect("notices:import", pk=pk)


@login_required
@require_POST
def import_cancel(request, pk: int):
    _admin_only(request)
    roster_import_cancel(roster_import=get_object_or_404(RosterImport, pk=pk), user=request.user)
    messages.info(request, _("已放弃本次导入，名单未作任何改动。"))
    return redirect("notices:manage")


@login_required
@require_POST
def round_close(request, pk: int):
    _admin_only(request)
    round_ = get_object_or_404(VerificationRound, pk=pk)
    if round_.window_state() != "closed":
        messages.error(request, _("本轮申报尚未截止。"))
        return redirect("notices:manage")
    changed = round_close_windows(round_=round_)
    messages.success(
        request,
        _("已处理“{round}”的 {count} 条未申报记录（未按期参加；补办轮次为视为放弃）。").format(
            round=round_.name, count=changed
        ),
    )
    return redirect("notices:manage")


@login_required
def round_supplementary(request, pk: int):
    _admin_only(request)
    round_ = get_object_or_404(VerificationRound, pk=pk)
    if round_.kind == RoundKind.SUPPLEMENTARY:
        messages.error(request, _("补充资格核查为当年度最后一次资格核查，不能再从补办轮次创建新的补办轮次。"))
        return redirect("notices:manage")
    form = SupplementaryRoundForm(request.POST or None, initial={"name": f"{round_.name}（补办）"})
    if request.method == "POST" and form.is_valid():
        try:
            _round, carried, excluded = supplementary_round_create(
                round_=round_, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已创建补办轮次：转入 {carried} 人，排除因不符合报考条件未通过的 {excluded} 人。").format(
                    carried=carried, excluded=excluded
                ),
            )
            return redirect("notices:manage")
    return render(request, "notices/manage/supplementary.html", {"round": round_, "form": form})


@login_required
@require_POST
def round_publish(request, pk: int):
    _admin_only(request)
    round_ = get_object_or_404(VerificationRound, pk=pk)
    if not round_.pass_lists.exists():
        pass_list = pass_list_publish(round_=round_)
        if pass_list is None:
            messages.error(request, _("未到公示时间，或未设置公示时间。"))
        else:
            messages.success(request, _("公示名单正在生成，完成后自动公布。"))
        return redirect("notices:manage")
    # The first list exists: publish now those passed since, without waiting for the daily batch.
    pass_list = pass_list_publish_supplementary(round_=round_, wait=False)
    if pass_list is None:
        messages.info(request, _("没有需要补充公示的人员，或本轮名单正在生成。"))
    else:
        messages.success(
            request,
            _("{title}正在生成（{count} 人），完成后自动公布。").format(
                title=pass_list.title, count=pass_list.entry_count
            ),
        )
    return redirect("notices:manage")


@login_required
@require_POST
def round_export(request, pk: int):
    _admin_only(request)
    export = results_export_request(round_=get_object_or_404(VerificationRound, pk=pk), user=request.user)
    return redirect("notices:export", pk=export.pk)


@login_required
@require_GET
def export_download(request, pk: int):
    _admin_only(request)
    export = get_object_or_404(ExportFile.objects.select_related("round"), pk=pk)
    return _download_when_ready(
        request, export, filename=f"{export.round.name}-核查结果.xlsx", content_type=XLSX
    )


@login_required
@require_GET
def dashboard(request):
    _admin_only(request)
    city_id = request.GET.get("city")
    city_id = int(city_id) if city_id and city_id.isdigit() else None
    return render(
        request,
        "notices/manage/dashboard.html",
        {"dashboards": round_dashboards(city_id=city_id), "cities": City.objects.all(), "city_id": city_id},
    )


@login_required
@require_GET
def candidate_search(request):
    _admin_only(request)
    query = request.GET.get("q", "").strip()
    return render(
        request, "notices/manage/candidates.html", {"q": query, "found": candidates_matching(query=query)}
    )


@login_required
def candidate_release_view(request, pk: int):
    """Release an ID number held by the wrong person (audited, with the reason)."""
    _admin_only(request)
    candidate = get_object_or_404(CandidateProfile.objects.select_related("user"), pk=pk)
    form = IdentityReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            candidate_identity_release(
                profile=candidate, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error, field="reason")
        else:
            messages.success(
                request,
                _("已解除该账号对身份证号 {id_number} 的占用，其申请已作废。本人现在可以注册。").format(
                    id_number=candidate.id_number
                ),
            )
            return redirect(f"{reverse('notices:candidates')}?q={candidate.id_number}")
    return render(request, "notices/manage/candidate_release.html", {"candidate": candidate, "form": form})


@login_required
@require_POST
def candidate_dossier_view(request, pk: int):
    _admin_only(request)
    candidate = get_object_or_404(CandidateProfile, pk=pk)
    export = dossier_request(candidate=candidate, user=request.user)
    return redirect("notices:dossier_download", pk=export.pk)


@login_required
@require_GET
def dossier_download(request, pk: int):
    _admin_only(request)
    export = get_object_or_404(DossierExport.objects.select_related("candidate"), pk=pk)
    return _download_when_ready(
        request, export, filename=f"dossier-{export.candidate.id_number}.zip", content_type="application/zip"
    )


@login_required
@require_GET
def report_queue(request):
    _admin_only(request)
    reports = Report.objects.select_related("entry", "pass_list__round", "handled_by").order_by(
        "status", "-created_at"
    )
    return render(
        request,
        "notices/manage/reports.html",
        {"reports": Paginator(reports, 50).get_page(request.GET.get("page")), "form": ReportHandleForm()},
    )


@login_required
@require_POST
def report_handle_view(request, pk: int):
    _admin_only(request)
    report_obj = get_object_or_404(Report, pk=pk)
    form = ReportHandleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理结论并填写处理结果。"))
        return redirect("notices:reports")
    try:
        report_handle(
            report=report_obj,
            user=request.user,
            upheld=form.cleaned_data["upheld"],
            outcome=form.cleaned_data["outcome"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已记录处理结果。"))
    return redirect("notices:reports")
