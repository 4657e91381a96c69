import math
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from candidates.models import City
from candidates.selectors import ROUNDS_VERSION
from notices.enums import PassListStatus
from notices.forms import (
    ReportForm,
)
from notices.models import (
    NoticeAttachment,
    PassListEntry,
    Report,
)
from notices.presentation import exam_options, pass_list_rows
from notices.selectors import (
    PUBLIC_LISTS_VERSION,
    pass_list_page,
    pass_list_surroundings,
    public_pass_list,
    public_pass_lists_by_round,
)
from notices.services.notices import NOTICES_VERSION, notice_body_html, notices_kept_seconds, notices_public
from notices.services.publication import (
    report_submit,
)
from verification_portal.client import client_address
from verification_portal.shared.files import stored_file_response
from verification_portal.shared.forms import add_service_errors
from verification_portal.shared.kept import kept_page, part_mark

from ._common import PASS_LIST_PAGE, XLSX, _public_lists

# A public list read for its page is kept under the version every list, round or city saved
# changes; this bounds a change made where no signal is sent (raw SQL, .update()).
PUBLIC_LIST_KEPT_SECONDS = 60
# Where what a search finds goes in the kept frame of a list's page.
FOUND_MARKS = {name: part_mark(name) for name in ("q", "last4", "exam_options", "rows", "pager")}


@require_GET
def notice_list(request):
    def context(*_versions: str) -> tuple[dict, int]:
        now = timezone.now()
        page = Paginator(notices_public(now=now), 20).get_page(request.GET.get("page"))
        return {"page": page}, notices_kept_seconds(now=now)

    # Opened by everyone on publication day: kept under the version of the notices (and of
    # the rounds, whose cities it names), never past the next scheduled notice.
    return kept_page(
        request,
        key="notices",
        versions=(NOTICES_VERSION, ROUNDS_VERSION),
        template="notices/notice_list.html",
        context=context,
    )


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


@require_GET
def pass_lists(request):
    return render(request, "notices/pass_lists.html", {"rounds": public_pass_lists_by_round()})


@require_GET
def pass_list_detail(request, pk: int):
    query = request.GET.get("q", "").strip()[:50]
    exam = request.GET.get("exam", "").strip()[:60]
    last4 = "".join(ch for ch in request.GET.get("last4", "") if ch.isalnum())[:4]
    searched = {"query": query, "exam": exam, "last4": last4}
    filtered = bool(query or exam or last4)
    number = request.GET.get("page") or "1"

    def found(pass_list, exams, report_path) -> tuple[dict[str, str], int]:
        """What the page shows of the rows found (or of a page of the whole list), and the
        number of the page shown; each row's report link is ``report_path`` and the entry's id."""
        objection_open = _objection_open(pass_list, now=timezone.now())
        page = pass_list_page(pass_list=pass_list, per_page=PASS_LIST_PAGE, number=number, **searched)
        filters = urlencode({k: v for k, v in (("q", query), ("exam", exam), ("last4", last4)) if v})
        return {
            "q": escape(query),
            "last4": escape(last4),
            "exam_options": exam_options(exams, chosen=exam),
            "rows": pass_list_rows(page, report_path=report_path, objection_open=objection_open),
            "pager": render_to_string("notices/_pass_list_pager.html", {"page": page, "filters": filters})
            if page.has_other_pages()
            else "",
        }, page.number

    def context(*_versions) -> tuple[dict, int]:
        # Read only to render: a kept page's view reads nothing but the page.
        pass_list = public_pass_list(pk=pk, kept_seconds=PUBLIC_LIST_KEPT_SECONDS)
        if pass_list is None:
            raise Http404
        now = timezone.now()
        siblings, exams = pass_list_surroundings(pass_list=pass_list)
        objection_open = _objection_open(pass_list, now=now)
        report_path = reverse("notices:report", args=[pass_list.pk, 0]).removesuffix("0/report/")
        values = {
            "pass_list": pass_list,
            "siblings": siblings,
            "exams": exams,
            "objection_open": objection_open,
        }
        # Kept until the objection period ends (the page then loses its report links), and
        # no longer than a public list read with it is (a change made where no signal is
        # sent: raw SQL, .update()).
        seconds = PUBLIC_LIST_KEPT_SECONDS
        if objection_open:
            seconds = min(seconds, math.floor((pass_list.objection_ends_at - now).total_seconds()))
        if filtered:  # the frame around what a search finds (found_parts), kept with the list
            return {**values, **FOUND_MARKS, "kept": (pass_list, exams, report_path)}, seconds
        parts, shown = found(pass_list, exams, report_path)
        if number != str(shown):
            seconds = 0  # an address past the last page: shown, not kept
        return {**values, **parts}, seconds

    def found_parts(kept) -> dict[str, str]:
        parts, _shown = found(*kept)
        return {FOUND_MARKS[name]: html for name, html in parts.items()}

    # Every public list's page is kept under the version of the public lists (a list, its
    # round or a city saved changes it: a withdrawn list is gone on the next view, a new list
    # of the round is named on it). A page of a whole list is kept as it is; a search's rows
    # are found each time and put in a kept frame (the rest of the page, the same for every
    # search of the list), kept with the list itself: either costs one read of the cache.
    if filtered:
        # The frame's kept value is (list, exams, report path): the key names that shape, so
        # a release that changes it never reads one an earlier release kept.
        key = f"pass-list:{pk}:found:3"
    else:  # a page's number as the pager writes it (no other address fills the cache)
        key = f"pass-list:{pk}:{number}" if number.isdigit() and str(int(number)) == number else None
    return kept_page(
        request,
        key=key,
        versions=(PUBLIC_LISTS_VERSION,),
        template="notices/pass_list_detail.html",
        context=context,
        parts=found_parts if filtered else None,
    )


def _objection_open(pass_list, *, now) -> bool:
    return pass_list.status == PassListStatus.PUBLISHED and pass_list.objection_ends_at > now


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
            created = report_submit(
                entry=entry,
                address=client_address(request),
                contact=form.cleaned_data["contact"],
                text=form.cleaned_data["text"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("举报已收到，编号 {reference}。我们将依法核实处理，可凭编号查询处理结果。").format(
                    reference=created.reference
                ),
            )
            return redirect(f"{reverse('notices:report_lookup')}?reference={created.reference}")
    return render(request, "notices/report.html", {"pass_list": pass_list, "entry": entry, "form": form})


@require_GET
def report_lookup(request):
    """举报查询: the reporter's number shows the report's state and outcome, nothing else."""
    reference = "".join(request.GET.get("reference", "").split()).upper()[:20]
    found = Report.objects.filter(reference=reference).first() if reference else None
    return render(request, "notices/report_lookup.html", {"reference": reference, "found": found})
