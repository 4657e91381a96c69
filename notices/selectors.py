"""Reads for the administrators' dashboard."""

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_noop

from candidates.enums import ApplicationStatus as S
from candidates.enums import RosterStatus
from candidates.models import Application, CandidateProfile, RosterEntry, VerificationRound
from notices.enums import ImportStatus, PassListStatus, ReportStatus
from notices.models import PassList, PassListEntry, Report, RosterImport
from reviews.models import Decision

STAGES = [
    ("roster", gettext_noop("名单人数")),
    ("submitted", gettext_noop("已申报")),
    ("employer", gettext_noop("单位初审中")),
    ("review", gettext_noop("人工核查中")),
    ("supplement", gettext_noop("补正中")),
    ("passed", gettext_noop("通过")),
    ("failed", gettext_noop("不通过")),
    ("appeals", gettext_noop("申辩中")),
    ("absent", gettext_noop("未按期参加")),
]
STAGE_STATUSES = {
    "employer": (S.EMPLOYER_REVIEW, S.EMPLOYER_RETURNED),
    "review": (S.CITY_REVIEW, S.PENDING_CONDITIONS, S.FAIL_PROPOSED),
    "supplement": (S.SUPPLEMENT,),
    "passed": (S.PASSED,),
    "failed": (S.FAILED,),
    "appeals": (S.APPEALED,),
}
UNFINISHED_EXCLUDES = {S.DRAFT, S.PASSED, S.FAILED, S.VOID, S.APPEALED}
CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 600, 160, 2


@dataclass
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class Deadline:
    """A date the rules set from the score release (seed 003), with the cases it puts at risk."""

    label: str
    rule: str
    due: datetime.date
    days_left: int
    at_risk: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_over(self) -> int:
        return -self.days_left

    @property
    def urgent(self) -> bool:
        return self.at_risk > 0 and self.days_left <= 3


def score_release_deadlines(
    *, round_: VerificationRound, unfinished: int, appeals: int, today: datetime.date
) -> list[Deadline]:
    """Seed 003: results reported to the province within 15 days of the score release;
    appeals and the supplementary round finished within two months of it. Cases not
    finished in time are reported as 报考条件待核查."""
    released = round_.score_released_on
    if released is None:
        return []
    report_due = released + datetime.timedelta(days=15)
    final_due = released + relativedelta(months=2)
    return [
        Deadline(
            gettext_noop("结果上报省级核查部门"),
            gettext_noop("成绩发布后 15 日内"),
            report_due,
            (report_due - today).days,
            unfinished,
        ),
        Deadline(
            gettext_noop("申辩与补充资格核查完成"),
            gettext_noop("成绩发布后两个月内"),
            final_due,
            (final_due - today).days,
            unfinished + appeals,
        ),
    ]


@dataclass
class RoundDashboard:
    round: VerificationRound
    stages: list[tuple[str, int]]
    deadlines: list[Deadline] = field(default_factory=list)
    stage_bars: list[Bar] = field(default_factory=list)
    submissions_by_day: list[Bar] = field(default_factory=list)
    decisions_by_day: list[Bar] = field(default_factory=list)


def _horizontal(items: list[tuple[str, int]]) -> list[Bar]:
    top = max((value for _label, value in items), default=0) or 1
    row = 24
    return [
        Bar(label, value, 110, i * row + 4, max(1.0, (CHART_WIDTH - 160) * value / top), row - 8)
        for i, (label, value) in enumerate(items)
    ]


def _by_day(counts: dict[datetime.date, int], first: datetime.date, last: datetime.date) -> list[Bar]:
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)][-45:]
    if not days:
        return []
    top = max((counts.get(day, 0) for day in days), default=0) or 1
    width = CHART_WIDTH / len(days)
    bars = []
    for index, day in enumerate(days):
        value = counts.get(day, 0)
        height = (CHART_HEIGHT - 20) * value / top
        bars.append(
            Bar(
                day.strftime("%m-%d"),
                value,
                index * width,
                CHART_HEIGHT - 20 - height,
                width - BAR_GAP,
                height,
            )
        )
    return bars


def round_stage_counts(*, round_ids: list[int]) -> dict[int, dict[str, int]]:
    """For each round, how many people stand at each stage (keys of STAGES)."""
    by_status: dict[int, dict[str, int]] = {}
    for round_id, status, n in (
        Application.objects.filter(round_id__in=round_ids)
        .values_list("round_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        by_status.setdefault(round_id, {})[status] = n
    roster: dict[int, dict[str, int]] = {}
    for round_id, status, n in (
        RosterEntry.objects.filter(round_id__in=round_ids)
        .values_list("round_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        roster.setdefault(round_id, {})[status] = n
    counts = {}
    for round_id in round_ids:
        statuses, entries = by_status.get(round_id, {}), roster.get(round_id, {})
        counts[round_id] = {
            "roster": sum(entries.values()),
            "submitted": sum(n for status, n in statuses.items() if status != S.DRAFT),
            "absent": entries.get(RosterStatus.ABSENT, 0),
            # Not decided yet (appeals counted apart): at risk when a deadline nears.
            "unfinished": sum(n for status, n in statuses.items() if status not in UNFINISHED_EXCLUDES)
            + entries.get(RosterStatus.EXPECTED, 0),
            **{stage: sum(statuses.get(s, 0) for s in group) for stage, group in STAGE_STATUSES.items()},
        }
    return counts


def candidates_matching(*, query: str):
    """Candidates by exact ID number, phone or name (the investigation export's search)."""
    query = query.strip().upper()
    if not query:
        return CandidateProfile.objects.none()
    return CandidateProfile.objects.filter(Q(id_number=query) | Q(phone=query) | Q(real_name=query))[:20]


def round_dashboards(
    *, city_id: int | None = None, now: datetime.datetime | None = None
) -> list[RoundDashboard]:
    """Per round: how many at each stage, and submissions and decisions by day."""
    now = now or timezone.now()
    rounds = VerificationRound.objects.select_related("city").order_by("-opens_at")
    if city_id:
        rounds = rounds.filter(city_id=city_id)
    rounds = list(rounds[:20])
    ids = [r.pk for r in rounds]
    stage_counts = round_stage_counts(round_ids=ids)
    submitted_days: dict[int, dict[datetime.date, int]] = {}
    for round_id, day, n in (
        Application.objects.filter(round_id__in=ids, submitted_at__isnull=False)
        .annotate(day=TruncDate("submitted_at"))
        .values_list("round_id", "day")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        submitted_days.setdefault(round_id, {})[day] = n
    decision_days: dict[int, dict[datetime.date, int]] = {}
    for round_id, day, n in (
        Decision.objects.filter(application__round_id__in=ids)
        .annotate(day=TruncDate("created_at"))
        .values_list("application__round_id", "day")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        decision_days.setdefault(round_id, {})[day] = n
    dashboards = []
    for round_ in rounds:
        values = stage_counts[round_.pk]
        stages = [(label, values[key]) for key, label in STAGES]
        first = timezone.localtime(round_.opens_at).date()
        last = min(
            timezone.localdate(now), timezone.localtime(round_.closes_at).date() + datetime.timedelta(days=30)
        )
        dashboards.append(
            RoundDashboard(
                round=round_,
                stages=stages,
                deadlines=score_release_deadlines(
                    round_=round_,
                    unfinished=values["unfinished"],
                    appeals=values["appeals"],
                    today=timezone.localdate(now),
                ),
                stage_bars=_horizontal(stages),
                submissions_by_day=_by_day(submitted_days.get(round_.pk, {}), first, last),
                decisions_by_day=_by_day(decision_days.get(round_.pk, {}), first, last),
            )
        )
    return dashboards


def public_pass_lists():
    """The lists the public sees: published, and final once the objection period is over."""
    return PassList.objects.filter(status__in=[PassListStatus.PUBLISHED, PassListStatus.FINAL])


def _newest_of_each_series(lists) -> dict[int, dict[int, PassList]]:
    """Per round, per series (the first list, then each supplementary one), the newest of
    ``lists``, which come ordered by series and newest version first within a round."""
    rounds: dict[int, dict[int, PassList]] = {}
    for pass_list in lists:
        rounds.setdefault(pass_list.round_id, {}).setdefault(pass_list.series, pass_list)
    return rounds


def public_pass_lists_by_round():
    """Every round with public lists, newest first; each with its lists in order (the first,
    then each supplementary one), the newest public version of each."""
    lists = public_pass_lists().select_related("round__city")
    rounds = _newest_of_each_series(
        lists.order_by("-round__publication_at", "round_id", "series", "-version")
    )
    return [(next(iter(series.values())).round, list(series.values())) for series in rounds.values()]


def manage_rows():
    """The administrators' overview: each round, its counts by stage and its newest list."""

    rounds = list(VerificationRound.objects.select_related("city").order_by("-opens_at"))
    counts = round_stage_counts(round_ids=[r.pk for r in rounds])
    latest_lists = {}
    for pass_list in PassList.objects.order_by("round_id", "series", "version"):
        latest_lists[pass_list.round_id] = pass_list
    return [{"round": r, **counts[r.pk], "list": latest_lists.get(r.pk)} for r in rounds]


def open_report_count() -> int:
    return Report.objects.filter(status=ReportStatus.OPEN).count()


def reports_for_administrators():
    """Every report, open ones first."""
    return Report.objects.select_related(
        "entry__application__round", "pass_list__round", "handled_by"
    ).order_by("status", "-created_at")


ENTRY_COLUMNS = ("pk", "position", "name", "gender", "exam", "employer", "masked_id")


def pass_list_entries(*, pass_list):
    """A public list's entries in order, as values (a page shows a hundred)."""
    return pass_list.entries.order_by("position").values(*ENTRY_COLUMNS)


class FoundEntries:
    """A public list's entries found by name or employer, by exam, and by the last four
    characters of the ID number (the part the masked number shows), in order.

    Three characters or more are found anywhere in the name or the employer; one or two (a
    surname, a two-character name) at their start: both are read from the trigram indexes
    (notices migration 0018), which cannot find two characters in the middle of a word.

    Written as SQL: on publication day everyone searches for their own name, and the ORM
    spent more building and compiling this one statement than the database spends answering
    it (~0.5 ms of a search's ~1.5). The same statement runs on SQLite (no trigram indexes
    there), but for the last four characters' expression. A sequence as a Paginator reads it:
    a slice is one SELECT, ``count()`` one COUNT."""

    LAST4 = {"postgresql": "right(masked_id, 4)", "sqlite": "substr(masked_id, -4)"}

    def __init__(self, *, pass_list_id: int, query: str = "", exam: str = "", last4: str = ""):
        like = connection.ops.prep_for_like_query
        where, params = ["pass_list_id = %s"], [pass_list_id]
        if query:
            pattern = f"%{like(query)}%" if len(query) >= 3 else f"{like(query)}%"
            where.append("(name LIKE %s ESCAPE '\\' OR employer LIKE %s ESCAPE '\\')")
            params += [pattern, pattern]
        if exam:
            where.append("exam = %s")
            params.append(exam)
        if len(last4) == 4:  # on its own index (pass_list_id, right(masked_id, 4))
            where.append(f"{self.LAST4[connection.vendor]} = %s")
            params.append(last4.upper())
        elif last4:
            where.append("masked_id LIKE %s ESCAPE '\\'")
            params.append(f"%{like(last4.upper())}")
        self.where, self.params = " AND ".join(where), params

    def sql(self, *, start: int, stop: int) -> tuple[str, list]:
        columns = ", ".join("id" if name == "pk" else name for name in ENTRY_COLUMNS)
        return (
            f"SELECT {columns} FROM notices_passlistentry WHERE {self.where}"
            " ORDER BY position LIMIT %s OFFSET %s",
            [*self.params, stop - start, start],
        )

    def __getitem__(self, rows: slice) -> list[dict]:
        with connection.cursor() as cursor:
            cursor.execute(*self.sql(start=rows.start or 0, stop=rows.stop))
            return [dict(zip(ENTRY_COLUMNS, row, strict=True)) for row in cursor.fetchall()]

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM notices_passlistentry WHERE {self.where}", self.params)
            return cursor.fetchone()[0]


class PositionPaginator(Paginator):
    """Pages of a whole list by position: a list's positions run 1..N without gaps (each
    version is numbered anew), so its count is stored and page 500 is a range on the
    (list, position) index, not an OFFSET over 50,000 rows."""

    def __init__(self, entries, per_page: int, *, count: int):
        super().__init__(entries, per_page)
        self.__dict__["count"] = count

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        # Read when the page is rendered: a kept page is not read at all.
        rows = self.object_list.filter(position__gt=start, position__lte=start + self.per_page)
        return self._get_page(rows, number, self)


def pass_lists_changed(*, round_id: int | None) -> None:
    """A round's lists (or, with None, a city's name) changed: its kept pages and every kept
    public list (``public_pass_list``) are stale."""
    from verification_portal.shared.kept import version_changed

    if round_id is not None:
        version_changed(pass_lists_version_key(round_id=round_id))
    version_changed(PUBLIC_LISTS_VERSION)


# Every public list kept with its round and city (public_pass_list): any list, round or city
# saved changes it (notices.apps), so a withdrawn list is gone on the next view.
PUBLIC_LISTS_VERSION = "public-pass-lists-version"


def public_pass_list(*, pk: int, kept_seconds: int) -> PassList | None:
    """The public list ``pk`` with its round and city, or None; read once per version of the
    public lists (a whole list's kept page is read on every view, and this query with its
    two joins cost more than the rest of the view)."""
    from verification_portal.shared.kept import kept_value

    def read(_tokens) -> tuple[PassList | None, int]:
        found = public_pass_lists().select_related("round__city").filter(pk=pk).first()
        return found, kept_seconds if found is not None else 0

    return kept_value(f"public-pass-list:{pk}", (PUBLIC_LISTS_VERSION,), read)


def pass_lists_version_key(*, round_id: int) -> str:
    """The key of a token for the state of a round's public lists: a kept page of one of them
    names the round and the others, and is kept under it (``notices.apps`` changes it)."""
    return f"pass-lists-version:{round_id}"


def pass_list_surroundings(*, pass_list) -> tuple[list, list[str]]:
    """What a page of a public list shows besides its rows, both kept and read in one round
    trip: the round's public lists (the first and each supplementary one, the newest public
    version of each), under the version of the round's lists; and the exams on the list, for
    good (a public list never changes, a change is a new version; a DISTINCT over 100,000
    rows costs ~30 ms)."""
    from django.core.cache import cache

    from verification_portal.shared.kept import version_tokens_in

    version_key = pass_lists_version_key(round_id=pass_list.round_id)
    lists_key, exams_key = (
        f"pass-list-siblings:{pass_list.round_id}",
        f"pass-list:{pass_list.cache_version}:exams",
    )
    found = cache.get_many([version_key, lists_key, exams_key])
    (version,) = version_tokens_in([version_key], found)
    kept = found.get(lists_key)
    if kept is not None and kept[0] == version:
        siblings = kept[1]
    else:
        lists = public_pass_lists().filter(round_id=pass_list.round_id).order_by("series", "-version")
        siblings = list(_newest_of_each_series(lists).get(pass_list.round_id, {}).values())
        cache.set(lists_key, (version, siblings), timeout=24 * 3600)
    exams = found.get(exams_key)
    if exams is None:
        exams = list(pass_list.entries.order_by("exam").values_list("exam", flat=True).distinct())
        if pass_list.published_at is not None:
            cache.set(exams_key, exams, timeout=24 * 3600)
    return siblings, exams


class FoundPaginator(Paginator):
    """Pages of a search. Most searches find a few people: the first page reads one row more
    than it shows, and when that row is not there the rows read are the count (no COUNT).
    (A window count in the same query would cost more: the planner then reads the whole list
    in position order rather than the matches from the trigram indexes.)"""

    def __init__(self, entries, per_page: int, *, number):
        super().__init__(entries, per_page)
        self.first_rows = None
        if number in (None, "", "1", 1):
            rows = list(entries[: per_page + 1])
            if len(rows) <= per_page:
                self.__dict__["count"] = len(rows)
            self.first_rows = rows[:per_page]

    def page(self, number):
        number = self.validate_number(number)
        if number == 1 and self.first_rows is not None:
            return self._get_page(self.first_rows, 1, self)
        return super().page(number)


def pass_list_page(*, pass_list, per_page: int, number, query: str = "", exam: str = "", last4: str = ""):
    """One page of a public list's entries: a whole list's by position, or what a search by
    name or employer, exam and ID number's last four characters finds (``FoundEntries``)."""
    if query or exam or last4:
        found = FoundEntries(pass_list_id=pass_list.pk, query=query, exam=exam, last4=last4)
        return FoundPaginator(found, per_page, number=number).get_page(number)
    entries = pass_list_entries(pass_list=pass_list)
    return PositionPaginator(entries, per_page, count=pass_list.entry_count).get_page(number)


def earlier_import_of(*, roster_import):
    """The same file imported before into the same round, if it was."""
    return (
        RosterImport.objects.filter(
            round=roster_import.round, sha256=roster_import.sha256, status=ImportStatus.IMPORTED
        )
        .exclude(pk=roster_import.pk)
        .first()
    )


def publication_preview(*, round_) -> dict:
    """What publishing now would do: the first list or a supplementary one, and how many."""
    passed = Application.objects.filter(round=round_, status=S.PASSED)
    listed = PassList.objects.filter(round=round_)
    if not listed.exists():
        return {"first": True, "count": passed.count()}
    already = PassListEntry.objects.filter(pass_list__round=round_).values("application_id")
    return {"first": False, "count": passed.exclude(pk__in=already).count()}


@dataclass
class CertificateCheck:
    """What the public check answers: valid, cancelled or not found, and no more than the
    certificate itself states."""

    state: str  # "valid", "cancelled", "not_found", "file_altered"
    certificate: object | None = None


def certificate_check(*, number: str, name: str = "", code: str = "") -> CertificateCheck:
    """A certificate by its number with the holder's name, or with the code its QR carries.
    The stored electronic certificate's digest is checked too."""
    import hashlib

    from notices.enums import CertificateStatus
    from notices.models import Certificate

    certificate = Certificate.objects.filter(number=number.strip()).select_related("round").first()
    if certificate is None:
        return CertificateCheck("not_found")
    by_code = code and certificate.verification_code and code.strip().upper() == certificate.verification_code
    if not by_code and "".join(name.split()) != "".join(certificate.holder_name.split()):
        return CertificateCheck("not_found")
    if certificate.status in (CertificateStatus.CANCELLED, CertificateStatus.REISSUED):
        return CertificateCheck("cancelled", certificate)
    if certificate.pdf:
        with certificate.pdf.open("rb") as handle:
            if hashlib.sha256(handle.read()).hexdigest() != certificate.pdf_sha256:
                return CertificateCheck("file_altered", certificate)
    return CertificateCheck("valid", certificate)


# The API's reads (``notices.api``): always within the client's cities (None: every city).


def api_rounds(*, city_ids: set[int] | None):
    from candidates.models import VerificationRound

    rounds = (
        VerificationRound.objects.select_related("city").prefetch_related("exams").order_by("-opens_at", "pk")
    )
    return rounds if city_ids is None else rounds.filter(city_id__in=city_ids)


def api_outcomes(
    *,
    city_ids: set[int] | None,
    round_id: int | None = None,
    city_id: int | None = None,
    status: str = "",
    changed_since=None,
    after=None,
    settled_before=None,
    size: int,
) -> list[dict]:
    """Applications past the draft, by (status_changed_at, id): from ``after`` (a
    ``reviews.pagination.Cursor``) on, changed no later than ``settled_before``, so a change
    still committing when a page is read cannot fall behind a cursor already given out."""
    from candidates.enums import ApplicationStatus
    from candidates.models import Application
    from reviews.pagination import beyond

    rows = Application.objects.exclude(status=ApplicationStatus.DRAFT)
    if city_ids is not None:
        rows = rows.filter(city_id__in=city_ids)
    if round_id is not None:
        rows = rows.filter(round_id=round_id)
    if city_id is not None:
        rows = rows.filter(city_id=city_id)
    if status:
        rows = rows.filter(status=status)
    if changed_since is not None:
        rows = rows.filter(status_changed_at__gte=changed_since)
    if settled_before is not None:
        rows = rows.filter(status_changed_at__lte=settled_before)
    if after is not None:
        rows = rows.filter(beyond(after, greater=True))
    return list(
        rows.order_by("status_changed_at", "pk").values(
            "pk",
            "round_id",
            "round__exam_year",
            "city__code",
            "exam__code",
            "candidate__real_name",
            "candidate__id_number",
            "status",
            "status_changed_at",
        )[:size]
    )


def api_pass_lists(*, city_ids: set[int] | None, round_id: int | None = None):
    lists = public_pass_lists().order_by("pk")
    if city_ids is not None:
        lists = lists.filter(round__city_id__in=city_ids)
    if round_id is not None:
        lists = lists.filter(round_id=round_id)
    return lists


def api_pass_list_entries(*, pass_list, after: int, size: int, full_ids: bool) -> list[dict]:
    fields = ["position", "name", "gender", "exam", "employer", "masked_id"]
    if full_ids:
        fields.append("application__candidate__id_number")
    return list(pass_list.entries.filter(position__gt=after).order_by("position").values(*fields)[:size])


def api_certificates(
    *,
    city_ids: set[int] | None,
    round_id: int | None = None,
    status: str = "",
    after: int = 0,
    size: int = 100,
):
    from notices.models import Certificate

    certificates = Certificate.objects.filter(pk__gt=after).order_by("pk")
    if city_ids is not None:
        certificates = certificates.filter(round__city_id__in=city_ids)
    if round_id is not None:
        certificates = certificates.filter(round_id=round_id)
    if status:
        certificates = certificates.filter(status=status)
    return list(certificates[:size])
