from django.contrib import messages
from django.http import Http404
from django.utils.translation import gettext as _

from reviews.permissions import hr_organisation_id, reviewer_city_id

PAGE_SIZE = 50


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
