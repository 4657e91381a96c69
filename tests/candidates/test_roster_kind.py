"""The application kind follows the roster: 增项 by the entry's level, exemption by the reason
code. A candidate cannot choose 增项 to upload only (五)."""

import datetime

import pytest
from django.urls import reverse

from candidates.enums import ApplicationKind, RosterReason
from candidates.models import Application
from tests import factories
from tests.declare import declare_steps
from tests.factories import make_credit_code

pytestmark = pytest.mark.django_db


def start(client_for, **entry):
    candidate = factories.CandidateFactory()
    roster_entry = factories.RosterEntryFactory(
        id_number=candidate.id_number, name=candidate.real_name, **entry
    )
    client = client_for(candidate.user)
    client.post(reverse("candidates:start", args=[roster_entry.pk]))
    return client, Application.objects.get(roster_entry=roster_entry)


def declare(client, application, **extra):
    data = {
        "employer_name": "长沙某某设计院",
        "employer_credit_code": make_credit_code(),
        "major": "社会工作",
        "education_level": "bachelor",
        "education_type": "higher",
        "school": "湖南大学",
        "graduation_date": "2012-06",
        "chsi_registered": "on",
        "work_start_date": "2012-07",
        "work-TOTAL_FORMS": "1",
        "work-INITIAL_FORMS": "0",
        "work-MIN_NUM_FORMS": "0",
        "work-MAX_NUM_FORMS": "12",
        "work-0-start": "2012-07",
        "work-0-employer": "长沙某某设计院",
        "work-0-position": "社会工作",
        **extra,
    }
    return declare_steps(client, application, data)


def checklist(client, application) -> str:
    return client.get(reverse("candidates:application", args=[application.pk])).content.decode()


def test_a_normal_entry_cannot_be_declared_an_addition(client_for):
    client, application = start(client_for, level="中级")
    assert application.application_kind == ApplicationKind.NORMAL
    response = declare(client, application, application_kind="addition")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.application_kind == ApplicationKind.NORMAL
    page = checklist(client, application)
    assert "资格考试报名表" in page and "第一专业资格证书" not in page


def test_an_addition_entry_needs_only_the_first_qualification(client_for):
    client, application = start(client_for, level="增项", addition=True)
    assert application.application_kind == ApplicationKind.ADDITION
    page = client.get(reverse("candidates:declare", args=[application.pk])).content.decode()
    assert "申报类型：" in page and "增项（增设专业）" in page and 'name="application_kind"' not in page
    response = declare(client, application, application_kind="normal")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.application_kind == ApplicationKind.ADDITION
    page = checklist(client, application)
    assert "第一专业资格证书" in page and "工作年限证明" not in page


def test_the_exemption_follows_the_reason_code(client_for):
    _client, application = start(client_for, reason=RosterReason.EXEMPTION)
    assert application.application_kind == ApplicationKind.EXEMPTION


def test_the_checklist_offers_the_special_case_and_shows_the_cut_off(client_for):
    application = factories.ApplicationFactory(
        education_level="secondary",
        education_type="hunan_secondary",
        graduation_date=datetime.date(2001, 7, 1),
        roster_entry__level="中级",
        roster_entry__specialty="社会工作实务",
    )
    client = client_for(application.candidate.user)
    page = checklist(client, application)
    assert "省教育厅学历认证报告" in page and "特别提醒：2002 年以前取得的学历" in page
    assert "中级 社会工作实务" in page and "2026-12-31" in page
    application.certification_report_unavailable = True
    application.save()
    page = checklist(client, application)
    assert "毕业生登记表" in page and "特别提醒：2002 年以前取得的学历" not in page


def test_the_checklist_counts_the_technical_class_and_names_the_rule(client_for):
    from reviews.models import EligibilityRule

    application = factories.ApplicationFactory(
        education_level="secondary",
        education_type="technical",
        technical_class="advanced",
        graduation_date=datetime.date(2010, 7, 1),
        roster_entry__level="中级",
    )
    EligibilityRule.objects.create(
        exam=application.exam,
        exam_level="中级",
        education_level="junior_college",
        required_years=5,
        source="某文件 第四条",
    )
    page = checklist(client_for(application.candidate.user), application)
    assert (
        "按学历“大专”计算" in page and "需从事相关专业工作满 5 年" in page and "依据：某文件 第四条" in page
    )


def test_the_declaration_refuses_a_level_that_contradicts_the_school(client_for):
    client, application = start(client_for)
    response = declare(client, application, education_type="hunan_secondary", education_level="bachelor")
    assert response.status_code == 200 and "中专学历的学历应选“中专”" in response.content.decode()
    # A class left over from choosing 技工院校 first is cleared, not refused.
    assert declare(client, application, technical_class="advanced").status_code == 302
    application.refresh_from_db()
    assert application.technical_class == ""
