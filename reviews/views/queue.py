from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates.enums import BACKLOG_STATUSES
from candidates.enums import ApplicationStatus as S
from candidates.models import Application
from reviews.forms import (
    QueueFilterForm,
)
from reviews.pagination import keyset_page
from reviews.selectors import (
    WAITING_CHOICES,
    application_for_reviewer,
    queue_counts,
    queue_exams,
    queue_orders,
    queue_side,
    queue_version_key,
    review_queue,
)
from reviews.services.claims import application_claim, application_claim_next, application_release
from verification_portal.shared.kept import kept_page

from ._common import (
    PAGE_SIZE,
    _errors_to_messages,
    _reviewer_only,
)


@login_required
@require_GET
def queue(request):
    _reviewer_only(request)
    city = request.user.city_reviewer.city

    def context(version: str) -> tuple[dict, int]:
        now = timezone.now()
        form = QueueFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        counts = queue_counts(user=request.user, version=version)
        stats, assigned = queue_side(user=request.user, counts=counts, version=version, now=now)
        values = {
            "form": form,
            "table": QueueTable(request, filters, counts, now),
            "counts": [(status, S(status).label, n) for status, n in counts.items()],
            "stats": stats,
            "city": city,
            "version": version,
            "kept_seconds": settings.PORTAL_QUEUE_KEPT_SECONDS,
            "assigned": assigned,
        }
        return values, settings.PORTAL_QUEUE_KEPT_SECONDS

    # The page as this reviewer saw it, kept under the city's queue version (a save, claim or
    # assignment in the city changes it) for at most PORTAL_QUEUE_KEPT_SECONDS.
    return kept_page(
        request,
        key=f"queue:{city.pk}:{request.user.pk}",
        versions=(queue_version_key(city_id=city.pk),),
        template="reviews/queue.html",
        context=context,
    )


class QueueTable:
    """The filters, the page of rows and the pager, computed only when the template renders
    them: the page keeps the rendered table under the city's queue version and the request's
    query, and a kept table needs none of this."""

    def __init__(self, request, filters: dict, counts: dict[str, int], now):
        self.request, self.filters, self.counts, self.now = request, filters, counts, now

    @cached_property
    def exams(self) -> list[tuple[int, str]]:
        return queue_exams(user=self.request.user)

    @cached_property
    def query(self) -> str:
        query = self.request.GET.copy()
        for key in ("page", "after", "before"):
            query.pop(key, None)
        return query.urlencode()

    @cached_property
    def page(self):
        filters, get = self.filters, self.request.GET
        items = review_queue(
            user=self.request.user,
            status=filters.get("status") or "",
            exam_id=filters["exam"].pk if filters.get("exam") else None,
            employer=filters.get("employer") or "",
            waiting_days=WAITING_CHOICES.get(filters.get("waiting") or ""),
            query=filters.get("q") or "",
            sort=filters.get("sort") or "",
            signals=bool(filters.get("signals")),
            ocr_mismatch=bool(filters.get("ocr")),
            now=self.now,
        )
        known = None
        if not any(filters.get(name) for name in ("exam", "employer", "waiting", "q", "signals", "ocr")):
            status = filters.get("status")
            known = self.counts.get(status, 0) if status else sum(self.counts[s] for s in BACKLOG_STATUSES)
        try:
            number = max(1, int(get.get("page", "1")))
        except ValueError:
            number = 1
        return keyset_page(
            items,
            sort=filters.get("sort") or "",
            orders=queue_orders(filters.get("sort") or ""),
            after=get.get("after", "")[:40],
            before=get.get("before", "")[:40],
            number=number,
            size=PAGE_SIZE,
            count=known if known is not None else items.count(),
            query=self.query,
        )

    @cached_property
    def rows(self) -> list["QueueRow"]:
        return _queue_rows(self.page.rows, self.now, dict(self.exams))

    @cached_property
    def filter_choices(self) -> dict:
        # Plain choice lists: Django's widget templates cost ~0.3 ms an option.
        fields = QueueFilterForm.base_fields
        return {
            "status": fields["status"].choices,
            "exam": [("", _("全部")), *((str(pk), name) for pk, name in self.exams)],
            "waiting": fields["waiting"].choices,
            "sort": fields["sort"].choices,
        }

    @cached_property
    def filter_values(self) -> dict:
        return {name: self.request.GET.get(name, "") for name in ("status", "exam", "waiting", "sort")}


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


def _queue_rows(lines: list[dict], now, exam_names: dict[int, str]) -> list[QueueRow]:
    """``lines``: ``review_queue`` values. ``exam_names``: the city's exams (kept per city);
    any other exam is read here at once."""
    day_label, hour_label = _("天"), _("小时")
    status_labels = dict(S.choices)
    missing = {line["exam_id"] for line in lines} - exam_names.keys()
    if missing:
        from candidates.models import Exam

        exam_names = {**exam_names, **dict(Exam.objects.filter(pk__in=missing).values_list("pk", "name"))}
    url = reverse("reviews:review", args=[0]).removesuffix("0/")  # one reverse, not one a row
    rows = []
    for line in lines:
        claimed = line["claimed_until"] is not None and line["claimed_until"] > now
        claimer = f"{line['claimed_by__first_name']} {line['claimed_by__last_name']}".strip()
        rows.append(
            QueueRow(
                url=f"{url}{line['pk']}/",
                reference=Application.reference_for(line["round__exam_year"], line["pk"]),
                name=line["candidate__real_name"],
                exam=exam_names[line["exam_id"]],
                employer=line["employer__name"] or "—",
                stamped_on_paper=line["stamped_on_paper"],
                status=status_labels[line["status"]],
                waiting=_waiting(now - line["status_changed_at"], day_label, hour_label),
                claimed_by=(claimer or line["claimed_by__username"])
                if claimed and line["claimed_by__username"]
                else "—",
            )
        )
    return rows


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
