"""Roster import benchmark: 100,000 rows, side by side in one run.

- floor: the fastest reader of the file (python-calamine) plus PostgreSQL COPY into the
  same table (candidates_rosterentry, with its indexes and constraints), no checks;
- portal: the portal's import with full validation (upload, validate, confirm);
- import-export: django-import-export's default import of the same file into RosterEntry.

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
    for n in range(rows):
        born = first + datetime.timedelta(days=n % 10_000)  # unique with the sequence number below
        body = f"{areas[n % len(areas)]}{born:%Y%m%d}{n // 10_000 % 1000:03d}"
        number = body + ric.calc_check_digit(body + "0")
        exam = "社会工作者" if n % 2 else "经济"
        sheet.append([f"考生{n}", number, exam, 2026, "长沙", str(1 + n % 6)])
    book.save(FILE)


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
            " created_at, phone) FROM STDIN"
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
                )
            )
    return {"seconds": time.perf_counter() - started}


def variant_portal() -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from candidates.models import RosterEntry
    from notices.services.roster_import import (
        roster_import_confirm,
        roster_import_upload,
        roster_import_validate,
    )

    round_, admin = setup_round()
    upload = SimpleUploadedFile("roster.xlsx", FILE.read_bytes())
    started = time.perf_counter()
    roster_import = roster_import_upload(round_=round_, user=admin, upload=upload)
    roster_import = roster_import_validate(roster_import=roster_import)
    validated = time.perf_counter()
    roster_import = roster_import_confirm(roster_import=roster_import, user=admin)
    finished = time.perf_counter()
    return {
        "seconds": finished - started,
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
        "portal": variant_portal,
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
        f"   validate {portal['validate']:.2f} s, confirm {portal['confirm']:.2f} s,"
        f" {portal['imported']:,} imported, {portal['rejected']:,} rejected"
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
