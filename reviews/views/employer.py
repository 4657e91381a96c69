from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates.enums import ApplicationStatus as S
from candidates.enums import Event, events_from
from candidates.selectors import application_checklist
from candidates.services.documents import document_current
from reviews.forms import (
    EmployerApproveForm,
    EmployerBulkForm,
    EmployerReturnForm,
    InvitationAcceptForm,
    InviteForm,
)
from reviews.selectors import (
    application_for_hr,
    colleagues_of,
    employer_approved,
    employer_counts,
    employer_queue,
    employer_reviews_of,
)
from reviews.services.employer import (
    employer_approve,
    employer_bulk_approve,
    employer_return,
)
from reviews.services.staff import employer_invite, staff_invitation_accept
from verification_portal.shared.forms import add_service_errors

from ._common import _errors_to_messages, _form_errors_to_messages, _hr_only


@login_required
@require_GET
def employer_home(request):
    _hr_only(request)
    query = request.GET.get("q", "").strip()[:40]
    pending = list(employer_queue(user=request.user, query=query))
    return render(
        request,
        "reviews/employer_home.html",
        {
            "organisation": request.user.employer_hr.organisation,
            "pending": pending,
            "returned": employer_queue(user=request.user, status=S.EMPLOYER_RETURNED, query=query),
            "approved": employer_approved(user=request.user, query=query),
            "counts": employer_counts(user=request.user),
            "bulk_form": EmployerBulkForm(choices=[a.pk for a in pending]),
            "query": query,
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


def _employer_act(request, pk: int, *, form_class, form_name: str, act, done: str):
    """HR's approval or return: the form, then the service; an invalid form shows the page again
    with what was typed, a refusal is told and changes nothing."""
    _hr_only(request)
    application = application_for_hr(user=request.user, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return _employer_application_page(request, application, **{form_name: form})
    try:
        act(application=application, user=request.user, data=form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        _errors_to_messages(request, error)
        return redirect("reviews:employer_application", pk=pk)
    messages.success(request, done)
    return redirect("reviews:employer_home")


@login_required
@require_POST
def employer_approve_view(request, pk: int):
    return _employer_act(
        request,
        pk,
        form_class=EmployerApproveForm,
        form_name="approve_form",
        act=lambda *, application, user, data: employer_approve(
            application=application, user=user, checks=data["checks"]
        ),
        done=_("已通过初审，已出具工作年限证明并提交市人社局核查。"),
    )


@login_required
@require_POST
def employer_return_view(request, pk: int):
    return _employer_act(
        request,
        pk,
        form_class=EmployerReturnForm,
        form_name="return_form",
        act=lambda *, application, user, data: employer_return(
            application=application, user=user, reasons=data["reasons"]
        ),
        done=_("已退回申请人修改。"),
    )


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
    if request.POST.get("confirm") != "1":
        # The count and the names first; nothing is approved until confirmed.
        return render(
            request,
            "reviews/employer_bulk_confirm.html",
            {
                "chosen": chosen,
                "checks": form.cleaned_data["checks"],
                "check_labels": dict(form.fields["checks"].choices),
            },
        )
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
    colleagues, invitations = colleagues_of(organisation=organisation)
    return render(
        request,
        "reviews/employer_colleagues.html",
        {"form": form, "organisation": organisation, "colleagues": colleagues, "invitations": invitations},
    )


def invitation_accept(request, token: str):
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff_invitation_accept(
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
