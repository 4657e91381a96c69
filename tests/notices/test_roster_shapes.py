"""Rosters as bureaus publish them: a title row, 序号, 身份证号码, 考区, the reason in words, no
year column; saved as .xlsx, as .xls (WPS, older Excel) or as .csv in UTF-8 or GBK."""

import io

import pytest
import xlwt
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from candidates.models import RosterEntry
from notices.enums import ImportStatus
from notices.services.roster_import import roster_import_confirm, roster_import_upload
from tests import factories
from tests.factories import make_id_number
from tests.roster import validated

pytestmark = pytest.mark.django_db

TITLE = "2025年度社会工作者职业资格考试须参加考后人工核查人员名单"
HEADER = ["序号", "姓名", "性别", "身份证号码", "报考级别", "考区", "核查原因"]


@pytest.fixture
def admin():
    return factories.UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def round_():
    exam = factories.ExamFactory(code="shegong", name="社会工作者")
    return factories.RoundFactory(
        city=factories.CityFactory(code="changsha", name="长沙"), exams=[exam], exam_year=2025
    )


def people():
    return [
        ["1", "王一", "男", make_id_number("19900101"), "中级", "长沙市", "在线服务平台无法核查或核查不通过"],
        ["2", "李二", "女", make_id_number("19880512"), "初级", "长沙", "符合免试部分科目报考条件"],
        ["3", "张三", "男", make_id_number("19920303"), "增项", "长沙", "撤回承诺申请"],
    ]


def import_file(round_, admin, name: str, data: bytes):
    roster_import = roster_import_upload(round_=round_, user=admin, upload=SimpleUploadedFile(name, data))
    return validated(roster_import, admin)


def assert_imported(result, round_, admin, rows):
    assert result.status == ImportStatus.VALIDATED, result.error
    assert (result.valid_rows, result.rejected_rows) == (len(rows), 0)
    roster_import_confirm(roster_import=result, user=admin)
    stored = {
        e.id_number: (e.name, e.reason, e.exam_year, e.city_id, e.level, e.addition)
        for e in RosterEntry.objects.filter(round=round_)
    }
    codes = {"在线服务平台无法核查或核查不通过": "1", "符合免试部分科目报考条件": "2", "撤回承诺申请": "5"}
    assert stored == {
        row[3]: (row[1], codes[row[6]], 2025, round_.city_id, row[4], row[4] == "增项") for row in rows
    }


def test_an_xlsx_with_a_title_row_and_the_usual_columns(round_, admin):
    rows = people()
    book = Workbook()
    sheet = book.active
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    assert_imported(import_file(round_, admin, "名单.xlsx", out.getvalue()), round_, admin, rows)


def test_an_xls_saved_by_wps(round_, admin):
    rows = people()
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    sheet.write_merge(0, 0, 0, len(HEADER) - 1, TITLE)
    for column, label in enumerate(HEADER):
        sheet.write(1, column, label)
    for r, row in enumerate(rows, start=2):
        for column, value in enumerate(row):
            sheet.write(r, column, value)
    out = io.BytesIO()
    book.save(out)
    assert out.getvalue()[:4] == b"\xd0\xcf\x11\xe0"
    assert_imported(import_file(round_, admin, "名单.xls", out.getvalue()), round_, admin, rows)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_a_csv_in_gbk_or_utf8(round_, admin, encoding):
    rows = people()
    text = "\r\n".join(",".join(row) for row in [[TITLE], HEADER, *rows]) + "\r\n"
    assert_imported(import_file(round_, admin, "名单.csv", text.encode(encoding)), round_, admin, rows)


def test_an_id_number_stored_as_a_number_is_named_and_full_width_digits_are_fixed(round_, admin):
    full_width_id = make_id_number("19850101")
    lowercase = next(n for n in iter(lambda: make_id_number("19860202"), None) if n.endswith("X"))
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "核查原因"])
    sheet.append(["数字", int(make_id_number("19870303")[:17] + "1"), "1"])
    sheet.append(["全角", full_width_id.translate(str.maketrans("0123456789", "０１２３４５６７８９")), "1"])
    sheet.append(["小写", lowercase.lower(), "6"])
    out = io.BytesIO()
    book.save(out)
    result = import_file(round_, admin, "名单.xlsx", out.getvalue())
    assert (result.valid_rows, result.rejected_rows) == (2, 1)
    refused = load_workbook(io.BytesIO(result.rejected_file.open("rb").read())).active
    reason = next(iter(refused.iter_rows(min_row=2, values_only=True)))[-1]
    assert "身份证号被存成了数字" in reason and "设为文本后重新导出" in reason
    roster_import_confirm(roster_import=result, user=admin)
    assert set(RosterEntry.objects.values_list("id_number", flat=True)) == {full_width_id, lowercase}


def test_a_file_of_another_kind_is_refused_with_the_accepted_kinds(round_, admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=r"\.xlsx、\.xls 或 \.csv"):
        roster_import_upload(round_=round_, user=admin, upload=SimpleUploadedFile("名单.pdf", b"%PDF-1.7"))
