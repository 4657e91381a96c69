"""Roster import (附件1): validate every row, show what was rejected, import on confirmation.

The file is read with python-calamine (a Rust reader) row by row; valid rows stream
into a staging table through PostgreSQL COPY, rejected rows into an .xlsx written in
openpyxl's write-only mode, so memory stays flat whatever the row count. Confirming
copies the staged rows into the roster with one INSERT … SELECT … ON CONFLICT DO
NOTHING: importing the same file twice changes nothing the second time.

The steps: upload → inspect (find the header row and map its columns by the usual names
and those administrators mapped before) → the administrator checks or corrects the
mapping → validate → confirm. The columns are described in the README.
"""

import datetime
import hashlib
import itertools
import tempfile
import unicodedata
from functools import lru_cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric

from candidates.enums import IdType, RosterReason, RosterStatus
from candidates.models import IntegrityRecord, RosterEntry, VerificationRound
from candidates.permissions import is_administrator
from candidates.selectors import dashboard_changed
from candidates.services.integrity import bar_refusal
from candidates.spreadsheets import text_safe_row
from candidates.validators import PHONE_RE, PROVINCES, clean_name, id_type_of
from notices.enums import ImportStatus
from notices.models import RosterHeaderAlias, RosterImport, RosterStagingRow
from notices.services.roster_layout import (
    FACTS,
    FIELDS,
    REQUIRED,
    SYNONYMS,
    Layout,
    canonical,
    field_for,
    file_kind,
    find_layout,
    label_of,
    open_rows,
)
from verification_portal.shared.audit import audit_record
from verification_portal.shared.jobs import enqueue_on_commit

HEADERS = ["姓名", "身份证号", "考试", "考试年度", "市州", "核查原因"]
FIELD_LABELS = dict(
    zip(
        FIELDS,
        [*HEADERS, "手机号码", "报考级别", "报考专业", "考试成绩", "准考证号", "档案号", "增项"],
        strict=True,
    )
)
SAMPLE_ROWS = 3
PREVIEW_ROWS = 100
# Longest text each optional fact may hold (the roster's columns).
FACT_LENGTHS = {"level": 20, "specialty": 60, "score": 60, "admission_number": 30, "archive_number": 30}
ADDITION_WORDS = {"是", "增项", "1", "Y", "YES", "TRUE", "√", "✓"}
PROGRESS_EVERY = 5000
REASON_CODES = set(RosterReason.values)
# The reason written out, as rosters often have it: phrases that name each code.
REASON_PHRASES = [
    ("4", ("未选择告知承诺",)),
    ("3", ("不适用告知承诺",)),
    ("5", ("撤回承诺",)),
    ("2", ("免试",)),
    ("1", ("在线服务平台", "平台无法核查", "核查不通过", "无法核查")),
    ("6", ("其他", "其它", "异常")),
]


def reason_code(value: str) -> str:
    """A reason given as its code (1–6) or in words; '' when neither."""
    if value in REASON_CODES:
        return value
    value = "".join(unicodedata.normalize("NFKC", value).split())
    if value in REASON_CODES:
        return value
    for code, phrases in REASON_PHRASES:
        if any(phrase in value for phrase in phrases):
            return code
    return ""


@lru_cache(maxsize=16384)
def _area_known(area: str, year: int) -> bool:
    """Whether the region code existed in that birth year (python-stdnum's table)."""
    try:
        ric.get_birth_place(f"{area}{year:04d}01010000")
    except (stdnum_exceptions.ValidationError, KeyError):
        # python-stdnum raises KeyError for prefecture-level codes with no county part.
        return False
    return True


def id_number_problem(value: str, today: datetime.date) -> str | None:
    """The reason an ID number is refused, or None. The same checks as registration,
    with the region lookup cached: a roster repeats a few hundred region codes."""
    number = value.strip().upper()
    if len(number) != 18:
        return _("身份证号应为 18 位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return _("身份证号格式不正确")
    if ric.calc_check_digit(number) != number[17]:
        return _("身份证号校验位不正确")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("身份证号中的出生日期无效")
    if birth > today:
        return _("身份证号中的出生日期晚于今天")
    id_type = id_type_of(number)
    if id_type == IdType.FOREIGN_PERMANENT:
        return None if number[1:3] in PROVINCES else _("身份证号中的地区码无效")
    if id_type == IdType.HMT_RESIDENCE:
        return None  # region 810000/820000/830000: no county code to look up
    if not _area_known(number[:6], birth.year):
        return _("身份证号中的地区码无效")
    return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class RowValidator:
    """Validates roster rows for one round; remembers keys seen in the file."""

    def __init__(self, round_: VerificationRound, today: datetime.date):
        self.round = round_
        self.today = today
        self.exams = {}
        for exam in round_.exams.all():
            self.exams[exam.name] = exam.pk
            self.exams[exam.code] = exam.pk
        # Columns the round fixes may be left out of the file: taken from the round.
        only_exam = list(round_.exams.all()[:2])
        self.default_exam = only_exam[0].name if len(only_exam) == 1 else ""
        self.default_year = str(round_.exam_year)
        self.default_city = round_.city.name
        city = round_.city
        self.city_names = {city.name, f"{city.name}市", city.code}
        self.existing = set(RosterEntry.objects.filter(round=round_).values_list("id_number", "exam_id"))
        # People barred by an integrity record (a small table): their rows are flagged.
        self.barred = {
            record.id_number: record
            for record in IntegrityRecord.objects.filter(bar_until__gt=today).order_by("bar_until")
        }
        self.seen: dict[tuple[str, int], int] = {}
        self.name_label = _("姓名")  # translated once, not once a row

    def check(self, row_number: int, cells: list) -> tuple[tuple | None, str | None]:
        """(staging row, None) when valid, (None, reason) when not."""
        if len(cells) < len(FIELDS):
            cells = cells + [None] * (len(FIELDS) - len(cells))
        raw_id = cells[1]
        name, id_number, exam, year, city, reason, phone, *facts = (
            c.strip() if c.__class__ is str else ("" if c is None else _text(c)) for c in cells
        )
        exam = exam or (self.default_exam if cells[2] is None else exam)
        year = year or (self.default_year if cells[3] is None else year)
        city = city or (self.default_city if cells[4] is None else city)
        if not name:
            return None, _("缺少姓名")
        if isinstance(raw_id, (int, float)):
            return None, _("身份证号被存成了数字（末几位已丢失），请将身份证号列设为文本后重新导出")
        if not id_number.isascii():
            id_number = unicodedata.normalize("NFKC", id_number)  # full-width digits
        reason = reason_code(reason)
        try:
            name = clean_name(name, label=self.name_label)
        except ValidationError as error:
            return None, error.messages[0]
        problem = id_number_problem(id_number, self.today)
        if problem:
            return None, problem
        id_number = id_number.upper()
        exam_id = self.exams.get(exam)
        if exam_id is None:
            return None, _("考试“{exam}”不属于本轮").format(exam=exam)
        if not (year.isdigit() and 1990 <= int(year) <= self.today.year):
            return None, _("考试年度无效")
        if city not in self.city_names:
            return None, _("市州“{city}”与本轮（{own}）不一致").format(city=city, own=self.round.city.name)
        if not reason:
            return None, _("核查原因应为 1–6 的代码或其文字（如“在线服务平台无法核查或核查不通过”）")
        if phone and not PHONE_RE.match(phone):
            return None, _("手机号码应为 11 位中国大陆手机号码")
        level, specialty, score, admission_number, archive_number, addition = facts
        if level or specialty or score or admission_number or archive_number:
            for field, value in zip(FACT_LENGTHS, facts, strict=False):
                if len(value) > FACT_LENGTHS[field]:
                    return None, _("{label}过长（不超过 {limit} 个字）").format(
                        label=FIELD_LABELS[field], limit=FACT_LENGTHS[field]
                    )
        # 报考级别为“增项” (seeds 000, 001), or a column of its own saying so.
        is_addition = bool(level and "增项" in level) or bool(addition and addition.upper() in ADDITION_WORDS)
        key = (id_number, exam_id)
        if key in self.existing:
            return None, _("已在本轮名单中")
        if key in self.seen:
            return None, _("与第 {row} 行重复").format(row=self.seen[key])
        self.seen[key] = row_number
        return (
            row_number,
            name[:50],
            id_number,
            exam_id,
            int(year),
            self.round.city_id,
            reason,
            phone,
            level,
            specialty,
            score,
            admission_number,
            archive_number,
            is_addition,
        ), None


def roster_import_upload(*, round_: VerificationRound, user, upload) -> RosterImport:
    """Store the uploaded roster (.xlsx, .xls or .csv) and queue its validation."""
    if not is_administrator(user):
        raise PermissionDenied
    head = upload.read(2048)
    upload.seek(0)
    kind = file_kind(head, upload.name or "")
    if kind is None:
        raise ValidationError(
            _("请上传 .xlsx、.xls 或 .csv 格式的名单文件（.csv 可为 UTF-8 或 GBK 编码）。"), code="type"
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        roster_import = RosterImport(
            round=round_,
            uploaded_by=user,
            original_name=upload.name[:120],
            sha256=digest.hexdigest(),
        )
        roster_import.file.save(f"roster.{kind}", upload, save=False)
        roster_import.save()
        audit_record(
            actor=user,
            action="roster.upload",
            target=roster_import,
            data={"round": round_.pk, "sha256": roster_import.sha256, "name": roster_import.original_name},
        )
    enqueue_on_commit("notices.inspect_roster_import", import_id=roster_import.pk)
    return roster_import


STAGING_COLUMNS = (
    "row_number",
    "name",
    "id_number",
    "exam_id",
    "exam_year",
    "city_id",
    "reason",
    "phone",
    *FACTS,
)


def _copy_rows(import_id: int, rows: list[tuple]) -> None:
    with (
        connection.cursor() as cursor,
        cursor.copy(
            f"COPY notices_rosterstagingrow (roster_import_id, {', '.join(STAGING_COLUMNS)}) FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            copy.write_row((import_id, *row))


def _stage(roster_import: RosterImport, rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        _copy_rows(roster_import.pk, rows)
    else:  # the embedded SQLite default
        RosterStagingRow.objects.bulk_create(
            RosterStagingRow(roster_import_id=roster_import.pk, **dict(zip(STAGING_COLUMNS, r, strict=True)))
            for r in rows
        )


def _read(roster_import: RosterImport):
    with roster_import.file.open("rb") as handle:
        data = handle.read()
    return open_rows(data, file_kind(data[:2048], roster_import.file.name) or "xlsx")


def _aliases() -> dict[str, str]:
    return dict(RosterHeaderAlias.objects.values_list("label", "field"))


def _cell_text(value) -> str:
    return _text(value)[:40]


def roster_import_inspect(*, roster_import: RosterImport) -> RosterImport:
    """Find the header row and map its columns; the administrator then checks the mapping.
    Idempotent: only an import just uploaded is inspected."""
    if roster_import.status != ImportStatus.UPLOADED:
        return roster_import
    try:
        total, rows = _read(roster_import)
    except Exception:
        return _import_failed(roster_import, _("文件无法读取，请确认是 .xlsx、.xls 或 .csv 格式且未加密。"))
    layout, below, labels = find_layout(rows, _aliases())
    if layout is None:
        return _import_failed(
            roster_import,
            _("找不到表头：前 {count} 行中没有一行像列名（如 姓名、身份证号码、核查原因）。").format(
                count=15
            ),
        )
    samples = list(itertools.islice(itertools.chain(below, rows), SAMPLE_ROWS))
    roster_import.header_row = layout.header_row
    roster_import.columns = [
        {"label": label, "samples": [_cell_text(row[i]) if i < len(row) else "" for row in samples]}
        for i, label in enumerate(labels)
    ]
    roster_import.mapping = layout.columns
    roster_import.total_rows = max(0, total - layout.header_row)
    roster_import.status = ImportStatus.MAPPING
    roster_import.save(update_fields=["header_row", "columns", "mapping", "total_rows", "status"])
    return roster_import


def mapping_problems(*, round_: VerificationRound, mapping: dict, column_count: int) -> list[str]:
    """Why a column mapping cannot be used (empty when it can)."""
    problems = []
    needed = list(REQUIRED)
    if round_.exams.count() != 1:
        needed.append("exam")
    missing = [field for field in needed if field not in mapping]
    if missing:
        problems.append(
            _("缺少必需的列：{missing}。可用的列名如：{accepted}").format(
                missing="、".join(FIELD_LABELS[f] for f in missing),
                accepted="；".join("/".join(sorted(SYNONYMS[f])) for f in missing),
            )
        )
    used: dict[int, str] = {}
    for field, index in mapping.items():
        if field not in FIELD_LABELS or not isinstance(index, int) or not 0 <= index < column_count:
            problems.append(_("列对应无效，请重新选择。"))
            break
        if index in used:
            problems.append(
                _("第 {column} 列同时对应了“{one}”和“{other}”。").format(
                    column=index + 1, one=FIELD_LABELS[used[index]], other=FIELD_LABELS[field]
                )
            )
        used[index] = field
    return problems


def roster_import_map(*, roster_import: RosterImport, user, mapping: dict | None = None) -> RosterImport:
    """Accept the column mapping (``None``: as detected) and queue the validation. A column
    mapped differently from the usual names is remembered for the next file."""
    if not is_administrator(user):
        raise PermissionDenied
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().select_related("round").get(pk=roster_import.pk)
        if locked.status != ImportStatus.MAPPING:
            raise ValidationError(
                _("该名单当前状态为“{status}”，不能修改列对应。").format(status=locked.get_status_display()),
                code="status",
            )
        mapping = {k: v for k, v in (locked.mapping if mapping is None else mapping).items() if v is not None}
        problems = mapping_problems(round_=locked.round, mapping=mapping, column_count=len(locked.columns))
        if problems:
            raise ValidationError(problems, code="mapping")
        chosen = {index: field for field, index in mapping.items()}
        remembered = []
        for index, column in enumerate(locked.columns):
            label = label_of(column["label"])
            if not label:
                continue
            field = chosen.get(index, "")
            if (field_for(label, {}) or "") == field:
                RosterHeaderAlias.objects.filter(label=label).delete()
            else:
                RosterHeaderAlias.objects.update_or_create(
                    label=label, defaults={"field": field, "created_by": user}
                )
                remembered.append(label)
        locked.mapping = mapping
        locked.status = ImportStatus.VALIDATING
        locked.processed_rows = 0
        locked.save(update_fields=["mapping", "status", "processed_rows"])
        audit_record(
            actor=user,
            action="roster.mapped",
            target=locked,
            data={"mapping": mapping, **({"remembered": remembered} if remembered else {})},
        )
    enqueue_on_commit("notices.validate_roster_import", import_id=locked.pk)
    return locked


def roster_import_validate(
    *, roster_import: RosterImport, today: datetime.date | None = None
) -> RosterImport:
    """Read and check every row with the accepted mapping. Idempotent: a re-run starts the
    staging over."""
    today = today or timezone.localdate()
    if roster_import.status != ImportStatus.VALIDATING:
        return roster_import
    RosterImport.objects.filter(pk=roster_import.pk).update(processed_rows=0)
    RosterStagingRow.objects.filter(roster_import_id=roster_import.pk).delete()
    try:
        _total, rows = _read(roster_import)
    except Exception:
        return _import_failed(roster_import, _("文件无法读取，请确认是 .xlsx、.xls 或 .csv 格式且未加密。"))
    layout = Layout(header_row=roster_import.header_row, columns=roster_import.mapping)
    rows = itertools.islice(rows, layout.header_row, None)  # past the title rows and the header

    validator = RowValidator(roster_import.round, today)
    rejected_book = Workbook(write_only=True)
    rejected_sheet = rejected_book.create_sheet("未通过校验")
    rejected_sheet.append([*FIELD_LABELS.values(), "行号", "原因"])
    valid = rejected = processed = 0
    batch: list[tuple] = []
    preview: list[list] = []
    flagged: list[list] = []
    for row_number, row in enumerate(rows, start=layout.header_row + 1):
        if not any(c not in (None, "") for c in row):
            continue
        cells = canonical(row, layout)
        staged, reason = validator.check(row_number, cells)
        if staged:
            batch.append(staged)
            valid += 1
            barred = validator.barred.get(staged[2])
            if barred is not None:
                flagged.append([row_number, staged[1], staged[2], bar_refusal(barred)])
        else:
            values = [*[_text(c) for c in cells], row_number, reason]
            rejected_sheet.append(text_safe_row(rejected_sheet, values))
            if rejected < PREVIEW_ROWS:
                preview.append([row_number, values[0][:50], values[1][:25], reason])
            rejected += 1
        processed += 1
        if len(batch) >= PROGRESS_EVERY:
            _stage(roster_import, batch)
            batch = []
            RosterImport.objects.filter(pk=roster_import.pk).update(processed_rows=processed)
    if batch:
        _stage(roster_import, batch)
    with tempfile.TemporaryFile() as out:
        rejected_book.save(out)
        out.seek(0)
        roster_import.rejected_file.save("rejected.xlsx", File(out), save=False)
    roster_import.status = ImportStatus.VALIDATED
    roster_import.total_rows = processed
    roster_import.processed_rows = processed
    roster_import.valid_rows = valid
    roster_import.rejected_rows = rejected
    roster_import.rejected_preview = preview
    roster_import.flagged = flagged
    with transaction.atomic():
        roster_import.save(
            update_fields=[
                "status",
                "total_rows",
                "processed_rows",
                "valid_rows",
                "rejected_rows",
                "rejected_file",
                "rejected_preview",
                "flagged",
            ]
        )
        audit_record(
            actor=None,
            action="roster.validated",
            target=roster_import,
            data={"rows": processed, "valid": valid, "rejected": rejected},
        )
    return roster_import


def _import_failed(roster_import: RosterImport, error: str) -> RosterImport:
    with transaction.atomic():
        roster_import.status = ImportStatus.FAILED
        roster_import.error = error
        roster_import.save(update_fields=["status", "error"])
        audit_record(actor=None, action="roster.failed", target=roster_import, data={"error": error})
    return roster_import


def roster_import_confirm(*, roster_import: RosterImport, user, skip_flagged: bool = False) -> RosterImport:
    """Import the valid rows (without those flagged by an integrity record when
    ``skip_flagged``). A second confirmation, or the same file again, adds nothing."""
    if not is_administrator(user):
        raise PermissionDenied
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
        if locked.status != ImportStatus.VALIDATED:
            raise ValidationError(
                _("该名单当前状态为“{status}”，不能导入。").format(status=locked.get_status_display()),
                code="status",
            )
        if not locked.valid_rows:
            raise ValidationError(_("没有通过校验的行，无可导入。"), code="empty")
        if skip_flagged and locked.flagged:
            RosterStagingRow.objects.filter(
                roster_import_id=locked.pk, row_number__in=[row[0] for row in locked.flagged]
            ).delete()
        with connection.cursor() as cursor:
            columns = ", ".join(STAGING_COLUMNS[1:])
            cursor.execute(
                f"INSERT INTO candidates_rosterentry (round_id, {columns}, status, created_at)"
                f" SELECT %s, {columns}, 'expected', %s"
                " FROM notices_rosterstagingrow WHERE roster_import_id = %s ORDER BY row_number"
                " ON CONFLICT (round_id, id_number, exam_id) DO NOTHING",
                [locked.round_id, timezone.now(), locked.pk],
            )
            imported = cursor.rowcount
        # Inserted in SQL, past the signals that tell the kept dashboards.
        dashboard_changed(user_id=None)
        RosterStagingRow.objects.filter(roster_import_id=locked.pk).delete()
        locked.status = ImportStatus.IMPORTED
        locked.imported_rows = imported
        locked.confirmed_by = user
        locked.confirmed_at = locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "imported_rows", "confirmed_by", "confirmed_at", "finished_at"])
        audit_record(
            actor=user,
            action="roster.import",
            target=locked,
            data={"round": locked.round_id, "imported": imported, "rejected": locked.rejected_rows},
        )
    return locked


def roster_import_cancel(*, roster_import: RosterImport, user) -> RosterImport:
    if not is_administrator(user):
        raise PermissionDenied
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
        if locked.status in (ImportStatus.IMPORTED, ImportStatus.CANCELLED):
            return locked
        RosterStagingRow.objects.filter(roster_import_id=locked.pk).delete()
        locked.status = ImportStatus.CANCELLED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at"])
        audit_record(actor=user, action="roster.cancel", target=locked)
    return locked


def roster_push(
    *, round_: VerificationRound, rows: list[dict], client, today: datetime.date | None = None
) -> dict:
    """Roster rows sent by a system through the API (``FIELDS`` as keys), checked by the
    import's own ``RowValidator`` and added as its confirmation adds them. Idempotent: a row
    already in the round (the same person and exam) is counted as ``unchanged``, not refused,
    so a push sent again after a lost answer changes nothing and says so."""
    today = today or timezone.localdate()
    validator = RowValidator(round_, today)
    existing = validator.existing
    validator.existing = set()  # told apart below: unchanged, not refused
    staged, refused, flagged, unchanged = [], [], [], 0
    for number, row in enumerate(rows, start=1):
        cells = [row.get(field) for field in FIELDS]
        if cells[FIELDS.index("addition")] is True:
            cells[FIELDS.index("addition")] = "是"
        elif cells[FIELDS.index("addition")] is False:
            cells[FIELDS.index("addition")] = ""
        entry, reason = validator.check(number, cells)
        if entry is None:
            refused.append({"row": number, "id_number": _text(row.get("id_number"))[:25], "reason": reason})
            continue
        if (entry[2], entry[3]) in existing:
            unchanged += 1
            continue
        staged.append(entry)
        barred = validator.barred.get(entry[2])
        if barred is not None:
            flagged.append({"row": number, "id_number": entry[2], "reason": bar_refusal(barred)})
    with transaction.atomic():
        RosterEntry.objects.bulk_create(
            (
                RosterEntry(
                    round=round_,
                    status=RosterStatus.EXPECTED,
                    **dict(zip(STAGING_COLUMNS[1:], entry[1:], strict=True)),
                )
                for entry in staged
            ),
            batch_size=2000,
            ignore_conflicts=True,  # a push racing another with the same rows adds each once
        )
        dashboard_changed(user_id=None)  # bulk: no signals
        audit_record(
            actor=None,
            action="roster.api_push",
            target=round_,
            data={
                "client": client.name,
                "received": len(rows),
                "imported": len(staged),
                "unchanged": unchanged,
                "refused": len(refused),
            },
        )
    return {
        "received": len(rows),
        "imported": len(staged),
        "unchanged": unchanged,
        "refused": refused,
        "flagged": flagged,
    }
