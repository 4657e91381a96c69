"""Passes after a round's first publication go on a supplementary list (补充公示) of the same
round, with its own objection period, by the same job; withdrawn entries stay withdrawn."""

import datetime

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from candidates.enums import ApplicationStatus
from candidates.models import AuditEvent
from notices.enums import PassListStatus
from notices.models import PassList
from notices.services.publication import (
    pass_list_publish,
    pass_list_publish_supplementary,
    report_handle,
    report_submit,
)
from notices.tasks import task_publish_due
from tests import factories

pytestmark = pytest.mark.django_db


def names(pass_list):
    return sorted(pass_list.entries.values_list("name", flat=True))


@pytest.fixture
def published_round():
    round_ = factories.RoundFactory(publication_at=timezone.now() - datetime.timedelta(minutes=1))
    people = {
        name: factories.ApplicationFactory(
            roster_entry__round=round_, candidate__real_name=name, status=ApplicationStatus.PASSED
        )
        for name in ("王一", "李二")
    }
    late = factories.ApplicationFactory(
        roster_entry__round=round_, candidate__real_name="张三", status=ApplicationStatus.CITY_REVIEW
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = pass_list_publish(round_=round_)
    first.refresh_from_db()
    assert first.status == PassListStatus.PUBLISHED and names(first) == ["李二", "王一"]
    return round_, people, late, first


def run_job(now):
    with TestCase.captureOnCommitCallbacks(execute=True):
        task_publish_due.apply().get()


def test_a_late_pass_is_published_on_a_supplementary_list(published_round, client, monkeypatch):
    round_, _people, late, first = published_round
    type(late).objects.filter(pk=late.pk).update(status=ApplicationStatus.PASSED)
    # Within the day after the first list: batched, nothing yet.
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert pass_list_publish_supplementary(round_=round_) is None
    later = timezone.now() + datetime.timedelta(hours=25)
    with TestCase.captureOnCommitCallbacks(execute=True):
        supplementary = pass_list_publish_supplementary(round_=round_, now=later)
    supplementary.refresh_from_db()
    assert (supplementary.series, supplementary.version) == (2, 1)
    assert supplementary.status == PassListStatus.PUBLISHED and names(supplementary) == ["张三"]
    assert supplementary.objection_ends_at > first.objection_ends_at  # its own period
    first.refresh_from_db()
    assert first.status == PassListStatus.PUBLISHED  # the first list is not superseded
    # Run again: nobody is waiting, no third list.
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert pass_list_publish_supplementary(round_=round_, now=later + datetime.timedelta(days=2)) is None
    # The public page shows both lists of the round, in order.
    index = client.get(reverse("notices:pass_lists")).content.decode()
    assert index.index("通过人员名单") < index.index("补充公示名单（第 1 批）")
    detail = client.get(reverse("notices:pass_list", args=[supplementary.pk])).content.decode()
    assert "张三" in detail and "王一" not in detail and "补充公示名单（第 1 批）" in detail
    assert reverse("notices:pass_list", args=[first.pk]) in detail


def test_the_periodic_job_publishes_the_supplementary_list(published_round, settings):
    round_, _people, late, _first = published_round
    type(late).objects.filter(pk=late.pk).update(status=ApplicationStatus.PASSED)
    settings.PORTAL_SUPPLEMENTARY_LIST_HOURS = 0
    run_job(timezone.now())
    supplementary = PassList.objects.get(round=round_, series=2)
    assert supplementary.status == PassListStatus.PUBLISHED and names(supplementary) == ["张三"]
    run_job(timezone.now())
    assert PassList.objects.filter(round=round_).count() == 2


def test_the_administrator_publishes_a_supplementary_list_at_once(published_round, client_for):
    round_, _people, late, _first = published_round
    type(late).objects.filter(pk=late.pk).update(status=ApplicationStatus.PASSED)
    admin = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin.post(reverse("notices:round_publish", args=[round_.pk]), follow=True)
    assert "补充公示名单（第 1 批）正在生成（1 人）" in response.content.decode()
    assert names(PassList.objects.get(round=round_, series=2)) == ["张三"]


def test_a_withdrawn_entry_stays_withdrawn_on_every_later_version(published_round):
    round_, people, late, first = published_round
    admin = factories.UserFactory(is_superuser=True)

    def uphold(pass_list, name):
        entry = pass_list.entries.get(name=name)
        report = report_submit(
            entry=entry, address=f"10.0.0.{len(name)}", contact="c", text="经查工作年限不足三年。"
        )
        with TestCase.captureOnCommitCallbacks(execute=True):
            report_handle(report=report, user=admin, upheld=True, outcome="工作年限不足")

    uphold(first, "李二")
    second = PassList.objects.get(round=round_, series=1, version=2)
    assert names(second) == ["王一"]
    # 李二 wins an appeal later; a new pass is not a way back onto the list the report took them off.
    type(late).objects.filter(pk__in=[late.pk, people["李二"].pk]).update(status=ApplicationStatus.PASSED)
    with TestCase.captureOnCommitCallbacks(execute=True):
        supplementary = pass_list_publish_supplementary(round_=round_, wait=False)
    assert names(supplementary) == ["张三"]
    # A second upheld report on the first list: the new version is built from the latest.
    uphold(PassList.objects.get(pk=second.pk), "王一")
    third = PassList.objects.get(round=round_, series=1, version=3)
    assert names(third) == []
    assert PassList.objects.get(round=round_, series=2, version=1).status == PassListStatus.PUBLISHED


def test_publish_now_is_explained_and_confirmed_and_the_time_is_set_in_manage(client_for):
    import datetime

    round_ = factories.RoundFactory(publication_at=timezone.now() + datetime.timedelta(days=3))
    factories.ApplicationFactory(roster_entry__round=round_, status=ApplicationStatus.PASSED)
    admin_user = factories.UserFactory(is_superuser=True, is_staff=True)
    admin = client_for(admin_user)
    home = admin.get(reverse("notices:manage")).content.decode()
    assert (
        "立即公示…" in home
        and "生成公示名单" not in home
        and 'type="datetime-local" name="publication_at"' in home
    )
    # A new publication time through the page's picker.
    admin.post(reverse("notices:round_publication", args=[round_.pk]), {"publication_at": "2026-12-20T09:00"})
    round_.refresh_from_db()
    assert timezone.localtime(round_.publication_at).strftime("%Y-%m-%d %H:%M") == "2026-12-20 09:00"
    assert AuditEvent.objects.filter(action="round.publication_set").exists()
    # The confirmation says what happens; nothing is published before the POST.
    page = admin.get(reverse("notices:round_publish", args=[round_.pk])).content.decode()
    assert "本轮定于 2026-12-20 09:00 自动公示" in page and "将公示目前核查通过的 1 人" in page
    assert not PassList.objects.filter(round=round_).exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        admin.post(reverse("notices:round_publish", args=[round_.pk]))
    assert PassList.objects.get(round=round_).entry_count == 1
    round_.refresh_from_db()
    assert round_.publication_at <= timezone.now()
    # Once published, the time cannot be changed.
    admin.post(reverse("notices:round_publication", args=[round_.pk]), {"publication_at": "2027-01-01T09:00"})
    round_.refresh_from_db()
    assert round_.publication_at.year == 2026
