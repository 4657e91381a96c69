from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates.models import Application, City
from notices.forms import (
    AdministratorDecisionForm,
    AssignReviewerForm,
    ImportForm,
    ReportHandleForm,
)
from notices.models import (
    Report,
)
from notices.selectors import (
    manage_rows,
    open_report_count,
    reports_for_administrators,
    round_dashboards,
)
from notices.services.publication import (
    report_handle,
)
from reviews.enums import DecisionKind
from reviews.selectors import assignable_reviewers, eligible_handlers, stuck_applications
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
    return render(
        request,
        "notices/manage/home.html",
        {
            "rows": manage_rows(),
            "open_reports": open_report_count(),
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
    reviewers = assignable_reviewers(application=application)
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
    reports = reports_for_administrators()
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
