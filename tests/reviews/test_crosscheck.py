"""The cross-check rules on text as OCR returns it (lines with boxes), without the engine."""

import datetime

from reviews.crosscheck import (
    DIFFERS,
    MATCH,
    NOT_FOUND,
    Facts,
    PageReading,
    id_numbers,
    material_findings,
    wrong_document_hint,
)
from reviews.signals import edited_copy

FACTS = Facts(
    name="王小明",
    id_number="110101199003074514",
    school="湖南师范大学",
    graduation=datetime.date(2010, 6, 30),
    employer="长沙示范设计院",
    work_start=datetime.date(2012, 7, 1),
    today=datetime.date(2026, 12, 3),
)


def reading(*lines: str) -> PageReading:
    return PageReading(
        page_id=1,
        number=1,
        version_label="第 1 版",
        lines=tuple(
            {"text": text, "box": [10, 20 * i, 500, 20 * i + 18], "score": 0.99}
            for i, text in enumerate(lines)
        ),
    )


def outcomes(kind: str, *lines: str) -> dict[str, str]:
    return {f.fact: f.outcome for f in material_findings(kind, [reading(*lines)], FACTS)}


def test_id_numbers_by_the_check_digit_in_any_width_and_case():
    assert id_numbers("身份证号：１１０１０１１９９００３０７４５１４") == ["110101199003074514"]
    assert id_numbers("证件号码 11010519491231002x") == ["11010519491231002X"]
    assert id_numbers("证书编号 110101199003074515") == []  # a wrong check digit: not an ID number
    assert id_numbers("订单号 1101011990030745141") == []  # 19 digits


def test_a_matching_work_years_proof():
    found = outcomes(
        "work_years",
        "兹证明王小明同志，身份证号110101199003074514，",
        "自2012年7月起在长沙示范设计院从事",
        "单位名称：长沙示范设计院（盖章）",
    )
    assert found == {"id_number": MATCH, "name": MATCH, "employer": MATCH, "work_start": MATCH}
    assert outcomes("work_years", "自 2014 年 9 月起在长沙示范设计院从事")["work_start"] == DIFFERS


def test_another_name_id_and_employer_differ():
    found = outcomes(
        "work_years", "姓名：李大红", "身份证号 11010519491231002X", "工作单位：湖南某某建筑有限责任公司"
    )
    assert found == {"id_number": DIFFERS, "name": DIFFERS, "employer": DIFFERS, "work_start": NOT_FOUND}


def test_a_labelled_name_in_a_table_cell_stops_at_the_next_label():
    [name] = [
        f
        for f in material_findings("application_form", [reading("姓名", "李大红", "性别")], FACTS)
        if f.fact == "name"
    ]
    assert (name.outcome, name.read) == (DIFFERS, "李大红")


def test_the_school_is_compared_as_written():
    found = outcomes("edu_chsi_record", "毕业院校：湖南师范大学毕业日期：2010年06月30日")
    assert found["school"] == MATCH and found["graduation"] == MATCH
    [school] = [
        f
        for f in material_findings("edu_chsi_record", [reading("毕业院校：华南师范大学层次：本科")], FACTS)
        if f.fact == "school"
    ]
    assert (school.outcome, school.read) == (DIFFERS, "华南师范大学")  # one character, another school


def test_graduation_dates_differ_and_missing_facts_are_not_found():
    found = outcomes("edu_diploma", "毕业时间：2011年7月")
    assert found["graduation"] == DIFFERS and found["school"] == NOT_FOUND and found["id_number"] == NOT_FOUND


def test_the_chsi_validity_is_judged_against_today():
    valid = outcomes(
        "edu_chsi_record", "在线验证码：ABCD1234EFGH5678", "本报告在线验证有效期至：2027年01月31日"
    )
    expired = outcomes(
        "edu_chsi_record", "在线验证码：ABCD1234EFGH5678", "本报告在线验证有效期至：2026年12月02日"
    )
    assert valid["chsi_code"] == MATCH and valid["chsi_valid"] == MATCH and expired["chsi_valid"] == DIFFERS


def test_boxes_point_at_the_line_that_holds_the_fact():
    findings = material_findings("work_years", [reading("工作年限证明", "身份证号110101199003074514")], FACTS)
    [id_finding] = [f for f in findings if f.fact == "id_number"]
    assert id_finding.boxes == [[10, 20, 500, 38]]


def test_wrong_document_hints():
    card = [reading("居民身份证", "公民身份号码110101199003074514", "签发机关长沙市公安局")]
    assert "身份证" in wrong_document_hint("edu_chsi_record", card, "学信网备案表")
    menu = [reading("今日菜单", "红烧肉 米饭 青菜汤")]
    assert "不像" in wrong_document_hint("work_years", menu, "工作年限证明")
    assert wrong_document_hint("work_years", [reading("工作年限证明", "兹证明")], "工作年限证明") == ""


def test_an_edited_copy_against_honest_and_shared_pages():
    original = (
        "工作年限证明\n兹证明王小明同志，身份证号110101199003074514，\n自2012年7月起在长沙示范设计院从事"
    )
    edited = "工作年限证明\n兹证明李大红同志，身份证号11010519491231002X，\n自2012年7月起在长沙示范设计院从事"
    honest = (
        "工作年限证明\n兹证明张三丰同志，身份证号110105194912310021，\n自2015年9月起在湘潭某某建筑公司从事"
    )
    assert edited_copy(original, edited, ("王小明", "李大红")) is True
    assert edited_copy(original, honest, ("王小明", "张三丰")) is False
    assert edited_copy(original, original, ("王小明", "李大红")) is False  # the same person on both
    assert edited_copy("工作年限证明", "工作年限证明", ("王小明", "李大红")) is None  # nobody named
