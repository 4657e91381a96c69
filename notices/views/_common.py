from django.http import Http404
from django.shortcuts import render

from candidates.permissions import is_administrator
from notices.selectors import public_pass_lists
from verification_portal.shared.files import stored_file_response

PASS_LIST_PAGE = 100

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _public_lists():
    return public_pass_lists().select_related("round__city")


def _download_when_ready(request, export, *, filename: str, content_type: str):
    """A file a task is building: the waiting page (it refreshes itself) until it is stored."""
    if not export.file:
        return render(request, "notices/manage/export_pending.html", {"export": export})
    return stored_file_response(export.file, filename=filename, content_type=content_type, inline=False)


def _admin_only(request) -> None:
    if not is_administrator(request.user):
        raise Http404
