from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from candidates.permissions import is_applicant
from candidates.selectors import application_for_user
from reviews.forms import (
    AppealForm,
)
from reviews.services.appeals import appeal_submit
from verification_portal.shared.forms import add_service_errors


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
