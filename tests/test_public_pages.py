"""The public pages on a phone: tap-to-call numbers, the self-check's numbering and link."""

import pytest
from django.urls import reverse

from candidates.templatetags.portal import tel_links
from tests import factories

pytestmark = pytest.mark.django_db


def test_phone_numbers_are_tap_to_call_and_the_rest_is_escaped():
    assert tel_links("0731-84907978、84907900") == (
        '<a href="tel:073184907978" class="tel">0731-84907978</a>、'
        '<a href="tel:84907900" class="tel">84907900</a>'
    )
    assert (
        tel_links("<b>13800138000</b>")
        == '&lt;b&gt;<a href="tel:13800138000" class="tel">13800138000</a>&lt;/b&gt;'
    )


def test_cities_page_links_the_numbers(client):
    factories.CityFactory(name="湘潭", verification_phone="0731-58580000")
    page = client.get(reverse("notices:cities")).content.decode()
    assert '<a href="tel:073158580000" class="tel">0731-58580000</a>' in page and 'class="name">湘潭<' in page


def test_the_self_check_numbers_each_item_once(client):
    page = client.get(
        reverse("candidates:self_check") + "?kind=normal&education=higher&graduated=2010-07&registered=on"
    )
    html = page.content.decode()
    assert '<ul class="requirements">' in html and '<ol class="requirements">' not in html
    assert html.count("（三）") == 1 and 'class="muted share"' in html


def test_the_homes_table_is_kept_but_shows_every_change_at_once(client):
    """The page is kept under the version of the rounds, their exams and cities: a renamed
    round, a new exam, a new round or a renamed city appear on the next view."""
    import datetime

    from django.utils import timezone

    now = timezone.now()
    round_ = factories.RoundFactory(name="2026年度核查（长沙）", closes_at=now + datetime.timedelta(days=3))
    assert "2026年度核查（长沙）" in client.get("/").content.decode()
    round_.name = "2026年度核查（长沙，延期）"
    round_.save()
    assert "2026年度核查（长沙，延期）" in client.get("/").content.decode()
    round_.exams.add(factories.ExamFactory(name="注册安全工程师"))
    assert "注册安全工程师" in client.get("/").content.decode()
    factories.RoundFactory(name="2026年度补办核查（株洲）", closes_at=now + datetime.timedelta(days=3))
    page = client.get("/").content.decode()
    assert "2026年度补办核查（株洲）" in page and "2026年度核查（长沙，延期）" in page
    round_.city.name = "长沙市（湘江新区）"
    round_.city.save()
    assert "长沙市（湘江新区）" in client.get("/").content.decode()


def test_the_kept_home_costs_no_query_and_leaves_with_its_last_round(client, django_assert_num_queries):
    import datetime

    from django.utils import timezone

    from candidates.selectors import rounds_on_home, rounds_on_home_kept_seconds

    now = timezone.now()
    closes_at = now - datetime.timedelta(days=30, seconds=-90)
    factories.RoundFactory(
        name="2026年度核查（长沙）", opens_at=closes_at - datetime.timedelta(days=10), closes_at=closes_at
    )
    assert "2026年度核查（长沙）" in client.get("/").content.decode()
    with django_assert_num_queries(0):
        assert "2026年度核查（长沙）" in client.get("/").content.decode()
    # It leaves the home page 30 days after closing, 90 s from now: not kept past that.
    assert 0 < rounds_on_home_kept_seconds(rounds=list(rounds_on_home(now=now)), now=now) <= 91


def test_the_kept_notice_list_shows_a_new_notice_and_a_renamed_city(client):
    from notices.models import Notice

    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    round_ = factories.RoundFactory(city__name="长沙市")
    Notice.objects.create(
        title="关于开展2026年度考后人工核查的通知", body="正文", created_by=admin, round=round_
    )
    page = client.get(reverse("notices:list")).content.decode()
    assert "关于开展2026年度考后人工核查的通知" in page and "长沙市" in page
    Notice.objects.create(title="补充通知", body="正文", created_by=admin)
    assert "补充通知" in client.get(reverse("notices:list")).content.decode()
    round_.city.name = "长沙市（湘江新区）"
    round_.city.save()
    assert "长沙市（湘江新区）" in client.get(reverse("notices:list")).content.decode()
