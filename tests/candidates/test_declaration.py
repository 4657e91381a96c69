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
    return application, client, reverse("candidates:declare", args=[application.pk])


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
