import datetime

import pytest

from candidates import rules
from candidates.enums import ApplicationKind as K
from candidates.enums import EducationType as E


def facts(education, graduated, *, kind=K.NORMAL, registered=True, outside=False, no_report=False):
    return rules.DeclarationFacts(
        application_kind=kind,
        education_type=education,
        graduation_date=datetime.date.fromisoformat(graduated) if graduated else None,
        chsi_registered=registered,
        school_outside_hunan=outside,
        certification_report_unavailable=no_report,
    )


def codes(declaration):
    return [r.code for r in rules.required_materials(declaration)]


@pytest.mark.parametrize(
    ("declaration", "proof"),
    [
        # Higher education: registered and 2002 or later -> 备案表; otherwise -> 认证报告.
        (facts(E.HIGHER, "2002-01-01"), ["edu_chsi_record"]),
        (facts(E.HIGHER, "2015-07-01"), ["edu_chsi_record"]),
        (facts(E.HIGHER, "2001-12-01"), ["edu_chsi_report"]),
        (facts(E.HIGHER, "2010-07-01", registered=False), ["edu_chsi_report"]),
        # Hunan secondary vocational: June 2005 is the boundary.
        (facts(E.HUNAN_SECONDARY, "2005-06-01"), ["edu_hunan_secondary_query"]),
        (facts(E.HUNAN_SECONDARY, "2005-05-01"), ["edu_hunan_education_report"]),
        (facts(E.HUNAN_SECONDARY, "2003-07-01", no_report=True), ["edu_enrolment_roster"]),
        (facts(E.OTHER_SECONDARY, "2008-07-01"), ["edu_other_province_report"]),
        # Foreign and HK/Macao/Taiwan degrees, any year.
        (facts(E.FOREIGN, "1995-07-01"), ["edu_cscse"]),
        (facts(E.FOREIGN, "2020-07-01"), ["edu_cscse"]),
        # Party school, any year.
        (facts(E.PARTY_SCHOOL, "2012-07-01"), ["edu_party_school"]),
        # Technical schools: 2005-2013 Hunan query, 2015+ national query, other years provincial.
        (facts(E.TECHNICAL, "2005-01-01"), ["edu_technical_hunan"]),
        (facts(E.TECHNICAL, "2013-12-01"), ["edu_technical_hunan"]),
        (facts(E.TECHNICAL, "2014-07-01"), ["edu_technical_provincial"]),
        (facts(E.TECHNICAL, "2015-01-01"), ["edu_technical_national"]),
        (facts(E.TECHNICAL, "2004-12-01"), ["edu_technical_provincial"]),
        # Special case: pre-2002 or out-of-province, no report possible.
        (facts(E.HIGHER, "1998-07-01", no_report=True), ["edu_graduate_form", "edu_diploma"]),
        (
            facts(E.HIGHER, "2006-07-01", registered=False, outside=True, no_report=True),
            ["edu_graduate_form", "edu_diploma"],
        ),
        (facts(E.OTHER_SECONDARY, "2008-07-01", no_report=True), ["edu_graduate_form", "edu_diploma"]),
        # Every education before 2002 or outside Hunan whose report cannot be had: a Hunan
        # 中专 of 2001, a party school of 1999, a technical school of 2000, an out-of-province
        # party school.
        (facts(E.HUNAN_SECONDARY, "2001-07-01", no_report=True), ["edu_graduate_form", "edu_diploma"]),
        (facts(E.PARTY_SCHOOL, "1999-07-01", no_report=True), ["edu_graduate_form", "edu_diploma"]),
        (facts(E.TECHNICAL, "2000-07-01", no_report=True), ["edu_graduate_form", "edu_diploma"]),
        (
            facts(E.PARTY_SCHOOL, "2012-07-01", outside=True, no_report=True),
            ["edu_graduate_form", "edu_diploma"],
        ),
        # Not where the proof is no report (queries, the chsi record) or a foreign degree.
        (facts(E.TECHNICAL, "2010-07-01", no_report=True), ["edu_technical_hunan"]),
        (facts(E.FOREIGN, "1995-07-01", no_report=True), ["edu_cscse"]),
        (facts(E.HUNAN_SECONDARY, "2008-07-01", no_report=True), ["edu_hunan_secondary_query"]),
        # The flag does nothing where a report is not what is asked for.
        (facts(E.HIGHER, "2010-07-01", no_report=True), ["edu_chsi_record"]),
        (facts(E.HIGHER, "2010-07-01", registered=False, no_report=True), ["edu_chsi_report"]),
    ],
)
def test_education_proof_follows_the_notice_table(declaration, proof):
    assert codes(declaration) == ["application_form", "work_years", *proof]


def test_exemption_adds_item_four():
    assert codes(facts(E.HIGHER, "2010-07-01", kind=K.EXEMPTION)) == [
        "application_form",
        "work_years",
        "edu_chsi_record",
        "exemption_proof",
    ]


def test_addition_needs_only_item_five():
    assert codes(facts(E.HIGHER, "2010-07-01", kind=K.ADDITION)) == ["first_qualification"]
    assert codes(facts("", None, kind=K.ADDITION)) == ["first_qualification"]


def test_education_proof_empty_until_education_is_declared():
    assert codes(facts("", None)) == ["application_form", "work_years"]


def test_every_requirement_says_in_words_what_is_wanted():
    for requirement in rules.ALL_REQUIREMENTS.values():
        assert requirement.title and len(requirement.description) > 20
        assert str(requirement.label).startswith(str(rules.CATEGORY_LABELS[requirement.category]))


def test_the_special_case_is_offered_where_it_could_apply():
    assert rules.special_case_possible(facts(E.HUNAN_SECONDARY, "2001-07-01"))
    assert rules.special_case_possible(facts(E.OTHER_SECONDARY, "2010-07-01"))
    assert not rules.special_case_possible(facts(E.HIGHER, "2010-07-01"))
    assert not rules.special_case_possible(facts(E.FOREIGN, "1990-07-01"))


def test_technical_schools_of_other_years_name_both_offices():
    description = str(rules.EDU_TECHNICAL_PROVINCIAL.description)
    assert "市州人力资源和社会保障局职业能力建设科（处）" in description
    assert "省人力资源社会保障厅职业能力建设处" in description
    assert "毕业学校所在省" not in str(rules.EDU_OTHER_PROVINCE_REPORT.description)
