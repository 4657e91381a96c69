from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates.enums import RoundKind
from candidates.models import VerificationRound
from notices.enums import ImportStatus
from notices.forms import (
    ColumnMappingForm,
    ImportForm,
    PublicationTimeForm,
    SupplementaryRoundForm,
)
from notices.models import (
    ExportFile,
    RosterImport,
)
from notices.selectors import earlier_import_of, publication_preview
from notices.services.publication import round_publication_set, round_publish_now
from notices.services.roster_import import (
    FIELD_LABELS,
    roster_import_cancel,
    roster_import_confirm,
    roster_import_map,
    roster_import_upload,
)
from notices.services.rounds import (
    results_export_request,
    round_close_windows,
    supplementary_default_timing,
    supplementary_round_create,
)
from verification_portal.shared.files import stored_file_response
from verification_portal.shared.forms import add_service_errors

from ._common import XLSX, _admin_only, _download_when_ready


@login_required
@require_POST
def import_upload(request, round_id: int):
    _admin_only(request)
    round_ = get_object_or_404(VerificationRound, pk=round_id)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择名单文件（.xlsx、.xls 或 .csv）。"))
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


def _mapping_form(roster_import: RosterImport, data=None) -> ColumnMappingForm:
    return ColumnMappingForm(
        data,
        columns=roster_import.columns,
        mapping=roster_import.mapping,
        field_labels=FIELD_LABELS,
    )


@login_required
def import_detail(request, pk: int):
    """The import's state; while it awaits its column mapping, the mapping form (POST)."""
    _admin_only(request)
    roster_import = get_object_or_404(RosterImport.objects.select_related("round__city"), pk=pk)
    form = _mapping_form(roster_import) if roster_import.awaits_mapping else None
    if request.method == "POST":
        if not roster_import.awaits_mapping:
            messages.error(request, _("该名单已不在核对列对应的阶段。"))
            return redirect("notices:import", pk=pk)
        form = _mapping_form(roster_import, request.POST)
        try:
            if form.is_valid():
                roster_import_map(roster_import=roster_import, user=request.user, mapping=form.mapping())
                return redirect("notices:import", pk=pk)
        except ValidationError as error:
            add_service_errors(form, error)
    earlier = earlier_import_of(roster_import=roster_import)
    return render(
        request,
        "notices/manage/import.html",
        {"roster_import": roster_import, "earlier": earlier, "mapping_form": form},
    )


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
        done = roster_import_confirm(
            roster_import=roster_import,
            user=request.user,
            skip_flagged=request.POST.get("skip_flagged") == "1",
        )
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
    timing = supplementary_default_timing(round_)
    initial = {"name": f"{round_.name}（补办）"}
    if timing:
        initial |= {
            "opens_at": timezone.localtime(timing.opens_at),
            "closes_at": timezone.localtime(timing.closes_at),
        }
    form = SupplementaryRoundForm(request.POST or None, initial=initial)
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
    return render(
        request, "notices/manage/supplementary.html", {"round": round_, "form": form, "timing": timing}
    )


@login_required
def round_publish(request, pk: int):
    """立即公示, confirmed: the page says what will be published (how many, the objection
    period) and why the button exists at all; the POST publishes."""
    _admin_only(request)
    round_ = get_object_or_404(VerificationRound.objects.select_related("city"), pk=pk)
    if request.method == "POST":
        first = not round_.pass_lists.exists()
        pass_list = round_publish_now(round_=round_, user=request.user)
        if pass_list is None:
            messages.info(request, _("没有需要补充公示的人员，或本轮名单正在生成。"))
        elif first:
            messages.success(
                request,
                _("公示名单正在生成（{count} 人），完成后自动公布。").format(count=pass_list.entry_count),
            )
        else:
            messages.success(
                request,
                _("{title}正在生成（{count} 人），完成后自动公布。").format(
                    title=pass_list.title, count=pass_list.entry_count
                ),
            )
        return redirect("notices:manage")
    return render(
        request,
        "notices/manage/publish_confirm.html",
        {
            "round": round_,
            **publication_preview(round_=round_),
            "objection_days": settings.PORTAL_OBJECTION_DAYS,
        },
    )


@login_required
@require_POST
def round_publication(request, pk: int):
    """Set when the round's first list is published (the periodic job publishes it then)."""
    _admin_only(request)
    round_ = get_object_or_404(VerificationRound, pk=pk)
    form = PublicationTimeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请按“年-月-日 时:分”填写公示时间。"))
        return redirect("notices:manage")
    try:
        round_publication_set(
            round_=round_, user=request.user, publication_at=form.cleaned_data["publication_at"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已保存“{round}”的公示时间。").format(round=round_.name))
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
    names = {"results": "核查结果", "certificates": "证书登记册", "handed_over": "证书移交清册"}
    return _download_when_ready(
        request,
        export,
        filename=f"{export.round.name}-{names.get(export.kind, '导出')}.xlsx",
        content_type=XLSX,
    )
