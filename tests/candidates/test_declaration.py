"""Saving the declaration keeps every work period on the page: edit, add, remove, unchanged."""

import datetime

import pytest
from django.test import TestCase
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

TWO_PERIODS = [
    {"start": "2010-07", "end": "2015-06", "employer": "长沙第一设计院", "position": "结构设计"},
    {"start": "2015-07", "end": "", "employer": "长沙第二设计院", "position": "施工管理"},
]


def as_posted(response) -> dict:
    """What the browser sends back for the page as shown: every field's current value."""
    data = {}

    def value(bound):
        current = bound.value()
        if isinstance(current, datetime.date):
            return current.strftime("%Y-%m")
        if current is None:
            return ""
        if isinstance(current, bool):
            return "on" if current else ""
        return current

    form, formset = response.context["form"], response.context["formset"]
    for bound in form:
        data[bound.html_name] = value(bound)
    for bound in formset.management_form:
        data[bound.html_name] = value(bound)
    for wform in formset:
        for bound in wform:
            data[bound.html_name] = value(bound)
    return {k: v for k, v in data.items() if v != ""}


@pytest.fixture
def declared(client_for):
    application = factories.ApplicationFactory(work_history=[dict(p) for p in TWO_PERIODS])
    client = client_for(application.candidate.user)
    return application, client, reverse("candidates:declare_step", args=[application.pk, "work"])


def save(client, url, data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data)


def test_editing_the_second_period_keeps_the_first(declared):
    application, client, url = declared
    data = as_posted(client.get(url))
    data["work-1-position"] = "项目管理"
    assert save(client, url, data).status_code == 302
    application.refresh_from_db()
    assert application.work_history == [TWO_PERIODS[0], {**TWO_PERIODS[1], "position": "项目管理"}]


def test_saving_without_touching_the_history_keeps_it(declared):
    application, client, url = declared
    response = save(client, url, as_posted(client.get(url)))
    assert response.status_code == 302, response.context["formset"].non_form_errors()
    application.refresh_from_db()
    assert application.work_history == TWO_PERIODS


def test_adding_a_period_keeps_the_others(declared):
    application, client, url = declared
    data = as_posted(client.get(url))
    data.update(
        {
            "work-2-start": "2008-07",
            "work-2-end": "2010-06",
            "work-2-employer": "株洲某厂",
            "work-2-position": "技术员",
        }
    )
    save(client, url, data)
    application.refresh_from_db()
    assert [p["employer"] for p in application.work_history] == [
        "株洲某厂",
        "长沙第一设计院",
        "长沙第二设计院",
    ]


def test_removing_a_period_keeps_the_others(declared):
    application, client, url = declared
    data = as_posted(client.get(url))
    data["work-0-DELETE"] = "on"
    save(client, url, data)
    application.refresh_from_db()
    assert application.work_history == [TWO_PERIODS[1]]


def test_removing_every_period_is_refused_and_nothing_changes(declared):
    application, client, url = declared
    data = as_posted(client.get(url))
    data["work-0-DELETE"] = data["work-1-DELETE"] = "on"
    response = save(client, url, data)
    assert response.status_code == 200 and "请至少填写一段工作经历" in response.content.decode()
    application.refresh_from_db()
    assert application.work_history == TWO_PERIODS


def test_the_declaration_in_steps_with_an_error_summary_and_honest_marks(client_for):
    """工作单位 → 学历 → 工作经历, each saved on its own; a refused step lists its problems at
    the top, each linking to its field; the required marks are those the rules require."""
    application = factories.ApplicationFactory(
        declared_at=None, employer=None, major="", school="", education_type="", education_level=""
    )
    client = client_for(application.candidate.user)
    first = client.get(reverse("candidates:declare", args=[application.pk])).content.decode()
    assert 'aria-current="step"' in first and "1. 工作单位" in first and "2. 学历" in first
    url = reverse("candidates:declare_step", args=[application.pk, "employer"])
    response = save(
        client, url, {"employer_name": "长沙某某设计院", "employer_credit_code": factories.make_credit_code()}
    )
    assert response["Location"] == reverse("candidates:declare_step", args=[application.pk, "education"])
    application.refresh_from_db()
    assert application.employer.name == "长沙某某设计院" and application.declared_at  # saved at once

    education = reverse("candidates:declare_step", args=[application.pk, "education"])
    page = client.get(education).content.decode()
    assert 'for="id_major">所学专业<span class="req"' in page  # required, marked
    refused = save(client, education, {"education_type": "higher"})
    html = refused.content.decode()
    assert refused.status_code == 200 and "请先修改以下问题" in html
    assert '<a href="#id_major">所学专业：请填写所学专业。</a>' in html
    assert '<a href="#id_school">' in html and '<a href="#id_education_type">' not in html
    # The detail page links each missing part to its step.
    detail = client.get(reverse("candidates:application", args=[application.pk])).content.decode()
    assert f'href="{education}"' in detail


def test_chsi_registration_follows_the_graduation_date(client_for):
    application = factories.ApplicationFactory(
        candidate__id_number=factories.make_id_number("19750101"),
        graduation_date=datetime.date(1998, 7, 1),
        chsi_registered=False,
    )
    client = client_for(application.candidate.user)
    education = reverse("candidates:declare_step", args=[application.pk, "education"])
    page = client.get(education).content.decode()
    assert (
        'name="chsi_registered"' in page
        and 'name="chsi_registered" id="id_chsi_registered" checked' not in page
    )
    data = {
        "education_level": "bachelor",
        "education_type": "higher",
        "school": "湖南大学",
        "major": "社会工作",
        "graduation_date": "1999-06",
        "chsi_registered": "on",  # ticked anyway: a degree of 1999 is not on chsi
    }
    response = save(client, education, data)
    assert response.status_code == 302, response.context["form"].errors
    application.refresh_from_db()
    assert application.chsi_registered is False
    assert [r.code for r in application.required_materials()][-1] == "edu_chsi_report"


def test_an_addition_declares_only_its_employer(client_for):
    application = factories.ApplicationFactory(application_kind="addition", roster_entry__addition=True)
    client = client_for(application.candidate.user)
    page = client.get(reverse("candidates:declare", args=[application.pk])).content.decode()
    assert "2. 学历" not in page
    assert (
        client.get(reverse("candidates:declare_step", args=[application.pk, "education"])).status_code == 404
    )
