from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates.enums import BACKLOG_STATUSES
from candidates.enums import ApplicationStatus as S
from reviews.forms import (
    QueueFilterForm,
)
from reviews.pagination import keyset_page
from reviews.selectors import (
    WAITING_CHOICES,
    application_for_reviewer,
    assigned_to,
    queue_counts,
    queue_exams,
    queue_orders,
    review_queue,
    reviewer_stats,
)
from reviews.services.claims import application_claim, application_claim_next, application_release

from ._common import (
    PAGE_SIZE,
    _errors_to_messages,
    _reviewer_only,
)


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
        query=filters.get("q") or "",
        sort=filters.get("sort") or "",
        signals=bool(filters.get("signals")),
        ocr_mismatch=bool(filters.get("ocr")),
        now=now,
    )
    counts = queue_counts(user=request.user)
    known = None
    narrowed = ("exam", "employer", "waiting", "q", "signals", "ocr")
    if not any(filters.get(name) for name in narrowed):
        status = filters.get("status")
        known = counts.get(status, 0) if status else sum(counts[s] for s in BACKLOG_STATUSES)
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    exams = queue_exams(user=request.user)
    page = keyset_page(
        items,
        sort=filters.get("sort") or "",
        orders=queue_orders(filters.get("sort") or ""),
        after=request.GET.get("after", "")[:40],
        before=request.GET.get("before", "")[:40],
        number=number,
        size=PAGE_SIZE,
        count=known if known is not None else items.count(),
        query=query.urlencode(),
    )
    return render(
        request,
        "reviews/queue.html",
        {
            "form": form,
            # Plain choice lists: Django's widget templates cost ~0.3 ms an option.
            "filter_choices": {
                "status": form.fields["status"].choices,
                "exam": [("", _("全部")), *((str(pk), name) for pk, name in exams)],
                "waiting": form.fields["waiting"].choices,
                "sort": form.fields["sort"].choices,
            },
            "filter_values": {
                name: request.GET.get(name, "") for name in ("status", "exam", "waiting", "sort")
            },
            "page": page,
            "rows": _queue_rows(page, now, dict(exams)),
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


def _queue_rows(applications, now, exam_names: dict[int, str]) -> list[QueueRow]:
    """``exam_names``: the city's exams (kept per city); any other exam is read here at once."""
    day_label, hour_label = _("天"), _("小时")
    status_labels = dict(S.choices)
    missing = {a.exam_id for a in applications} - exam_names.keys()
    if missing:
        from candidates.models import Exam

        exam_names = {**exam_names, **dict(Exam.objects.filter(pk__in=missing).values_list("pk", "name"))}
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
                exam=exam_names[application.exam_id],
                employer=application.employer.name if application.employer else "—",
                stamped_on_paper=application.stamped_on_paper,
                status=status_labels[application.status],
                waiting=_waiting(now - application.status_changed_at, day_label, hour_label),
                claimed_by=(claimer.get_full_name() or claimer.username) if claimer else "—",
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
