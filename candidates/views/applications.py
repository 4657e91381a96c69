from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates import permissions, rules
from candidates.enums import (
    ApplicationKind,
    ApplicationStatus,
    DocumentKind,
    EducationLevel,
    Event,
    events_from,
)
from candidates.forms import (
    DECLARATION_STEPS,
    STEP_LABELS,
    CommitmentForm,
    DeclarationForm,
    MaterialUploadForm,
    SupplementStatementsForm,
    WorkPeriodFormSet,
    step_of,
    work_history_initial,
)
from candidates.models import RosterEntry
from candidates.selectors import (
    application_checklist,
    application_for_user,
    application_timeline,
    applications_for_candidate,
    dashboard_kept_seconds,
    dashboard_versions,
    document_hints,
    failure_notice_for,
    messages_for,
    next_step_for,
    organisations_matching,
    roster_options_for_candidate,
    status_label_for,
    what_happens_next,
)
from candidates.services.applications import (
    application_declare,
    application_edit_refusal,
    application_start,
    application_submit,
    declaration_problems,
)
from candidates.services.documents import NOTICE_STATUSES, document_current
from candidates.services.materials import reopened_kinds
from verification_portal.shared.files import stored_file_response
from verification_portal.shared.forms import add_service_errors
from verification_portal.shared.jobs import enqueue_on_commit
from verification_portal.shared.kept import kept_page

from ._common import _candidate_or_404


@login_required
def dashboard(request):
    profile = permissions.candidate_of(request.user)
    if profile is None:
        # Staff land in their own workspace.
        if getattr(request.user, "city_reviewer", None):
            return redirect("reviews:queue")
        if getattr(request.user, "employer_hr", None):
            return redirect("reviews:employer_home")
        if request.user.is_superuser:
            return redirect("notices:manage")
        return render(request, "candidates/staff_home.html", {})

    # Kept until what it shows changes (candidates.selectors.dashboard_versions): on deadline
    # day every candidate reloads it, and most reloads find nothing new.
    def context(*_versions) -> tuple[dict, int]:
        now = timezone.now()
        applications = list(applications_for_candidate(user=request.user))
        options = roster_options_for_candidate(candidate=profile, applications=applications, now=now)
        values = {
            "profile": profile,
            "options": options,
            "messages_list": messages_for(user=request.user),
            "now": now,
        }
        return values, dashboard_kept_seconds(options=options, now=now)

    return kept_page(
        request,
        key=f"dashboard:{request.user.pk}",
        versions=dashboard_versions(user=request.user),
        template="candidates/dashboard.html",
        context=context,
    )


@login_required
@require_GET
def employer_search(request):
    """The employer picker on the declaration page: by name or credit code."""
    if permissions.candidate_of(request.user) is None:
        raise Http404
    return JsonResponse({"results": organisations_matching(query=request.GET.get("q", ""))})


@login_required
@require_POST
def application_start_view(request, entry_id: int):
    profile = _candidate_or_404(request)
    entry = get_object_or_404(
        RosterEntry.objects.select_related("round"), pk=entry_id, id_number=profile.id_number
    )
    try:
        application = application_start(candidate=profile, entry=entry)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("candidates:dashboard")
    messages.success(request, _("已创建申请。请先填写申报信息。"))
    return redirect("candidates:declare", pk=application.pk)


@login_required
def application_detail(request, pk: int):
    application = application_for_user(user=request.user, pk=pk)
    checklist = application_checklist(application=application)
    is_owner = permissions.is_applicant(request.user, application)
    edit_refusal = application_edit_refusal(application=application) if is_owner else None
    events = set(events_from(application.status))
    if not is_owner or edit_refusal:
        open_kinds = set()
    elif application.is_editable:
        open_kinds = {item.requirement.code for item in checklist}
    else:
        open_kinds = reopened_kinds(application=application)
    fixed_kinds = set()
    if open_kinds and application.status == ApplicationStatus.SUPPLEMENT:
        from reviews.selectors import changes_since_supplement

        _since, changes = changes_since_supplement(application=application)
        fixed_kinds = {kind for kind, change in changes.items() if change.added}
    return render(
        request,
        "candidates/application_detail.html",
        {
            "application": application,
            **_eligibility(application),
            "checklist": checklist,
            "document_hints": document_hints(application=application) if is_owner else {},
            "stamp_instruction": rules.stamp_instruction(application),
            "special_case_offer": is_owner
            and application.is_editable
            and not application.certification_report_unavailable
            and rules.special_case_possible(application),
            "timeline": application_timeline(application=application, checklist=checklist),
            "problems": declaration_problems(application),
            "problem_steps": _problem_steps(application),
            "missing": [item for item in checklist if not item.complete],
            "upload_form": MaterialUploadForm(),
            "can_edit": permissions.can_edit_application(request.user, application) and not edit_refusal,
            "edit_refusal": edit_refusal,
            "next_step": next_step_for(application),
            "what_happens_next": what_happens_next(application=application) if is_owner else [],
            "first_submission": bool(events & {Event.SUBMIT_TO_CITY, Event.SUBMIT_TO_EMPLOYER}),
            "awaiting_employer_fix": Event.RESUBMIT_TO_EMPLOYER in events,
            "awaiting_supplement": Event.SUBMIT_SUPPLEMENT in events,
            "status_label": status_label_for(application),
            "failure": failure_notice_for(application),
            "is_applicant": is_owner,
            "open_kinds": open_kinds,
            "fixed_kinds": fixed_kinds,
            "can_submit": permissions.can_submit(request.user, application) and not edit_refusal,
            "supplement_items": [item for item in checklist if item.requirement.code in open_kinds]
            if application.status == ApplicationStatus.SUPPLEMENT
            else [],
            "can_appeal": permissions.can_appeal(request.user, application),
            "messages_list": messages_for(user=request.user, application=application) if is_owner else [],
            "form_document": document_current(application=application, kind=DocumentKind.APPLICATION_FORM),
            "receipt": document_current(application=application, kind=DocumentKind.RECEIPT),
            "result_notice_ready": application.status in NOTICE_STATUSES,
            **(_certificate(application) if is_owner else {}),
            "now": timezone.now(),
        },
    )


def declaration_steps(application) -> list[str]:
    """The steps this application's declaration has: an 增项 needs only its employer."""
    if application.application_kind == ApplicationKind.ADDITION:
        return ["employer"]
    return list(DECLARATION_STEPS)


@login_required
def application_declare_view(request, pk: int, step: str = "employer"):
    """The declaration in short steps (工作单位 → 学历 → 工作经历), each saved on its own, with
    an error summary linking to the fields."""
    application = application_for_user(user=request.user, pk=pk)
    if not permissions.is_applicant(request.user, application):
        raise Http404
    steps = declaration_steps(application)
    if step not in steps:
        raise Http404
    if not application.is_editable:
        messages.info(request, _("申请已提交，申报信息不能再修改。"))
        return redirect("candidates:application", pk=pk)
    refusal = application_edit_refusal(application=application)
    if refusal:
        messages.error(request, refusal)
        return redirect("candidates:application", pk=pk)
    form = DeclarationForm(request.POST or None, instance=application, step=step)
    formset = (
        WorkPeriodFormSet(
            request.POST or None, prefix="work", initial=work_history_initial(application.work_history)
        )
        if step == "work"
        else None
    )
    if request.method == "POST":
        form_ok = form.is_valid()
        formset_ok = formset is None or formset.is_valid()
        if form_ok and formset_ok:
            data = dict(form.cleaned_data)
            if formset is not None:
                data["work_history"] = formset.history()
            try:
                application_declare(application=application, actor=request.user, data=data)
            except ValidationError as error:
                if (
                    formset is not None
                    and hasattr(error, "error_dict")
                    and "work_history" in error.error_dict
                ):
                    formset.non_form_errors().extend(error.message_dict["work_history"])
                else:
                    add_service_errors(form, error)
            else:
                following = steps[steps.index(step) + 1 :]
                if following:
                    messages.success(request, _("已保存。"))
                    return redirect("candidates:declare_step", pk=pk, step=following[0])
                messages.success(request, _("申报信息已保存。请按材料清单上传扫描件。"))
                return redirect("candidates:application", pk=pk)
    return render(
        request,
        "candidates/declare.html",
        {
            "application": application,
            "form": form,
            "formset": formset,
            "step": step,
            "steps": [(name, STEP_LABELS[name]) for name in steps],
            "is_last": step == steps[-1],
        },
    )


@login_required
@require_POST
def application_submit_view(request, pk: int):
    application = application_for_user(user=request.user, pk=pk)
    if not permissions.is_applicant(request.user, application):
        raise Http404
    first = application.status == ApplicationStatus.DRAFT
    if first and not CommitmentForm(request.POST).is_valid():
        messages.error(request, _("请阅读并勾选承诺后再申报。"))
        return redirect("candidates:confirm", pk=pk)
    form = SupplementStatementsForm(
        request.POST, kinds=application.materials.filter(reopened=True).values_list("kind", flat=True)
    )
    try:
        if not form.is_valid():
            raise ValidationError([message for errors in form.errors.values() for message in errors])
        application_submit(
            application=application, actor=request.user, statements=form.statements(), committed=first
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("申报成功。可下载申报回执留存。") if first else _("已重新提交，请等待处理结果。")
        )
    return redirect("candidates:application", pk=pk)


def _certificate(application) -> dict:
    """The holder's certificate after the pass: its state, the booking, where to collect."""
    from notices.enums import CertificateStatus
    from notices.services.certificates import pick_up_details

    certificate = (
        application.certificates.exclude(status=CertificateStatus.CANCELLED).order_by("-created_at").first()
    )
    if certificate is None:
        return {}
    from notices.services.reissues import REISSUABLE

    return {
        "certificate": certificate,
        "booking": certificate.bookings.filter(cancelled_at__isnull=True).first(),
        "pick_up": pick_up_details(application.round),
        "reissue_possible": certificate.status in REISSUABLE,
    }


def _problem_steps(application) -> list[tuple[str, str]]:
    """What the declaration still lacks, each with the step where it is filled."""
    return [(message, step_of(key)) for key, message in declaration_problems(application).items()]


def _eligibility(application) -> dict:
    """The education level the rules count and the rule that applies, for the declaration."""
    from reviews.selectors import application_eligibility

    counted_level, rule = application_eligibility(application=application)
    return {"counted_level": EducationLevel(counted_level).label if counted_level else "", "rule": rule}


@login_required
@require_GET
def application_confirm_view(request, pk: int):
    """Check your answers (确认申报): the declaration, each item with its files and pages, and
    the 告知承诺 to confirm, before the one irreversible submission."""
    application = application_for_user(user=request.user, pk=pk)
    if not permissions.is_applicant(request.user, application):
        raise Http404
    if application.status != ApplicationStatus.DRAFT:
        return redirect("candidates:application", pk=pk)
    checklist = application_checklist(application=application)
    return render(
        request,
        "candidates/confirm.html",
        {
            "application": application,
            "checklist": checklist,
            "problems": declaration_problems(application),
            "problem_steps": _problem_steps(application),
            "missing": [item for item in checklist if not item.complete],
            "edit_refusal": application_edit_refusal(application=application),
            "form": CommitmentForm(),
            **_eligibility(application),
        },
    )


@login_required
@require_GET
def application_document(request, pk: int, kind: str):
    application = application_for_user(user=request.user, pk=pk)
    if kind not in DocumentKind.values:
        raise Http404
    document = document_current(application=application, kind=kind)
    if document is None:
        if (
            kind == DocumentKind.WORK_YEARS_PROOF
            or (kind == DocumentKind.RECEIPT and application.submitted_at is None)
            or (kind == DocumentKind.RESULT_NOTICE and application.status not in NOTICE_STATUSES)
        ):
            raise Http404
        if kind == DocumentKind.APPLICATION_FORM and not application.declared_at:
            messages.error(request, _("请先填写并保存申报信息，再下载报名表。"))
            return redirect("candidates:application", pk=pk)
        enqueue_on_commit("candidates.render_document", application_id=application.pk, kind=kind)
        return render(
            request,
            "candidates/document_pending.html",
            {"application": application, "kind": DocumentKind(kind)},
        )
    label = DocumentKind(kind).label
    return stored_file_response(
        document.file,
        filename=f"{label}-{application.reference}.pdf",
        content_type="application/pdf",
        inline=False,
    )
