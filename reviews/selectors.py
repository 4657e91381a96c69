"""Reads for the employer's and the city's reviewers, always scoped to what they may see."""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from candidates.enums import BACKLOG_STATUSES, EducationLevel
from candidates.enums import ApplicationStatus as S
from candidates.models import Application, Exam, Material, MaterialVersion, Organisation
from candidates.validators import name_key, parse_id_number
from reviews import eligibility
from reviews.enums import DecisionKind
from reviews.models import Decision, EligibilityRule, EmployerReview, MaterialVerdict
from reviews.permissions import hr_organisation_id, reviewer_city_id
from verification_portal.shared.kept import version_changed

QUEUE_STATUSES = (*BACKLOG_STATUSES, S.SUPPLEMENT)
DONE_STATUSES = (S.PASSED, S.FAILED)
WAITING_CHOICES = {"1": 1, "3": 3, "7": 7}
EMPLOYER_MATCH_LIMIT = 500
# A queue line as plain values (one query with its joins): building model instances for
# fifty rows cost more than fetching them.
QUEUE_FIELDS = (
    "pk",
    "status",
    "status_changed_at",
    "stamped_on_paper",
    "claimed_until",
    "exam_id",
    "employer__name",
    "claimed_by__username",
    "claimed_by__first_name",
    "claimed_by__last_name",
    "candidate__real_name",
    "round__exam_year",
)


def _queue_base(*, user) -> QuerySet[Application]:
    city_id = reviewer_city_id(user)
    if city_id is None:
        return Application.objects.none()
    return Application.objects.filter(city_id=city_id).exclude(status=S.DRAFT)


def review_queue(
    *,
    user,
    status: str = "",
    exam_id: int | None = None,
    employer: str = "",
    waiting_days: int | None = None,
    query: str = "",
    sort: str = "",
    signals: bool = False,
    ocr_mismatch: bool = False,
    now: datetime.datetime | None = None,
) -> QuerySet[Application]:
    """The city's queue, longest waiting first (or as ``sort`` says). Never shows another
    city's items. ``query`` (a name, an ID number or an application number) looks through
    the city's applications in every status."""
    now = now or timezone.now()
    queryset = _queue_base(user=user)
    if query:
        queryset = queryset.filter(search_condition(query))
        if status:
            queryset = queryset.filter(status=status)
    else:
        queryset = queryset.filter(status=status) if status else queryset.filter(status__in=BACKLOG_STATUSES)
    if exam_id:
        queryset = queryset.filter(exam_id=exam_id)
    if employer:
        # Find the employers first (a small table), then their applications by index.
        employer_ids = list(
            Organisation.objects.filter(
                Q(name__icontains=employer) | Q(credit_code=employer.upper())
            ).values_list("pk", flat=True)[:EMPLOYER_MATCH_LIMIT]
        )
        queryset = queryset.filter(employer_id__in=employer_ids)
    if waiting_days:
        queryset = queryset.filter(status_changed_at__lte=now - datetime.timedelta(days=waiting_days))
    if signals:
        from reviews.models import FraudSignal

        queryset = queryset.filter(Exists(FraudSignal.objects.filter(application=OuterRef("pk"))))
    if ocr_mismatch:
        queryset = queryset.filter(ocr_check__mismatches__gt=0)
    # Values with four joins (the exam is named from the city's kept list, ``queue_exams``).
    return queryset.values(*QUEUE_FIELDS).order_by(*QUEUE_ORDERS.get(sort, QUEUE_ORDERS[""]))


def queue_orders(sort: str) -> tuple[str, ...]:
    return QUEUE_ORDERS.get(sort, QUEUE_ORDERS[""])


QUEUE_ORDERS = {
    "": ("status_changed_at", "pk"),
    "newest": ("-status_changed_at", "-pk"),
    "reference": ("pk",),
}
REFERENCE_RE = re.compile(r"^HC\d{4}(\d{8})$")


def search_condition(query: str) -> Q:
    """An application number (HC + year + 8 digits), an ID number, or a name as written."""
    text = "".join(query.split()).upper()
    match = REFERENCE_RE.match(text)
    if match:
        return Q(pk=int(match.group(1)))
    if len(text) in (15, 18) and text[:-1].isdigit():
        return Q(candidate__id_number=text)
    return Q(candidate__real_name=" ".join(query.split()))


QUEUE_EXAMS_SECONDS = 3600


def forget_queue_exams(*, city_id: int) -> None:
    from django.core.cache import cache

    cache.delete(f"queue-exams:{city_id}")


def queue_exams(*, user) -> list[tuple[int, str]]:
    """The exams of the reviewer's city's rounds, for the queue's filter: kept per city and
    dropped whenever one of its rounds is saved or its exams change (``reviews.apps``)."""
    from django.core.cache import cache

    city_id = reviewer_city_id(user)

    def compute() -> list[tuple[int, str]]:
        return list(
            Exam.objects.filter(rounds__city_id=city_id).distinct().order_by("name").values_list("pk", "name")
        )

    return cache.get_or_set(f"queue-exams:{city_id}", compute, timeout=QUEUE_EXAMS_SECONDS)


def queue_version_key(*, city_id: int) -> str:
    """The key of a token for the state of the city's queue, changed whenever one of its
    applications is saved, claimed or assigned (``queue_changed``): what is kept of the queue
    page (the page, counts, the table, a reviewer's figures) is kept under the token, so a
    change shows on the next view."""
    return f"queue-version:{city_id}"


def queue_changed(*, city_id: int) -> None:
    version_changed(queue_version_key(city_id=city_id))


def queue_counts(*, user, version: str) -> dict[str, int]:
    """The city's applications by status, shared by its reviewers under the queue's
    ``version`` (at most ``PORTAL_QUEUE_KEPT_SECONDS``) instead of each page counting the
    city's rows again."""
    from django.conf import settings
    from django.core.cache import cache

    def compute() -> dict[str, int]:
        # COUNT(*) lets PostgreSQL answer from the (city, status, ...) index alone.
        rows = _queue_base(user=user).values("status").annotate(n=Count("*")).order_by()
        return {row["status"]: row["n"] for row in rows}

    counts = cache.get_or_set(
        f"queue-counts:{reviewer_city_id(user)}:{version}",
        compute,
        timeout=settings.PORTAL_QUEUE_KEPT_SECONDS,
    )
    return {status: counts.get(status, 0) for status in (*QUEUE_STATUSES, *DONE_STATUSES)}


@dataclass
class ReviewerStats:
    done_today: int
    average_minutes: float | None
    backlog: int
    claimed_by_me: int


def reviewer_stats(*, user, counts: dict[str, int], now: datetime.datetime | None = None) -> ReviewerStats:
    """``counts`` is ``queue_counts`` for the same user, so the backlog costs no query."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    decisions = Decision.objects.filter(reviewer=user).aggregate(
        today=Count("pk", filter=Q(created_at__gte=start_of_day)),
        average=Avg(F("created_at") - F("claimed_at"), filter=Q(claimed_at__isnull=False)),
    )
    average = decisions["average"]
    return ReviewerStats(
        done_today=decisions["today"],
        average_minutes=round(average.total_seconds() / 60, 1) if average else None,
        backlog=sum(counts[status] for status in BACKLOG_STATUSES),
        claimed_by_me=_queue_base(user=user).filter(claimed_by=user, claimed_until__gt=now).count(),
    )


def queue_side(*, user, counts: dict[str, int], version: str, now: datetime.datetime) -> tuple:
    """The reviewer's figures and the items assigned to them, kept under the queue's
    ``version``: their decisions and claims change it (a decision moves an application of
    their city; an assignment changes the assignee's city's version too)."""
    from django.conf import settings
    from django.core.cache import cache

    return cache.get_or_set(
        f"queue-side:{user.pk}:{version}",
        lambda: (reviewer_stats(user=user, counts=counts, now=now), list(assigned_to(user=user))),
        timeout=settings.PORTAL_QUEUE_KEPT_SECONDS,
    )


def application_for_reviewer(*, user, pk: int) -> Application:
    city_id = reviewer_city_id(user)
    if city_id is None:
        raise Http404
    application = (
        Application.objects.filter(Q(city_id=city_id) | Q(assigned_reviewer=user))
        .exclude(status=S.DRAFT)
        .select_related(
            "candidate__user",
            "round__city",
            "roster_entry__exam",
            "roster_entry__city",
            "employer",
            "claimed_by",
        )
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    return application


def latest_verdicts(*, application: Application) -> dict[str, tuple[MaterialVerdict, bool]]:
    """The latest verdict of each item, and whether it judged the files that are current now
    (False: files changed since the last review, the item needs a fresh look)."""
    materials = Material.objects.filter(application=application).prefetch_related(
        Prefetch("verdicts", queryset=MaterialVerdict.objects.order_by("-created_at", "-id")),
        Prefetch("versions", queryset=MaterialVersion.objects.filter(retired_at__isnull=True)),
    )
    result = {}
    for material in materials:
        verdicts = list(material.verdicts.all())
        current = sorted(v.number for v in material.versions.all())
        if verdicts:
            result[material.kind] = (verdicts[0], verdicts[0].versions == current)
    return result


def current_verdicts(*, application: Application) -> dict[str, MaterialVerdict]:
    """The latest verdict of each item, only where it judged the files that are current
    now (after a re-upload the item needs a fresh look)."""
    return {
        kind: verdict
        for kind, (verdict, current) in latest_verdicts(application=application).items()
        if current
    }


@dataclass
class ReviewFacts:
    age: int
    gender: str
    birth_date: datetime.date
    name_matches_roster: bool
    # The phone the roster carries (given at exam registration) when it differs from the
    # account's verified phone; empty when the roster has none or they agree.
    roster_phone_mismatch: str
    id_type: str
    cutoff: datetime.date
    duration: eligibility.WorkDuration
    level: str
    required_years: int | None
    pre_verdict: eligibility.PreVerdict
    # 属地报名 (seed 001): the roster's city is the round's.
    local_registration: bool
    rule: EligibilityRule | None
    # The last day counted: the cut-off, or today while the cut-off is ahead.
    counted_until: datetime.date


def review_facts(*, application: Application) -> ReviewFacts:
    candidate = application.candidate
    identity = parse_id_number(candidate.id_number)
    cutoff = application.round.work_cutoff_date
    today = timezone.localdate()
    periods = eligibility.declared_periods(
        work_history=application.work_history,
        work_start=application.work_start_date,
        cutoff=cutoff,
        today=today,
    )
    duration = eligibility.work_duration(periods, cutoff=cutoff)
    level, rule = application_eligibility(application=application)
    level_label = str(EducationLevel(level).label) if level else "—"
    return ReviewFacts(
        age=eligibility.age_on(identity.birth_date, cutoff),
        gender=identity.gender,
        birth_date=identity.birth_date,
        name_matches_roster=name_key(application.roster_entry.name) == name_key(candidate.real_name),
        roster_phone_mismatch=(
            application.roster_entry.phone
            if application.roster_entry.phone and application.roster_entry.phone != candidate.phone
            else ""
        ),
        id_type=candidate.get_id_type_display(),
        cutoff=cutoff,
        duration=duration,
        level=level_label,
        required_years=rule.required_years if rule else None,
        pre_verdict=eligibility.pre_verdict(
            level_label=level_label,
            required_years=rule.required_years if rule else None,
            duration=duration,
            cutoff=cutoff,
            until=eligibility.counted_until(cutoff, today),
        ),
        local_registration=application.roster_entry.city_id == application.round.city_id,
        rule=rule,
        counted_until=eligibility.counted_until(cutoff, today),
    )


def application_eligibility(*, application: Application) -> tuple[str, EligibilityRule | None]:
    """The education level the rules count (a technical school by its class) and the rule for
    the roster's exam and level."""
    level = eligibility.effective_level(
        education_level=application.education_level,
        education_type=application.education_type,
        technical_class=application.technical_class,
    )
    rule = eligibility_rule_for(
        exam_id=application.roster_entry.exam_id,
        exam_level=application.roster_entry.level,
        education_level=level,
    )
    return level, rule


def eligibility_rule_for(*, exam_id: int, exam_level: str, education_level: str) -> EligibilityRule | None:
    """The rule for the exam at the roster's level, else the exam's rule for every level."""
    if not education_level:
        return None
    rules = {
        rule.exam_level: rule
        for rule in EligibilityRule.objects.filter(
            exam_id=exam_id, education_level=education_level, exam_level__in={exam_level, ""}
        )
    }
    return rules.get(exam_level) or rules.get("")


def decision_history(*, application: Application) -> QuerySet[Decision]:
    return application.decisions.select_related("reviewer").order_by("created_at", "pk")


# The employer's side.


def _employer_base(*, user) -> QuerySet[Application]:
    organisation_id = hr_organisation_id(user)
    if organisation_id is None:
        return Application.objects.none()
    return Application.objects.filter(employer_id=organisation_id).exclude(status=S.DRAFT)


def employer_queue(*, user, status: str = S.EMPLOYER_REVIEW, query: str = "") -> QuerySet[Application]:
    queryset = _employer_base(user=user)
    if status:
        queryset = queryset.filter(status=status)
    if query:
        queryset = queryset.filter(search_condition(query))
    return queryset.select_related("candidate", "roster_entry__exam", "round__city").order_by(
        "status_changed_at", "pk"
    )


def employer_approved(*, user, query: str = "") -> list[tuple[Application, EmployerReview]]:
    """The applications this employer approved, latest first, each with its approval (the
    work-years proof was issued with it)."""
    reviews = (
        EmployerReview.objects.filter(organisation_id=hr_organisation_id(user), outcome="approved")
        .select_related(
            "application__candidate", "application__roster_entry__exam", "application__round", "reviewer"
        )
        .order_by("-created_at")
    )
    if query:
        reviews = reviews.filter(
            application__in=_employer_base(user=user).filter(search_condition(query)).values("pk")
        )
    seen, rows = set(), []
    for review in reviews[:500]:
        if review.application_id not in seen:
            seen.add(review.application_id)
            rows.append((review.application, review))
    return rows


def employer_counts(*, user) -> dict[str, int]:
    base = _employer_base(user=user)
    approved = EmployerReview.objects.filter(
        organisation_id=hr_organisation_id(user), outcome="approved"
    ).values("application_id")
    return {
        "pending": base.filter(status=S.EMPLOYER_REVIEW).count(),
        "returned": base.filter(status=S.EMPLOYER_RETURNED).count(),
        "approved": base.filter(pk__in=approved).count(),
    }


def application_for_hr(*, user, pk: int) -> Application:
    application = (
        _employer_base(user=user)
        .select_related("candidate__user", "round__city", "roster_entry__exam", "employer")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    return application


def employer_reviews_of(*, application: Application) -> QuerySet[EmployerReview]:
    return application.employer_reviews.select_related("reviewer", "organisation")


@dataclass
class ItemChanges:
    """What the candidate changed on one item since the reviewers last asked for a supplement."""

    added: list = field(default_factory=list)
    retired: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.retired or self.notes)


def changes_since_supplement(
    *, application: Application
) -> tuple[datetime.datetime | None, dict[str, ItemChanges]]:
    """Since the latest supplement request: files added and taken out, and the candidate's
    statements, per item. (None, {}) when there never was a request."""
    from candidates.models import MaterialNote

    request = application.decisions.filter(kind=DecisionKind.SUPPLEMENT).order_by("-created_at").first()
    if request is None:
        return None, {}
    since = request.created_at
    changes: dict[str, ItemChanges] = {}
    versions = MaterialVersion.objects.filter(material__application=application).select_related("material")
    for version in versions.filter(uploaded_at__gte=since):
        changes.setdefault(version.material.kind, ItemChanges()).added.append(version)
    for version in versions.filter(retired_at__gte=since):
        changes.setdefault(version.material.kind, ItemChanges()).retired.append(version)
    notes = MaterialNote.objects.filter(material__application=application, created_at__gte=since)
    for note in notes.select_related("material"):
        changes.setdefault(note.material.kind, ItemChanges()).notes.append(note)
    return since, changes


def assigned_to(*, user) -> QuerySet[Application]:
    """Items of other cities an administrator assigned to this reviewer."""
    if reviewer_city_id(user) is None:
        return Application.objects.none()
    return Application.objects.filter(
        assigned_reviewer=user, status__in=[S.FAIL_PROPOSED, S.APPEALED]
    ).select_related("candidate", "round__city", "exam")


def eligible_handlers(*, application: Application) -> list:
    """The city's reviewers who may take the step at hand (a second reviewer confirms a fail;
    an appeal goes to one who took no part in the fail), and the assigned one if any."""
    from django.contrib.auth import get_user_model

    from reviews.permissions import may_handle

    users = list(
        get_user_model()
        .objects.filter(
            Q(city_reviewer__city_id=application.city_id) | Q(pk=application.assigned_reviewer_id or 0),
            is_active=True,
        )
        .select_related("city_reviewer")
        .order_by("username")
    )
    return [user for user in users if may_handle(user, application)]


def stuck_applications():
    """Fail confirmations and appeals that no reviewer of their city may take: an
    administrator assigns them or decides. (Few rows: these two statuses only.)"""
    waiting = Application.objects.filter(
        status__in=[S.FAIL_PROPOSED, S.APPEALED], assigned_reviewer__isnull=True
    ).select_related("candidate", "round__city", "exam")
    return [application for application in waiting if not eligible_handlers(application=application)]


def assignable_reviewers(*, application: Application):
    """Reviewers of any city an administrator may assign a confirmation or an appeal to: all
    who took no part in the fail."""
    from django.contrib.auth import get_user_model

    from reviews.permissions import failed_by

    return (
        get_user_model()
        .objects.filter(city_reviewer__isnull=False, is_active=True)
        .exclude(pk__in=failed_by(application))
        .select_related("city_reviewer__city")
        .order_by("city_reviewer__city__sort_order", "username")
    )


def review_materials(*, application: Application) -> dict[str, Material]:
    """The application's checklist items by kind, for the review page's verdict forms."""
    return {m.kind: m for m in Material.objects.filter(application=application)}


def appeal_files(*, application: Application):
    """The current files the candidate gave with an appeal."""
    return MaterialVersion.objects.filter(
        material__application=application, material__kind="appeal_evidence", retired_at__isnull=True
    ).prefetch_related("pages")


def colleagues_of(*, organisation):
    """An employer's HR accounts and its open invitations."""
    from candidates.models import EmployerHR

    colleagues = EmployerHR.objects.filter(organisation=organisation).select_related("user")
    invitations = organisation.invitations.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())
    return colleagues, invitations


def reviewers_for_administrators():
    """Every city's reviewers (by city, then name) and the invitations not yet accepted."""
    from reviews.models import CityReviewer, StaffInvitation

    reviewers = CityReviewer.objects.select_related("user", "city").order_by(
        "city__sort_order", "user__username"
    )
    invitations = StaffInvitation.objects.filter(
        city__isnull=False, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("city", "invited_by")
    return list(reviewers), list(invitations)


@dataclass(frozen=True)
class OcrItem:
    """What OCR read on one checklist item, for the review page."""

    findings: list
    hint: str
    unreadable: list


def ocr_for_review(*, application: Application, checklist) -> tuple[object | None, dict[str, OcrItem]]:
    """The stored cross-check and, per item, its findings; each page of the checklist's
    files is given the boxes to highlight (``page.ocr_marks``) in its own pixels."""
    from reviews.crosscheck import Finding
    from reviews.models import OcrCheck

    check = OcrCheck.objects.filter(application=application).first()
    if check is None:
        return None, {}
    items, marks = {}, {}
    for kind, stored in check.items.items():
        findings = [Finding(**finding) for finding in stored.get("findings", [])]
        items[kind] = OcrItem(
            findings=findings, hint=stored.get("hint", ""), unreadable=stored.get("unreadable", [])
        )
        for finding in findings:
            for left, top, right, bottom in finding.boxes:
                marks.setdefault(finding.page_id, []).append(
                    {
                        "x": left,
                        "y": top,
                        "w": right - left,
                        "h": bottom - top,
                        "outcome": finding.outcome,
                        "title": f"{finding.label}：{finding.read}（{finding.outcome_label}）",
                    }
                )
    for item in checklist:
        for version in item.versions:
            for page in version.pages.all():
                page.ocr_marks = marks.get(page.pk, [])
    return check, items
