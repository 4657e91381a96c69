"""Running a round: closing its window, the supplementary round, the results export."""

import datetime
import tempfile
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook

from candidates.enums import ApplicationStatus, ExamHalf, RosterStatus, RoundKind
from candidates.models import Application, CandidateProfile, RosterEntry, VerificationRound
from candidates.permissions import is_administrator
from candidates.selectors import dashboard_changed
from candidates.services.messages import message_send, phrase
from candidates.spreadsheets import text_safe_row
from notices.models import ExportFile
from reviews.enums import DecisionKind, FailReason
from reviews.models import Decision
from verification_portal.shared.audit import audit_record
from verification_portal.shared.jobs import enqueue_on_commit

EXPORT_HEADERS = [
    "序号",
    "姓名",
    "性别",
    "身份证号",
    "考试",
    "考试年度",
    "市州",
    "工作单位",
    "统一社会信用代码",
    "学历",
    "核查结果",
    "结果时间",
    "不通过原因",
]


def round_close_windows(
    *, now: datetime.datetime | None = None, round_: VerificationRound | None = None
) -> int:
    """When a window has closed, roster entries with no submission become 未按期参加; in a
    supplementary round, the year's last verification (seed 003), they become 视为放弃 and the
    person is told. Idempotent: only entries still expected are touched."""
    now = now or timezone.now()
    submitted = Application.objects.filter(roster_entry=OuterRef("pk")).exclude(
        status__in=[ApplicationStatus.DRAFT, ApplicationStatus.VOID]
    )
    missed = RosterEntry.objects.filter(status=RosterStatus.EXPECTED, round__closes_at__lte=now).exclude(
        Exists(submitted)
    )
    if round_ is not None:  # one round (the administrator's button); the periodic job does all
        missed = missed.filter(round=round_)
    absent = missed.exclude(round__kind=RoundKind.SUPPLEMENTARY).update(status=RosterStatus.ABSENT)
    with transaction.atomic():
        gave_up = list(
            missed.filter(round__kind=RoundKind.SUPPLEMENTARY)
            .select_for_update()
            .select_related("round", "exam")
        )
        RosterEntry.objects.filter(pk__in=[entry.pk for entry in gave_up]).update(status=RosterStatus.GAVE_UP)
        if absent or gave_up:  # updated in bulk, past the signals that tell the kept dashboards
            dashboard_changed(user_id=None)
        holders = {
            profile.id_number: profile
            for profile in CandidateProfile.objects.filter(
                id_number__in=[entry.id_number for entry in gave_up],
                phone_verified_at__isnull=False,
                released_at__isnull=True,
            ).select_related("user")
        }
        for entry in gave_up:
            audit_record(actor=None, action="roster.gave_up", target=entry, data={"round": entry.round_id})
            profile = holders.get(entry.id_number)
            if profile is not None:
                message_send(
                    recipient=profile.user,
                    subject=phrase(gettext_noop("未按期参加补充资格核查，视为放弃")),
                    body=phrase(
                        gettext_noop(
                            "{round}已于 {when} 截止，您未按要求申报。补充资格核查为当年度最后一次资格核查，"
                            "您的{year}年度{exam}考试资格视为放弃，不再受理资格核查申请。"
                        ),
                        round=entry.round.name,
                        when=timezone.localtime(entry.round.closes_at).strftime("%Y-%m-%d %H:%M"),
                        year=entry.exam_year,
                        exam=entry.exam.name,
                    ),
                )
    return absent + len(gave_up)


@dataclass(frozen=True)
class SupplementaryTiming:
    half: str
    opens_at: datetime.datetime
    closes_at: datetime.datetime


def exam_half_of(round_: VerificationRound) -> str:
    """When the round's exams were held: as recorded, else as its name says."""
    if round_.exam_half:
        return round_.exam_half
    if "上半年" in round_.name:
        return ExamHalf.FIRST
    if "下半年" in round_.name:
        return ExamHalf.SECOND
    return ""


def supplementary_default_timing(round_: VerificationRound) -> SupplementaryTiming | None:
    """Changsha's rule (seed 002): supplementary rounds for exams held in the first half of
    the year fall in late December; for the second half, in late April of the next year.
    Offered as the form's default dates (a week from the 21st), to be checked against the
    notice; None when the half is unknown."""
    half = exam_half_of(round_)
    if not half:
        return None
    year, month = (round_.exam_year, 12) if half == ExamHalf.FIRST else (round_.exam_year + 1, 4)
    zone = timezone.get_current_timezone()
    return SupplementaryTiming(
        half=half,
        opens_at=datetime.datetime(year, month, 21, 9, 0, tzinfo=zone),
        closes_at=datetime.datetime(year, month, 27, 17, 0, tzinfo=zone),
    )


def supplementary_round_create(
    *,
    round_: VerificationRound,
    user,
    name: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    publication_at: datetime.datetime | None = None,
) -> tuple[VerificationRound, int, int]:
    """补办: a new round for those who did not take part. Anyone who already failed
    verification of the same exam and year for not meeting the conditions is excluded.
    Returns the round, the number of entries carried over and the number excluded."""
    if not is_administrator(user):
        raise PermissionDenied
    if round_.kind == RoundKind.SUPPLEMENTARY:
        raise ValidationError(
            _("补充资格核查为当年度最后一次资格核查，不能再从补办轮次创建新的补办轮次。"), code="last"
        )
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": _("截止时间须晚于开始时间。")})
    if round_.closes_at > timezone.now():
        raise ValidationError(_("本轮申报尚未截止，不能创建补办轮次。"), code="open")
    failed = Application.objects.filter(
        candidate__id_number=OuterRef("id_number"),
        exam_id=OuterRef("exam_id"),
        roster_entry__exam_year=OuterRef("exam_year"),
        status=ApplicationStatus.FAILED,
    )
    with transaction.atomic():
        round_close_windows(round_=round_)
        absent = RosterEntry.objects.filter(round=round_, status=RosterStatus.ABSENT)
        excluded = absent.filter(Exists(failed)).count()
        carried = list(absent.exclude(Exists(failed)))
        supplementary = VerificationRound.objects.create(
            name=name,
            city=round_.city,
            exam_year=round_.exam_year,
            kind=RoundKind.SUPPLEMENTARY,
            parent=round_,
            opens_at=opens_at,
            closes_at=closes_at,
            publication_at=publication_at,
            work_cutoff=round_.work_cutoff,
            exam_half=round_.exam_half,
            score_released_on=round_.score_released_on,
            contact_phones=round_.contact_phones,
            contact_address=round_.contact_address,
        )
        supplementary.exams.set(round_.exams.all())
        RosterEntry.objects.bulk_create(
            RosterEntry(
                round=supplementary,
                name=entry.name,
                id_number=entry.id_number,
                exam_id=entry.exam_id,
                exam_year=entry.exam_year,
                city_id=entry.city_id,
                reason=entry.reason,
                phone=entry.phone,
                level=entry.level,
                specialty=entry.specialty,
                score=entry.score,
                admission_number=entry.admission_number,
                archive_number=entry.archive_number,
                addition=entry.addition,
            )
            for entry in carried
        )
        audit_record(
            actor=user,
            action="round.supplementary",
            target=supplementary,
            data={"parent": round_.pk, "carried": len(carried), "excluded": excluded},
        )
    return supplementary, len(carried), excluded


def results_export_request(*, round_: VerificationRound, user) -> ExportFile:
    if not is_administrator(user):
        raise PermissionDenied
    export = ExportFile.objects.create(round=round_, requested_by=user)
    enqueue_on_commit("notices.render_export", export_id=export.pk)
    return export


def results_export_render(*, export: ExportFile) -> ExportFile:
    """The round's results for the province (columns in EXPORT_HEADERS): passed, failed, and
    报考条件待核查 (cases still open are reported as such, Henan seed 003). Idempotent."""
    if export.file:
        return export
    results = {
        row[0]: row[1:]
        for row in Decision.objects.filter(
            application__round=export.round,
            kind__in=[
                DecisionKind.PASS,
                DecisionKind.FAIL,
                DecisionKind.PENDING,
                DecisionKind.APPEAL_OVERTURNED,
                DecisionKind.APPEAL_UPHELD,
            ],
        )
        .order_by("application_id", "created_at")
        .values_list("application_id", "created_at", "reason_code")
    }
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("核查结果"))
    sheet.append(EXPORT_HEADERS)
    applications = (
        Application.objects.filter(
            round=export.round,
            status__in=[
                ApplicationStatus.PASSED,
                ApplicationStatus.FAILED,
                ApplicationStatus.PENDING_CONDITIONS,
            ],
        )
        .select_related("candidate", "exam", "city", "employer", "roster_entry")
        .order_by("exam__name", "candidate__real_name", "pk")
    )
    count = 0
    for count, application in enumerate(applications.iterator(chunk_size=2000), start=1):
        decided_at, reason_code = results.get(application.pk, (application.status_changed_at, ""))
        candidate = application.candidate
        sheet.append(
            text_safe_row(
                sheet,
                [
                    count,
                    candidate.real_name,
                    candidate.get_gender_display(),
                    candidate.id_number,
                    application.exam.name,
                    application.roster_entry.exam_year,
                    application.city.name,
                    application.employer.name if application.employer else "",
                    application.employer.credit_code if application.employer else "",
                    application.get_education_level_display(),
                    application.get_status_display(),
                    timezone.localtime(decided_at).strftime("%Y-%m-%d %H:%M"),
                    str(FailReason(reason_code).label) if reason_code in FailReason.values else "",
                ],
            )
        )
    return export_store(export=export, book=book, name="results.xlsx", rows=count)


def export_store(*, export: ExportFile, book, name: str, rows: int) -> ExportFile:
    """Store a finished workbook as the export's file, with its row count."""
    with tempfile.TemporaryFile() as out:
        book.save(out)
        out.seek(0)
        export.file.save(name, File(out), save=False)
    export.rows = rows
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "rows", "finished_at"])
    return export
