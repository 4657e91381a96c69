import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from stdnum.cn import ric

from candidates.models import AuditEvent, RosterEntry
from notices.enums import ImportStatus
from notices.models import RosterImport, RosterStagingRow
from notices.services.roster_import import (
    FIELD_LABELS,
    HEADERS,
    roster_import_confirm,
    roster_import_inspect,
    roster_import_map,
    roster_import_upload,
)
from tests import factories
from tests.factories import make_id_number
from tests.roster import validated

pytestmark = pytest.mark.django_db


def xlsx(rows, headers=HEADERS) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("名单.xlsx", out.getvalue())


@pytest.fixture
def admin():
    return factories.UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def round_():
    exam = factories.ExamFactory(code="shegong", name="社会工作者")
    return factories.RoundFactory(city=factories.CityFactory(code="changsha", name="长沙"), exams=[exam])


def run(round_, admin, rows, **kwargs):
    roster_import = roster_import_upload(round_=round_, user=admin, upload=xlsx(rows, **kwargs))
    return validated(roster_import, admin)


def with_check(body17):
    return body17 + ric.calc_check_digit(body17 + "0")


def test_every_rule_and_the_rejected_file(round_, admin):
    good = make_id_number()
    existing = make_id_number()
    factories.RosterEntryFactory(round=round_, id_number=existing, exam=round_.exams.get())
    rows = [
        ["王一", good, "社会工作者", 2026, "长沙", "1"],
        ["王一", good, "shegong", 2026, "长沙市", "1"],  # same person and exam again
        ["李二", existing, "社会工作者", 2026, "长沙", "2"],  # already on the roster
        ["", make_id_number(), "社会工作者", 2026, "长沙", "1"],
        ["张三", "430102199003071235", "社会工作者", 2026, "长沙", "1"],
        ["张三", with_check("43010219900230123"), "社会工作者", 2026, "长沙", "1"],
        ["张三", make_id_number("20990101"), "社会工作者", 2026, "长沙", "1"],
        ["赵四", make_id_number(), "一级建造师", 2026, "长沙", "1"],
        ["钱五", make_id_number(), "社会工作者", 2026, "株洲", "1"],
        ["孙六", make_id_number(), "社会工作者", 2026, "长沙", "7"],
        ["周七", make_id_number(), "社会工作者", "明年", "长沙", "1"],
        ["吴八", make_id_number().lower(), "社会工作者", 2025, "长沙", 3],
    ]
    result = run(round_, admin, rows)
    assert result.status == ImportStatus.VALIDATED
    assert (result.total_rows, result.valid_rows, result.rejected_rows) == (12, 2, 10)
    sheet = load_workbook(io.BytesIO(result.rejected_file.open("rb").read())).active
    assert [cell.value for cell in next(sheet.iter_rows(max_row=1))] == [
        *FIELD_LABELS.values(),
        "行号",
        "原因",
    ]
    by_line = {row[-2]: row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_line == {
        3: "与第 2 行重复",
        4: "已在本轮名单中",
        5: "缺少姓名",
        6: "身份证号校验位不正确",
        7: "身份证号中的出生日期无效",
        8: "身份证号中的出生日期晚于今天",
        9: "考试“一级建造师”不属于本轮",
        10: "市州“株洲”与本轮（长沙）不一致",
        11: "核查原因应为 1–6 的代码或其文字（如“在线服务平台无法核查或核查不通过”）",
        12: "考试年度无效",
    }
    assert not RosterEntry.objects.filter(
        round=round_, id_number=good
    ).exists()  # nothing before confirmation
    assert RosterStagingRow.objects.count() == 2


def test_confirm_imports_and_the_same_file_twice_changes_nothing(round_, admin):
    rows = [["王一", make_id_number(), "社会工作者", 2026, "长沙", "1"] for _ in range(30)]
    first = run(round_, admin, rows)
    imported = roster_import_confirm(roster_import=first, user=admin)
    assert imported.imported_rows == 30
    assert RosterEntry.objects.filter(round=round_).count() == 30
    assert AuditEvent.objects.get(action="roster.import").data["imported"] == 30
    second = run(round_, admin, rows)
    assert (second.valid_rows, second.rejected_rows) == (0, 30)
    with pytest.raises(ValidationError):  # every row is already on the roster: nothing to import
        roster_import_confirm(roster_import=second, user=admin)
    assert RosterEntry.objects.filter(round=round_).count() == 30
    with pytest.raises(ValidationError):
        roster_import_confirm(roster_import=first, user=admin)


def test_wrong_header_or_not_xlsx(round_, admin):
    bad = run(round_, admin, [["王一"]], headers=["name", "id"])
    assert bad.status == ImportStatus.FAILED and "找不到表头" in bad.error
    unknown = roster_import_inspect(
        roster_import=roster_import_upload(
            round_=round_, user=admin, upload=xlsx([], headers=["名字", "号码", "备注"])
        )
    )
    assert unknown.status == ImportStatus.MAPPING and unknown.mapping == {}
    with pytest.raises(ValidationError) as refused:
        roster_import_map(roster_import=unknown, user=admin)
    assert "缺少必需的列：姓名、身份证号、核查原因" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        roster_import_upload(round_=round_, user=admin, upload=SimpleUploadedFile("x.xlsx", b"name,id\n"))


def test_upload_page_progress_and_confirm(round_, admin, client_for, django_capture_on_commit_callbacks):
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("notices:import_upload", args=[round_.pk]),
            {"file": xlsx([["王一", make_id_number(), "社会工作者", 2026, "长沙", "1"]])},
        )
    url = response["Location"]
    page = client.get(url).content.decode()
    assert "核对列对应" in page and "表头在第 1 行，其下共 1 行" in page
    pk = int(url.rstrip("/").rsplit("/", 1)[1])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {f"column-{i}": f for i, f in enumerate(FIELD_LABELS) if i < 6})
    page = client.get(url).content.decode()
    assert "通过校验" in page and "确认导入 1 条" in page
    progress = client.get(reverse("notices:import_progress", args=[pk])).json()
    assert progress == {"status": "validated", "processed": 1, "total": 1, "percent": 100, "done": True}
    client.post(reverse("notices:import_confirm", args=[pk]))
    assert RosterEntry.objects.filter(round=round_).count() == 1


def test_only_administrators(round_, client_for):
    client = client_for(factories.CityReviewerFactory().user)
    assert client.get(reverse("notices:manage")).status_code == 404
    response = client.post(reverse("notices:import_upload", args=[round_.pk]), {"file": xlsx([])})
    assert response.status_code == 404


def test_exam_year_in_the_future_refused(round_, admin):
    next_year = datetime.date.today().year + 1
    result = run(round_, admin, [["王一", make_id_number(), "社会工作者", next_year, "长沙", "1"]])
    assert result.rejected_rows == 1


def test_residence_permits_and_permanent_residence_cards_are_imported(round_, admin):
    """港澳台居民居住证 (region 810000/820000/830000) and the 2023 外国人永久居留身份证 (9…)."""
    hong_kong = with_check("81000019900307123")
    taiwan = with_check("83000019851231002")
    foreign = with_check("93115619880512001")
    unknown_province = with_check("99915619880512001")
    rows = [
        ["陈大文", hong_kong, "社会工作者", 2026, "长沙", "1", "13712345678"],
        ["林小美", taiwan, "社会工作者", 2026, "长沙", "1", ""],
        ["JOHN SMITH", foreign, "社会工作者", 2026, "长沙", "1", ""],
        ["某人", unknown_province, "社会工作者", 2026, "长沙", "1", ""],
    ]
    result = run(round_, admin, rows, headers=[*HEADERS, "手机号码"])
    assert (result.valid_rows, result.rejected_rows) == (3, 1)
    roster_import_confirm(roster_import=result, user=admin)
    imported = dict(RosterEntry.objects.filter(round=round_).values_list("id_number", "phone"))
    assert imported == {hong_kong: "13712345678", taiwan: "", foreign: ""}


def test_validation_is_audited_and_the_roster_status_is_read_only_in_the_admin(round_, admin, client_for):
    result = run(round_, admin, [["王一", make_id_number(), "社会工作者", 2026, "长沙", "1"]])
    event = AuditEvent.objects.get(action="roster.validated", target_id=str(result.pk))
    assert (event.data["valid"], event.data["rejected"]) == (1, 0)
    failed = run(round_, admin, [["王一"]], headers=["姓名"])
    assert AuditEvent.objects.filter(action="roster.failed", target_id=str(failed.pk)).exists()
    entry = factories.RosterEntryFactory(round=round_)
    page = (
        client_for(admin)
        .get(reverse("admin:candidates_rosterentry_change", args=[entry.pk]))
        .content.decode()
    )
    assert 'name="status"' not in page and "待申报" in page


def test_the_mapping_is_shown_editable_and_remembered(
    round_, admin, client_for, django_capture_on_commit_callbacks
):
    """A roster with names the portal does not know: the administrator maps them once, the
    next file with the same names is mapped by itself."""
    client = client_for(admin)
    headers = ["人员姓名", "证件号", "核查类别", "报考级别", "专业名称", "总分", "准考证号"]
    person = ["王一", make_id_number(), "1", "中级", "社会工作实务", "68.5", "2526010203"]

    def upload(rows):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("notices:import_upload", args=[round_.pk]), {"file": xlsx(rows, headers=headers)}
            )
        return response["Location"]

    url = upload([person])
    page = client.get(url).content.decode()
    # Each column with its first values and a choice; known names are chosen already.
    assert "人员姓名" in page and "社会工作实务" in page and "68.5" in page
    pk = int(url.rstrip("/").rsplit("/", 1)[1])
    assert RosterImport.objects.get(pk=pk).mapping == {"id_number": 1, "level": 3, "admission_number": 6}
    # A required column left out, and one field chosen twice: refused, nothing lost.
    refused = client.post(url, {"column-0": "name", "column-1": "id_number"})
    assert refused.status_code == 200 and "缺少必需的列：核查原因" in refused.content.decode()
    twice = client.post(
        url, {"column-0": "name", "column-1": "id_number", "column-2": "reason", "column-4": "name"}
    )
    assert twice.status_code == 200 and "同一内容只能对应一列" in twice.content.decode()
    assert RosterImport.objects.get(pk=pk).status == ImportStatus.MAPPING
    chosen = {
        "column-0": "name",
        "column-1": "id_number",
        "column-2": "reason",
        "column-3": "level",
        "column-4": "specialty",
        "column-5": "score",
        "column-6": "admission_number",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, chosen)
    client.post(reverse("notices:import_confirm", args=[pk]))
    entry = RosterEntry.objects.get(round=round_)
    assert (entry.name, entry.level, entry.specialty, entry.score, entry.admission_number) == (
        "王一",
        "中级",
        "社会工作实务",
        "68.5",
        "2526010203",
    )
    assert AuditEvent.objects.filter(action="roster.mapped", target_id=str(pk)).exists()
    # The next file with the same names is mapped as the administrator chose.
    second = upload([["李二", make_id_number(), "2", "初级", "社会工作综合能力", "61", "2526010204"]])
    second_pk = int(second.rstrip("/").rsplit("/", 1)[1])
    assert RosterImport.objects.get(pk=second_pk).mapping == {
        "name": 0,
        "id_number": 1,
        "reason": 2,
        "level": 3,
        "specialty": 4,
        "score": 5,
        "admission_number": 6,
    }
    assert "核查类别" in client.get(second).content.decode()


def test_the_page_lists_the_refused_rows_and_offers_no_empty_import(round_, admin, client_for):
    result = run(
        round_,
        admin,
        [
            ["", make_id_number(), "社会工作者", 2026, "长沙", "1"],
            ["王二", "123", "社会工作者", 2026, "长沙", "1"],
        ],
    )
    assert (result.valid_rows, result.rejected_rows) == (0, 2)
    assert result.rejected_preview == [
        [2, "", result.rejected_preview[0][2], "缺少姓名"],
        [3, "王二", "123", "身份证号应为 18 位"],
    ]
    page = client_for(admin).get(reverse("notices:import", args=[result.pk])).content.decode()
    assert "未通过校验的行（共 2 行）" in page and "身份证号应为 18 位" in page
    assert "确认导入 0 条" not in page and "没有通过校验的行，无可导入" in page
    with pytest.raises(ValidationError):
        roster_import_confirm(roster_import=result, user=admin)
