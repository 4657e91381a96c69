from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates.enums import BACKLOG_STATUSES, Event, events_from
from candidates.enums import ApplicationStatus as S
from candidates.forms import add_service_errors
from candidates.models import EmployerHR, Exam, Material, MaterialVersion
from candidates.permissions import is_applicant
from candidates.selectors import application_checklist, application_for_user
from candidates.services.documents import document_current
from reviews.enums import DecisionKind
from reviews.forms import (
    AppealForm,
    DecisionForm,
    EmployerApproveForm,
    EmployerBulkForm,
    EmployerReturnForm,
    InvitationAcceptForm,
    InviteForm,
    MaterialVerdictForm,
    QueueFilterForm,
)
from reviews.permissions import hr_organisation_id, may_handle, reviewer_city_id
from reviews.selectors import (
    WAITING_CHOICES,
    application_for_hr,
    application_for_reviewer,
    assigned_to,
    changes_since_supplement,
    current_verdicts,
    decision_history,
    eligible_handlers,
    employer_counts,
    employer_queue,
    employer_reviews_of,
    queue_counts,
    review_facts,
    review_queue,
    reviewer_stats,
)
from reviews.services.appeals import appeal_submit
from reviews.services.claims import CLAIMABLE, application_claim, application_claim_next, application_release
from reviews.services.decisions import application_decide, decisions_from, material_verdict_record
from reviews.services.employer import (
    employer_approve,
    employer_bulk_approve,
    employer_invitation_accept,
    employer_invite,
    employer_return,
)

PAGE_SIZE = 50


class CountedPaginator(Paginator):
    """A paginator told its count when the page already knows it (no second COUNT query)."""

    def __init__(self, *args, count: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if count is not None:
            self.__dict__["count"] = count


def _reviewer_only(request) -> None:
    if reviewer_city_id(request.user) is None:
        raise Http404


def _hr_only(request) -> None:
    if hr_organisation_id(request.user) is None:
        raise Http404


def _form_errors_to_messages(request, form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


def _errors_to_messages(request, error) -> None:
    for message in getattr(error, "messages", None) or [_("无权进行此操作。")]:
        messages.error(request, message)


# City reviewers


@login_required
@require_GET
def queue(request):
    _reviewer_only(request)
    now = timezone.now()
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = review_queue(
        user=request.user,
        status=filters.get("status") or "",
        exam_id=filters["exam"].pk if filters.get("exam") else None,
        employer=filters.get("employer") or "",
        waiting_days=WAITING_CHOICES.get(filters.get("waiting") or ""),
        now=now,
    )
    counts = queue_counts(user=request.user)
    known = None
    if not (filters.get("exam") or filters.get("employer") or filters.get("waiting")):
        status = filters.get("status")
        known = counts.get(status, 0) if status else sum(counts[s] for s in BACKLOG_STATUSES)
    page = CountedPaginator(items, PAGE_SIZE, count=known).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reviews/queue.html",
        {
            "form": form,
            # Plain choice lists: Django's widget templates cost ~0.3 ms an option.
            "filter_choices": {
                "status": form.fields["status"].choices,
                "exam": [
                    ("", _("全部")),
                    *((str(pk), name) for pk, name in Exam.objects.values_list("pk", "name")),
                ],
                "waiting": form.fields["waiting"].choices,
            },
            "filter_values": {name: request.GET.get(name, "") for name in ("status", "exam", "waiting")},
            "page": page,
            "rows": _queue_rows(page, now),
            "query": query.urlencode(),
            "counts": [(status, S(status).label, n) for status, n in counts.items()],
            "stats": reviewer_stats(user=request.user, counts=counts, now=now),
            "city": request.user.city_reviewer.city,
            "assigned": list(assigned_to(user=request.user)),
        },
    )


@dataclass(frozen=True)
class QueueRow:
    """One queue line, prepared in Python: the template engine costs ~0.5 ms a row otherwise."""

    url: str
    reference: str
    name: str
    exam: str
    employer: str
    stamped_on_paper: bool
    status: str
    waiting: str
    claimed_by: str


def _waiting(delta, day_label: str, hour_label: str) -> str:
    hours = max(0, int(delta.total_seconds() // 3600))
    return f"{hours // 24} {day_label} {hours % 24} {hour_label}" if hours >= 24 else f"{hours} {hour_label}"


def _queue_rows(applications, now) -> list[QueueRow]:
    day_label, hour_label = _("天"), _("小时")
    status_labels = dict(S.choices)
    rows = []
    for application in applications:
        claimer = (
            application.claimed_by if application.claimed_until and application.claimed_until > now else None
        )
        rows.append(
            QueueRow(
                url=reverse("reviews:review", args=[application.pk]),
                reference=application.reference,
                name=application.candidate.real_name,
                exam=application.exam.name,
                employer=application.employer.name if application.employer else "—",
                stamped_on_paper=application.stamped_on_paper,
                status=status_labels[application.status],
                waiting=_waiting(now - application.status_changed_at, day_label, hour_label),
                claimed_by=(claimer.get_full_name() or claimer.username) if claimer else "—",
            )
        )
    return rows


def _allowed_decisions(application) -> list[str]:
    return decisions_from(application.status)


@login_required
@require_GET
def review(request, pk: int):
    _reviewer_only(request)
    application = application_for_reviewer(user=request.user, pk=pk)
    now = timezone.now()
    holds = (
        application.claimed_by_id == request.user.pk
        and application.claimed_until
        and application.claimed_until > now
    )
    verdicts = current_verdicts(application=application)
    checklist = application_checklist(application=application)
    materials = {m.kind: m for m in Material.objects.filter(application=application)}
    supplement_requested_at, changes = changes_since_supplement(application=application)
    return render(
        request,
        "reviews/review.html",
        {
            "application": application,
            "facts": review_facts(application=application),
            "checklist": [
                (
                    item,
                    materials.get(item.requirement.code),
                    verdicts.get(item.requirement.code),
                    changes.get(item.requirement.code),
                )
                for item in checklist
            ],
            "supplement_requested_at": supplement_requested_at,
            "holds": holds,
            "claimed_by_other": application.is_claimed_by_other(request.user, now),
            "may_handle": may_handle(request.user, application),
            "handlers": eligible_handlers(application=application)
            if application.status in (S.FAIL_PROPOSED, S.APPEALED)
            else None,
            "claimable": application.status in CLAIMABLE,
            "verdict_form": MaterialVerdictForm(),
            "decision_form": DecisionForm(allowed=_allowed_decisions(application)),
            "history": decision_history(application=application),
            "employer_reviews": employer_reviews_of(application=application),
            "work_years_proof": document_current(application=application, kind="work_years_proof"),
            "appeal": application.appeals.first(),
            "appeal_files": MaterialVersion.objects.filter(
                material__application=application, material__kind="appeal_evidence", retired_at__isnull=True
            ).prefetch_related("pages"),
            "now": now,
        },
    )


@login_required
@require_POST
def claim(request, pk: int):
    _reviewer_only(request)
    application = application_for_reviewer(user=request.user, pk=pk)
    try:
        application_claim(application=application, user=request.user)
    except (ValidationError, PermissionDenied) as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("已领取，请在领取有效期内处理。"))
    return redirect("reviews:review", pk=pk)


@login_required
@require_POST
def release(request, pk: int):
    _reviewer_only(request)
    application = application_for_reviewer(user=request.user, pk=pk)
    application_release(application=application, user=request.user)
    messages.info(request, _("已放回待处理队列。"))
    return redirect("reviews:queue")


@login_required
@require_POST
def claim_next(request):
    _reviewer_only(request)
    application = application_claim_next(user=request.user)
    if application is None:
        messages.info(request, _("队列中暂时没有可领取的申请。"))
        return redirect("reviews:queue")
    return redirect("reviews:review", pk=application.pk)


@login_required
@require_POST
def verdict(request, pk: int, material_id: int):
    _reviewer_only(request)
    application = application_for_reviewer(user=request.user, pk=pk)
    material = get_object_or_404(Material, pk=material_id, application=application)
    form = MaterialVerdictForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择合格或不合格。"))
    else:
        try:
            material_verdict_record(
                material=material,
                user=request.user,
                ok=form.cleaned_data["ok"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except (ValidationError, PermissionDenied) as error:
            _errors_to_messages(request, error)
    return redirect(reverse("reviews:review", kwargs={"pk": pk}) + f"#material-{material.kind}")


@login_required
@require_POST
def decide(request, pk: int):
    _reviewer_only(request)
    application = application_for_reviewer(user=request.user, pk=pk)
    form = DecisionForm(request.POST, allowed=_allowed_decisions(application))
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect("reviews:review", pk=pk)
    data = form.cleaned_data
    try:
        decision = application_decide(
            application=application,
            user=request.user,
            kind=data["kind"],
            reason_code=data["reason_code"],
            reason=data["reason"],
            deadline=data["deadline"],
        )
    except (ValidationError, PermissionDenied) as error:
        _errors_to_messages(request, error)
        return redirect("reviews:review", pk=pk)
    messages.success(
        request,
        _("已保存决定：{kind}（{name}）。").format(
            kind=DecisionKind(decision.kind).label, name=application.candidate.real_name
        ),
    )
    if "and_next" in request.POST:
        following = application_claim_next(user=request.user)
        if following is not None:
            return redirect("reviews:review", pk=following.pk)
        messages.info(request, _("队列中暂时没有可领取的申请。"))
    return redirect("reviews:queue")


# Employer HR


@login_required
@require_GET
def employer_home(request):
    _hr_only(request)
    pending = list(employer_queue(user=request.user))
    return render(
        request,
        "reviews/employer_home.html",
        {
            "organisation": request.user.employer_hr.organisation,
            "pending": pending,
            "returned": employer_queue(user=request.user, status=S.EMPLOYER_RETURNED),
            "counts": employer_counts(user=request.user),
            "bulk_form": EmployerBulkForm(choices=[a.pk for a in pending]),
            "now": timezone.now(),
        },
    )


@login_required
@require_GET
def employer_application(request, pk: int):
    _hr_only(request)
    return _employer_application_page(request, application_for_hr(user=request.user, pk=pk))


def _employer_application_page(request, application, *, return_form=None, approve_form=None):
    return render(
        request,
        "reviews/employer_application.html",
        {
            "application": application,
            "can_review": Event.EMPLOYER_APPROVE in events_from(application.status),
            "checklist": application_checklist(application=application),
            "approve_form": approve_form or EmployerApproveForm(),
            "return_form": return_form or EmployerReturnForm(),
            "history": employer_reviews_of(application=application),
            "work_years_proof": document_current(application=application, kind="work_years_proof"),
        },
    )


@login_required
@require_POST
def employer_approve_view(request, pk: int):
    _hr_only(request)
    application = application_for_hr(user=request.user, pk=pk)
    form = EmployerApproveForm(request.POST)
    if not form.is_valid():
        return _employer_application_page(request, application, approve_form=form)
    try:
        employer_approve(application=application, user=request.user, checks=form.cleaned_data["checks"])
    except (ValidationError, PermissionDenied) as error:
        _errors_to_messages(request, error)
        return redirect("reviews:employer_application", pk=pk)
    messages.success(request, _("已通过初审，已出具工作年限证明并提交市人社局核查。"))
    return redirect("reviews:employer_home")


@login_required
@require_POST
def employer_return_view(request, pk: int):
    _hr_only(request)
    application = application_for_hr(user=request.user, pk=pk)
    form = EmployerReturnForm(request.POST)
    if not form.is_valid():
        # The page again with what was typed, and the reason it was not accepted.
        return _employer_application_page(request, application, return_form=form)
    try:
        employer_return(application=application, user=request.user, reasons=form.cleaned_data["reasons"])
    except (ValidationError, PermissionDenied) as error:
        _errors_to_messages(request, error)
        return redirect("reviews:employer_application", pk=pk)
    messages.success(request, _("已退回申请人修改。"))
    return redirect("reviews:employer_home")


@login_required
@require_POST
def employer_bulk(request):
    _hr_only(request)
    pending = {a.pk: a for a in employer_queue(user=request.user)}
    form = EmployerBulkForm(request.POST, choices=list(pending))
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect("reviews:employer_home")
    chosen = [pending[pk] for pk in form.cleaned_data["applications"]]
    approved, errors = employer_bulk_approve(
        applications=chosen, user=request.user, checks=form.cleaned_data["checks"]
    )
    if approved:
        messages.success(request, _("已批量通过 {count} 份申请。").format(count=len(approved)))
    for message in errors:
        messages.error(request, message)
    return redirect("reviews:employer_home")


@login_required
def employer_colleagues(request):
    _hr_only(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        employer_invite(user=request.user, email=form.cleaned_data["email"], name=form.cleaned_data["name"])
        messages.success(request, _("邀请已发送至 {email}。").format(email=form.cleaned_data["email"]))
        return redirect("reviews:employer_colleagues")
    organisation = request.user.employer_hr.organisation
    return render(
        request,
        "reviews/employer_colleagues.html",
        {
            "form": form,
            "organisation": organisation,
            "colleagues": EmployerHR.objects.filter(organisation=organisation).select_related("user"),
            "invitations": organisation.invitations.filter(
                accepted_at__isnull=True, expires_at__gt=timezone.now()
            ),
        },
    )


def invitation_accept(request, token: str):
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            employer_invitation_accept(
                token=token, username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            add_service_errors(
                form, error, field=None if getattr(error, "code", None) == "invitation" else "password1"
            )
        else:
            messages.success(request, _("账号已创建，请登录。"))
            return redirect("candidates:login")
    return render(request, "reviews/invitation_accept.html", {"form": form})


# The candidate's appeal


@login_required
def appeal(request, pk: int):
    application = application_for_user(user=request.user, pk=pk)
    if not is_applicant(request.user, application):
        raise Http404
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal_submit(
                application=application,
                user=request.user,
                statement=form.cleaned_data["statement"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("申辩已提交，将由另一名核查人员处理，结果会通知您。"))
            return redirect("candidates:application", pk=pk)
    return render(request, "reviews/appeal.html", {"application": application, "form": form})
