from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates.models import Application, City, VerificationRound
from notices.enums import ReportStatus
from notices.forms import (
    AdministratorDecisionForm,
    AssignReviewerForm,
    ImportForm,
    ReportHandleForm,
)
from notices.models import (
    PassList,
    Report,
)
from notices.selectors import (
    round_dashboards,
    round_stage_counts,
)
from notices.services.publication import (
    report_handle,
)
from reviews.enums import DecisionKind
from reviews.permissions import failed_by
from reviews.selectors import eligible_handlers, stuck_applications
from reviews.services.decisions import (
    administrator_decisions_from,
    application_assign,
    application_decide_by_administrator,
)
from verification_portal.shared.forms import add_service_errors

from ._common import _admin_only


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
