"""公示: the public pass list of a round, its files, the objection period and reports.

A round is published once: the list row is created under a lock on the round, so two
workers (or the job run twice) publish one list. Its entries are copied with one
INSERT … SELECT; the .xlsx is written in openpyxl's write-only mode; the PDF is drawn
(``pass_list_pdf``) in parts of ``PORTAL_PDF_CHUNK_ROWS`` rows, one Celery task each (so
the workers render them side by side with bounded memory), and merged when all are there.
The list is public once both files exist. Re-running any step redoes only what is missing.
"""

import datetime
import hashlib
import io
import secrets
import tempfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from pypdf import PdfWriter

from candidates.enums import ApplicationStatus, Event
from candidates.models import Application, VerificationRound
from candidates.permissions import is_administrator
from candidates.services.applications import application_transition
from candidates.spreadsheets import text_safe_row
from notices.enums import PassListStatus, ReportStatus
from notices.models import PassList, PassListEntry, Report
from notices.services.pass_list_pdf import pass_list_pdf_part
from verification_portal.shared.audit import audit_record
from verification_portal.shared.jobs import enqueue_on_commit

XLSX_HEADERS = ["序号", "姓名", "性别", "考试", "工作单位", "身份证号"]
STALE_AFTER = datetime.timedelta(minutes=10)

ENTRIES_FROM_APPLICATIONS = """
INSERT INTO notices_passlistentry
    (pass_list_id, position, application_id, name, gender, exam, employer, masked_id)
SELECT %(list)s, row_number() OVER (ORDER BY e.name, a.id), a.id, p.real_name,
       CASE p.gender WHEN 'M' THEN '男' ELSE '女' END, e.name, COALESCE(o.name, ''),
       substr(p.id_number, 1, 6) || '********' || substr(p.id_number, 15, 4)
FROM candidates_application a
JOIN candidates_candidateprofile p ON p.id = a.candidate_id
JOIN candidates_exam e ON e.id = a.exam_id
LEFT JOIN candidates_organisation o ON o.id = a.employer_id
WHERE a.round_id = %(round)s AND a.status = %(status)s
"""
# Those passed who are on none of the round's lists yet (any series, any version): the
# supplementary list's people. One withdrawn after an upheld report is on an earlier
# version, so never comes back.
NOT_LISTED_YET = """
  AND NOT EXISTS (
    SELECT 1 FROM notices_passlistentry pe JOIN notices_passlist pl ON pl.id = pe.pass_list_id
    WHERE pl.round_id = %(round)s AND pe.application_id = a.id
  )
"""


def entries_indexed() -> None:
    """A new list's rows searchable from the start (PostgreSQL): merged into the trigram
    indexes, not left in their pending lists, which every search would read row by row until
    the next vacuum; and the table analysed, so searches of the new list are planned on the
    indexes. Run by the list's .xlsx task, before the list can be public (it waits for its
    files), not in the request of an administrator's "publish now" or report decision."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT gin_clean_pending_list('pass_entry_name_trgm'::regclass),"
            " gin_clean_pending_list('pass_entry_employer_trgm'::regclass)"
        )
        cursor.execute("ANALYZE notices_passlistentry")


def _create_list(
    *, round_: VerificationRound, series: int, now: datetime.datetime, only_new: bool
) -> PassList:
    pass_list = PassList.objects.create(
        round=round_, series=series, version=1, created_at=now, heartbeat_at=now
    )
    with connection.cursor() as cursor:
        cursor.execute(
            ENTRIES_FROM_APPLICATIONS + (NOT_LISTED_YET if only_new else ""),
            {"list": pass_list.pk, "round": round_.pk, "status": ApplicationStatus.PASSED},
        )
    pass_list.entry_count = pass_list.entries.count()
    pass_list.save(update_fields=["entry_count"])
    audit_record(
        actor=None,
        action="pass_list.create",
        target=pass_list,
        data={"entries": pass_list.entry_count, "series": series},
    )
    _enqueue_files(pass_list)
    return pass_list


def pass_list_publish(*, round_: VerificationRound, now: datetime.datetime | None = None) -> PassList | None:
    """Create the round's first list if it is due and none exists. Safe to run twice at once."""
    now = now or timezone.now()
    if round_.publication_at is None or round_.publication_at > now:
        return None
    with transaction.atomic():
        VerificationRound.objects.select_for_update().get(pk=round_.pk)
        existing = round_.pass_lists.order_by("series", "version").first()
        if existing is not None:
            return existing
        return _create_list(round_=round_, series=1, now=now, only_new=False)


def round_publication_set(
    *, round_: VerificationRound, user, publication_at: datetime.datetime | None
) -> VerificationRound:
    """The administrator sets (or clears) when the round's first list is published. Once the
    list exists its time is history and cannot change."""
    if not is_administrator(user):
        raise PermissionDenied
    with transaction.atomic():
        locked = VerificationRound.objects.select_for_update().get(pk=round_.pk)
        if locked.pass_lists.exists():
            raise ValidationError(_("本轮公示名单已生成，公示时间不能再修改。"), code="published")
        before = locked.publication_at
        locked.publication_at = publication_at
        locked.save(update_fields=["publication_at"])
        audit_record(
            actor=user,
            action="round.publication_set",
            target=locked,
            data={
                "before": before.isoformat() if before else None,
                "after": publication_at.isoformat() if publication_at else None,
            },
        )
    return locked


def round_publish_now(
    *, round_: VerificationRound, user, now: datetime.datetime | None = None
) -> PassList | None:
    """Publish now, confirmed by the administrator: the first list (its publication time
    becomes now), or else a supplementary list of those passed since."""
    if not is_administrator(user):
        raise PermissionDenied
    now = now or timezone.now()
    if round_.pass_lists.exists():
        return pass_list_publish_supplementary(round_=round_, now=now, wait=False)
    if round_.publication_at is None or round_.publication_at > now:
        round_ = round_publication_set(round_=round_, user=user, publication_at=now)
    return pass_list_publish(round_=round_, now=now)


def pass_list_publish_supplementary(
    *, round_: VerificationRound, now: datetime.datetime | None = None, wait: bool = True
) -> PassList | None:
    """补充公示: put those passed after the round's lists were made (a late decision, an
    appeal won, a supplement) on a new list with its own objection period, by the same rules
    as the first. None when nobody is waiting, when a list of the round is still being made,
    or (``wait``, the periodic job) when the newest list is younger than
    ``PORTAL_SUPPLEMENTARY_LIST_HOURS``, so late passes are published in daily batches.
    Safe to run twice at once."""
    now = now or timezone.now()
    with transaction.atomic():
        VerificationRound.objects.select_for_update().get(pk=round_.pk)
        lists = round_.pass_lists.all()
        newest = lists.order_by("-created_at").first()
        if newest is None or lists.filter(status=PassListStatus.GENERATING).exists():
            return None
        if wait and newest.created_at > now - datetime.timedelta(
            hours=settings.PORTAL_SUPPLEMENTARY_LIST_HOURS
        ):
            return None
        waiting = Application.objects.filter(round=round_, status=ApplicationStatus.PASSED).exclude(
            pk__in=PassListEntry.objects.filter(pass_list__round=round_).values("application_id")
        )
        if not waiting.exists():
            return None
        series = max(p.series for p in lists) + 1
        return _create_list(round_=round_, series=series, now=now, only_new=True)


def _chunk_count(pass_list: PassList) -> int:
    return max(1, -(-pass_list.entry_count // settings.PORTAL_PDF_CHUNK_ROWS))


def _enqueue_files(pass_list: PassList) -> None:
    enqueue_on_commit("notices.render_pass_list_xlsx", pass_list_id=pass_list.pk)
    for chunk in range(_chunk_count(pass_list)):
        enqueue_on_commit("notices.render_pass_list_pdf_chunk", pass_list_id=pass_list.pk, chunk=chunk)


def _touch(pass_list: PassList) -> None:
    PassList.objects.filter(pk=pass_list.pk).update(heartbeat_at=timezone.now())


def _rows(pass_list: PassList, start: int = 0, stop: int | None = None):
    entries = pass_list.entries.filter(position__gt=start)
    if stop is not None:
        entries = entries.filter(position__lte=stop)
    return entries.order_by("position").values_list(
        "position", "name", "gender", "exam", "employer", "masked_id"
    )


def pass_list_render_xlsx(*, pass_list: PassList) -> PassList:
    if pass_list.xlsx:
        return pass_list
    _touch(pass_list)
    entries_indexed()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("公示名单"))
    sheet.append(text_safe_row(sheet, [f"{pass_list.round.name}（第 {pass_list.version} 版）"]))
    sheet.append(XLSX_HEADERS)
    for row in _rows(pass_list).iterator(chunk_size=5000):
        sheet.append(text_safe_row(sheet, row))
    with tempfile.TemporaryFile() as out:
        book.save(out)
        out.seek(0)
        pass_list.xlsx.save("pass-list.xlsx", File(out), save=False)
    PassList.objects.filter(pk=pass_list.pk).update(xlsx=pass_list.xlsx.name)
    pass_list_complete_if_ready(pass_list.pk)
    return pass_list


def pass_list_render_pdf_chunk(*, pass_list: PassList, chunk: int) -> None:
    """Render rows chunk*N+1 … (chunk+1)*N as one PDF part (``pass_list_pdf``)."""
    key = str(chunk)
    if key in (pass_list.pdf_chunks or {}):
        return
    _touch(pass_list)
    start = chunk * settings.PORTAL_PDF_CHUNK_ROWS
    round_ = pass_list.round
    phones = round_.contact_phones or round_.city.verification_phone
    where = "，".join(
        part
        for part in (
            f"电话 {phones}" if phones else "",
            f"地址 {round_.contact_address}" if round_.contact_address else "",
        )
        if part
    )
    report_url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("notices:pass_lists")
    pdf = pass_list_pdf_part(
        title=f"{round_.name} · {pass_list.title}（第 {pass_list.version} 版）",
        note=(
            f"公示期为发布之日起 {settings.PORTAL_OBJECTION_DAYS} 天。"
            "对名单中人员的报考条件有异议的，请在公示期内实名或匿名举报："
            f"在 {report_url} 打开本名单，点击该人员后的“举报”，提交后凭举报编号查询处理结果；"
            f"也可向{round_.city}人力资源和社会保障局反映{f'（{where}）' if where else ''}。"
        ),
        footer=f"{round_.name} · {pass_list.title}（第 {pass_list.version} 版）",
        total=pass_list.entry_count,
        rows=_rows(pass_list, start, start + settings.PORTAL_PDF_CHUNK_ROWS).iterator(chunk_size=5000),
        first=chunk == 0,
    )
    name = f"publications/{pass_list.pk}/part-{chunk:04d}.pdf"
    from django.core.files.storage import default_storage

    stored = default_storage.save(name, ContentFile(pdf))
    with transaction.atomic():
        locked = PassList.objects.select_for_update().get(pk=pass_list.pk)
        chunks = dict(locked.pdf_chunks or {})
        chunks[key] = stored
        locked.pdf_chunks = chunks
        locked.save(update_fields=["pdf_chunks"])
    pass_list_complete_if_ready(pass_list.pk)


def pass_list_complete_if_ready(pass_list_id: int) -> None:
    """Merge the PDF parts and make the list public once every file exists."""
    from django.core.files.storage import default_storage

    with transaction.atomic():
        pass_list = PassList.objects.select_for_update().get(pk=pass_list_id)
        expected = _chunk_count(pass_list)
        chunks = pass_list.pdf_chunks or {}
        if not pass_list.pdf and len(chunks) == expected:
            writer = PdfWriter()
            for index in range(expected):
                with default_storage.open(chunks[str(index)], "rb") as part:
                    writer.append(io.BytesIO(part.read()))
            out = io.BytesIO()
            writer.write(out)
            pass_list.pdf.save("pass-list.pdf", ContentFile(out.getvalue()), save=False)
            pass_list.save(update_fields=["pdf"])
        if pass_list.status == PassListStatus.GENERATING and pass_list.pdf and pass_list.xlsx:
            now = timezone.now()
            pass_list_transition(
                pass_list=pass_list,
                to=PassListStatus.PUBLISHED,
                now=now,
                changes={
                    "published_at": now,
                    "objection_ends_at": now + datetime.timedelta(days=settings.PORTAL_OBJECTION_DAYS),
                },
            )
            older = PassList.objects.select_for_update().filter(
                round_id=pass_list.round_id, series=pass_list.series, version__lt=pass_list.version
            )
            for earlier in older.exclude(status__in=[PassListStatus.SUPERSEDED, PassListStatus.GENERATING]):
                pass_list_transition(pass_list=earlier, to=PassListStatus.SUPERSEDED, now=now)
            enqueue_on_commit("candidates.anchor_audit_chain", reason=f"pass_list {pass_list.pk} published")


def pass_list_resume_stale(*, now: datetime.datetime | None = None) -> list[int]:
    """Re-queue the missing files of lists whose worker stopped (no heartbeat lately)."""
    now = now or timezone.now()
    stale = PassList.objects.filter(status=PassListStatus.GENERATING, heartbeat_at__lt=now - STALE_AFTER)
    resumed = []
    for pass_list in stale:
        _touch(pass_list)
        if not pass_list.xlsx:
            enqueue_on_commit("notices.render_pass_list_xlsx", pass_list_id=pass_list.pk)
        expected = _chunk_count(pass_list)
        for chunk in range(expected):
            if str(chunk) not in (pass_list.pdf_chunks or {}):
                enqueue_on_commit(
                    "notices.render_pass_list_pdf_chunk", pass_list_id=pass_list.pk, chunk=chunk
                )
        enqueue_on_commit("notices.complete_pass_list", pass_list_id=pass_list.pk)
        resumed.append(pass_list.pk)
    return resumed


# A pass list's moves: made, then public, then final when its objection period ends; a newer
# version of the same list supersedes it.
PASS_LIST_MOVES = {
    PassListStatus.GENERATING: {PassListStatus.PUBLISHED},
    PassListStatus.PUBLISHED: {PassListStatus.FINAL, PassListStatus.SUPERSEDED},
    PassListStatus.FINAL: {PassListStatus.SUPERSEDED},
}


def pass_list_transition(
    *, pass_list: PassList, to: str, now: datetime.datetime, changes: dict | None = None
) -> None:
    """Move one list (locked by the caller's transaction), with its audit event."""
    if to not in PASS_LIST_MOVES.get(pass_list.status, set()):
        raise ValueError(f"pass list {pass_list.pk}: {pass_list.status} -> {to} is not a move")
    previous = pass_list.status
    pass_list.status = to
    for field, value in (changes or {}).items():
        setattr(pass_list, field, value)
    pass_list.save(update_fields=["status", *(changes or {})])
    audit_record(
        actor=None,
        action=f"pass_list.{to}",
        target=pass_list,
        data={
            "from": previous,
            "series": pass_list.series,
            "version": pass_list.version,
            "entries": pass_list.entry_count,
        },
    )


def pass_list_finalize_due(*, now: datetime.datetime | None = None) -> int:
    """公示期满: published lists whose objection period ended become final."""
    now = now or timezone.now()
    finalized = 0
    with transaction.atomic():
        due = PassList.objects.select_for_update(skip_locked=True).filter(
            status=PassListStatus.PUBLISHED, objection_ends_at__lte=now
        )
        for pass_list in due:
            pass_list_transition(
                pass_list=pass_list, to=PassListStatus.FINAL, now=now, changes={"final_at": now}
            )
            # The list is final: its people get their certificates registered.
            enqueue_on_commit("notices.issue_certificates", pass_list_id=pass_list.pk)
            finalized += 1
    return finalized


def _address_hash(address: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def report_reference(now: datetime.datetime) -> str:
    """JB + date + 8 random characters: unguessable, so the number alone shows the outcome."""
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"JB{timezone.localtime(now):%Y%m%d}{suffix}"


def report_submit(
    *, entry: PassListEntry, address: str, contact: str, text: str, name: str = "", now=None
) -> Report:
    """A member of the public reports a listed person, during the objection period only."""
    now = now or timezone.now()
    pass_list = entry.pass_list
    if (
        pass_list.status != PassListStatus.PUBLISHED
        or not pass_list.objection_ends_at
        or now >= pass_list.objection_ends_at
    ):
        raise ValidationError(_("公示期已结束或该名单不在公示中，不能举报。"), code="period")
    address_hash = _address_hash(address)
    # Counted in the database, where the reports are: exact across web processes, and the
    # form keeps working when Redis is down.
    recent = Report.objects.filter(
        address_hash=address_hash, created_at__gt=now - datetime.timedelta(hours=1)
    )
    if recent.count() >= settings.PORTAL_REPORTS_PER_HOUR:
        raise ValidationError(_("提交过于频繁，请一小时后再试。"), code="throttled")
    text, contact = text.strip(), contact.strip()
    errors = {}
    if len(text) < 10:
        errors["text"] = _("请写明举报的具体问题（至少 10 个字）。")
    if not contact:
        errors["contact"] = _("请留下联系方式，以便核实。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = Report.objects.create(
            pass_list=pass_list,
            entry=entry,
            reference=report_reference(now),
            reporter_name=name.strip()[:50],
            reporter_contact=contact[:100],
            text=text,
            address_hash=address_hash,
            created_at=now,
        )
        audit_record(actor=None, action="report.submit", target=report, application=entry.application)
    return report


def report_handle(*, report: Report, user, upheld: bool, outcome: str, now=None) -> Report:
    """Record the outcome. An upheld report fails the person and publishes a new list
    version without them; the earlier version is kept."""
    now = now or timezone.now()
    if not is_administrator(user):
        raise PermissionDenied
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError({"outcome": _("请填写处理结果。")})
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update()
            .select_related("entry__application", "pass_list")
            .get(pk=report.pk)
        )
        if locked.status != ReportStatus.OPEN:
            raise ValidationError(_("该举报已处理。"), code="handled")
        locked.status = ReportStatus.UPHELD if upheld else ReportStatus.DISMISSED
        locked.outcome = outcome
        locked.handled_by = user
        locked.handled_at = now
        locked.save(update_fields=["status", "outcome", "handled_by", "handled_at"])
        audit_record(
            actor=user,
            action="report.handle",
            target=locked,
            application=locked.entry.application,
            data={"upheld": upheld, "outcome": outcome},
        )
        if upheld:
            application = Application.objects.select_related("candidate__user").get(
                pk=locked.entry.application_id
            )
            if application.status == ApplicationStatus.PASSED:
                application_transition(
                    application=application,
                    event=Event.WITHDRAW_AFTER_REPORT,
                    actor=user,
                    reason=outcome,
                    now=now,
                    data={"report": locked.pk},
                )
            _new_version_without(locked.pass_list, application_id=locked.entry.application_id, reason=outcome)
    return locked


def _new_version_without(pass_list: PassList, *, application_id: int, reason: str) -> PassList:
    """The next version of the same list (series), from its latest version: whoever an
    earlier upheld report withdrew stays withdrawn."""
    latest = pass_list.round.pass_lists.filter(series=pass_list.series).order_by("-version").first()
    new = PassList.objects.create(
        round=pass_list.round,
        series=pass_list.series,
        version=latest.version + 1,
        reason=reason[:300],
        heartbeat_at=timezone.now(),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO notices_passlistentry (pass_list_id, position, application_id, name, gender, exam,"
            " employer, masked_id)"
            " SELECT %s, row_number() OVER (ORDER BY position), application_id, name, gender, exam, employer,"
            " masked_id FROM notices_passlistentry WHERE pass_list_id = %s AND application_id <> %s",
            [new.pk, latest.pk, application_id],
        )
    new.entry_count = new.entries.count()
    new.save(update_fields=["entry_count"])
    _enqueue_files(new)
    return new


def pass_list_withdraw(*, application_id: int, round_, reason: str) -> list[PassList]:
    """A new version, without the person, of each of the round's lists whose latest version
    names them; the earlier versions are kept."""
    made = []
    for series in round_.pass_lists.values_list("series", flat=True).distinct():
        latest = round_.pass_lists.filter(series=series).order_by("-version").first()
        if latest.entries.filter(application_id=application_id).exists():
            made.append(_new_version_without(latest, application_id=application_id, reason=reason))
    return made
