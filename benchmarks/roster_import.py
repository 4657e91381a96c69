"""Roster import benchmark: 100,000 rows, side by side in one run.

- floor: the fastest reader of the file (python-calamine) plus PostgreSQL COPY into the
  same table (candidates_rosterentry, with its indexes and constraints), no checks;
- portal: the portal's import with full validation (upload, validate, confirm);
- import-export: django-import-export's default import of the same file into RosterEntry;
- portal .xls and portal GBK .csv: the same people in the shape bureaus publish (a title
  row, 序号, 性别, 身份证号码, 报考级别, 考区, the reason in words, no year column), saved as an
  .xls (by xlwt; the format holds at most 65,536 rows, so it carries the first 65,000) and
  as a GBK .csv; compared with the floor per row.

Each variant runs in its own process, so its peak memory (max RSS) is its own.

    .venv/bin/python benchmarks/roster_import.py [rows] [import-export rows]
"""

import datetime
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from common import fresh_database, setup_django

HERE = Path(__file__).resolve().parent
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100_000
FILE = Path(os.environ.get("BENCH_ROSTER_FILE", "/tmp/bench-roster.xlsx"))
XLS_FILE = FILE.with_suffix(".xls")
CSV_FILE = FILE.with_suffix(".csv")
XLS_ROWS = 65_000
BUREAU_HEADER = ["序号", "姓名", "性别", "身份证号码", "考试名称", "报考级别", "考区", "核查原因"]
REASON_WORDS = {
    "1": "在线服务平台无法核查或核查不通过",
    "2": "符合免试部分科目报考条件",
    "3": "不适用告知承诺制",
    "4": "未选择告知承诺制",
    "5": "撤回承诺申请",
    "6": "其他情形",
}
TITLE = "2026年度须参加考后人工核查人员名单"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(rows: int) -> None:
    from openpyxl import Workbook
    from stdnum.cn import ric

    from notices.services.roster_import import HEADERS, _area_known

    book = Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(HEADERS)
    # Hunan region codes that existed in every birth year used below.
    areas = [
        code
        for code in (f"43{city:02d}{county:02d}" for city in range(1, 14) for county in range(1, 40))
        if all(_area_known(code, year) for year in range(1970, 2000))
    ]
    first = datetime.date(1970, 1, 1)
    people = []
    for n in range(rows):
        born = first + datetime.timedelta(days=n % 10_000)  # unique with the sequence number below
        body = f"{areas[n % len(areas)]}{born:%Y%m%d}{n // 10_000 % 1000:03d}"
        number = body + ric.calc_check_digit(body + "0")
        exam = "社会工作者" if n % 2 else "经济"
        people.append((f"考生{n}", number, exam, str(1 + n % 6)))
        sheet.append([f"考生{n}", number, exam, 2026, "长沙", str(1 + n % 6)])
    book.save(FILE)
    write_bureau_shapes(people)


def bureau_row(n: int, person: tuple) -> list:
    name, number, exam, reason = person
    gender = "男" if int(number[16]) % 2 else "女"
    return [str(n + 1), name, gender, number, exam, "中级", "长沙市", REASON_WORDS[reason]]


def write_bureau_shapes(people: list[tuple]) -> None:
    """The same people as an .xls with a merged title row and as a GBK .csv."""
    import csv

    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    sheet.write_merge(0, 0, 0, len(BUREAU_HEADER) - 1, TITLE)
    for column, label in enumerate(BUREAU_HEADER):
        sheet.write(1, column, label)
    for n, person in enumerate(people[:XLS_ROWS]):
        for column, value in enumerate(bureau_row(n, person)):
            sheet.write(n + 2, column, value)
    book.save(str(XLS_FILE))
    with CSV_FILE.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([TITLE])
        writer.writerow(BUREAU_HEADER)
        for n, person in enumerate(people):
            writer.writerow(bureau_row(n, person))


def setup_round():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from candidates.models import City, Exam, VerificationRound

    call_command("load_reference", verbosity=0)
    now = __import__("django.utils.timezone", fromlist=["now"]).now()
    round_ = VerificationRound.objects.create(
        name="bench",
        city=City.objects.get(code="changsha"),
        exam_year=2026,
        work_cutoff=datetime.date(2026, 12, 31),
        opens_at=now,
        closes_at=now.replace(year=now.year + 1),
    )
    round_.exams.set(Exam.objects.filter(code__in=["shegong", "jingji"]))
    admin = get_user_model().objects.create(username="bench_admin", is_superuser=True, is_staff=True)
    return round_, admin


def variant_floor() -> dict:
    """The fastest reader plus COPY into the same table the portal fills, with no checks."""
    from django.db import connection
    from python_calamine import CalamineWorkbook

    round_, _admin = setup_round()
    exams = dict(round_.exams.values_list("name", "pk"))
    started = time.perf_counter()
    sheet = CalamineWorkbook.from_path(str(FILE)).get_sheet_by_index(0)
    rows = sheet.iter_rows()
    next(rows)
    now = __import__("django.utils.timezone", fromlist=["now"]).now()
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY candidates_rosterentry (round_id, name, id_number, exam_id, exam_year, city_id, reason, status,"
            " created_at, phone, level, specialty, score, admission_number, archive_number, addition) FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            copy.write_row(
                (
                    round_.pk,
                    row[0],
                    row[1],
                    exams[row[2]],
                    int(row[3]),
                    round_.city_id,
                    row[5],
                    "expected",
                    now,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    False,
                )
            )
    return {"seconds": time.perf_counter() - started}


def variant_portal(path: Path) -> dict:
    """Upload, inspect, accept the mapping as found, validate, confirm."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from candidates.models import RosterEntry
    from notices.services.roster_import import (
        roster_import_confirm,
        roster_import_inspect,
        roster_import_map,
        roster_import_upload,
        roster_import_validate,
    )

    round_, admin = setup_round()
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    # Upload and inspection come before the administrator checks the mapping: timed apart.
    before = time.perf_counter()
    roster_import = roster_import_upload(round_=round_, user=admin, upload=upload)
    roster_import = roster_import_inspect(roster_import=roster_import)
    inspected = time.perf_counter()
    started = time.perf_counter()
    roster_import = roster_import_map(roster_import=roster_import, user=admin)
    roster_import = roster_import_validate(roster_import=roster_import)
    if roster_import.error:
        raise SystemExit(roster_import.error)
    validated = time.perf_counter()
    roster_import = roster_import_confirm(roster_import=roster_import, user=admin)
    finished = time.perf_counter()
    return {
        "seconds": finished - started,
        "inspect": inspected - before,
        "validate": validated - started,
        "confirm": finished - validated,
        "valid": roster_import.valid_rows,
        "rejected": roster_import.rejected_rows,
        "imported": RosterEntry.objects.filter(round=round_).count(),
    }


def variant_import_export(limit: int) -> dict:
    import tablib
    from import_export import fields, resources, widgets
    from openpyxl import load_workbook

    from candidates.models import City, Exam, RosterEntry

    round_, _admin = setup_round()

    class RosterResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        id_number = fields.Field(attribute="id_number", column_name="身份证号")
        exam = fields.Field(
            attribute="exam", column_name="考试", widget=widgets.ForeignKeyWidget(Exam, "name")
        )
        exam_year = fields.Field(attribute="exam_year", column_name="考试年度")
        city = fields.Field(
            attribute="city", column_name="市州", widget=widgets.ForeignKeyWidget(City, "name")
        )
        reason = fields.Field(attribute="reason", column_name="核查原因")

        class Meta:
            model = RosterEntry
            fields = ("name", "id_number", "exam", "exam_year", "city", "reason")
            # The file has no id column; the ID number is the natural key (default loader, one query a row).
            import_id_fields = ("id_number",)

        def before_save_instance(self, instance, row, **kwargs):
            instance.round = round_

    started = time.perf_counter()
    sheet = load_workbook(FILE, read_only=True).active
    rows = sheet.iter_rows(values_only=True)
    dataset = tablib.Dataset(headers=list(next(rows)))
    for index, row in enumerate(rows):
        if index >= limit:
            break
        dataset.append(row)
    result = RosterResource().import_data(dataset, dry_run=False, raise_errors=False)
    return {
        "seconds": time.perf_counter() - started,
        "rows": limit,
        "errors": len(result.invalid_rows) + len(result.row_errors()),
        "imported": RosterEntry.objects.filter(round=round_).count(),
    }


def child(variant: str, limit: int) -> None:
    setup_django()
    fresh_database()
    result = {
        "floor": variant_floor,
        "portal": lambda: variant_portal(FILE),
        "portal-xls": lambda: variant_portal(XLS_FILE),
        "portal-csv": lambda: variant_portal(CSV_FILE),
        "import-export": lambda: variant_import_export(limit),
    }[variant]()
    result["peak_mb"] = peak_mb()
    print("RESULT " + json.dumps(result))


def run(variant: str, limit: int) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", variant, str(limit)], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])


def main() -> None:
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else ROWS
    setup_django()
    fresh_database()
    started = time.perf_counter()
    generate(ROWS)
    print(
        f"generated {ROWS:,} rows ({FILE.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s"
    )
    floor = run("floor", ROWS)
    portal = run("portal", ROWS)
    print(f"{'variant':<34}{'seconds':>10}{'peak MB':>10}")
    print(f"{'floor (calamine + COPY, no checks)':<34}{floor['seconds']:>10.2f}{floor['peak_mb']:>10.0f}")
    print(
        f"{'portal (validate + confirm)':<34}{portal['seconds']:>10.2f}{portal['peak_mb']:>10.0f}"
        f"   validate {portal['validate']:.2f} s, confirm {portal['confirm']:.2f} s"
        f" (upload and inspection before it {portal['inspect']:.2f} s),"
        f" {portal['imported']:,} imported, {portal['rejected']:,} rejected"
    )
    per_row_floor = floor["seconds"] / ROWS
    for variant, label, rows in (
        ("portal-xls", "portal, title-row .xls", min(ROWS, XLS_ROWS)),
        ("portal-csv", "portal, GBK .csv", ROWS),
    ):
        result = run(variant, ROWS)
        if (
            result["imported"] != rows - result["rejected"]
            or result["rejected"] != portal["rejected"] * rows // ROWS
        ):
            print(f"  note: {label}: {result['imported']:,} imported, {result['rejected']:,} rejected")
        print(
            f"{label:<34}{result['seconds']:>10.2f}{result['peak_mb']:>10.0f}"
            f"   {rows:,} rows, {result['imported']:,} imported, inspection {result['inspect']:.2f} s;"
            f" per row {result['seconds'] / rows / per_row_floor:.2f}x the floor"
        )
    iex = run("import-export", limit)
    if iex["imported"] != iex["rows"]:
        raise SystemExit(f"django-import-export imported {iex['imported']} of {iex['rows']} rows: {iex}")
    per_row = iex["seconds"] / iex["rows"]
    print(
        f"{'django-import-export default':<34}{iex['seconds']:>10.2f}{iex['peak_mb']:>10.0f}"
        f"   on {iex['rows']:,} rows; {per_row * ROWS:.0f} s for {ROWS:,} at that rate"
    )
    print(f"portal / floor: {portal['seconds'] / floor['seconds']:.2f}x (target within 2x)")
    print(f"import-export / portal: {per_row * ROWS / portal['seconds']:.1f}x faster (target at least 30x)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
