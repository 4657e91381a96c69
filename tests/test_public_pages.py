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
    """The rounds table is rendered once per version of what it shows: a renamed round, a new
    exam or a new round appear on the next view."""
    import datetime

    from django.utils import timezone

    now = timezone.now()
    round_ = factories.RoundFactory(name="2026年度核查（长沙）", closes_at=now + datetime.timedelta(days=3))
    assert "2026年度核查（长沙）" in client.get("/").content.decode()
    type(round_).objects.filter(pk=round_.pk).update(name="2026年度核查（长沙，延期）")
    assert "2026年度核查（长沙，延期）" in client.get("/").content.decode()
    round_.exams.add(factories.ExamFactory(name="注册安全工程师"))
    assert "注册安全工程师" in client.get("/").content.decode()
    factories.RoundFactory(name="2026年度补办核查（株洲）", closes_at=now + datetime.timedelta(days=3))
    page = client.get("/").content.decode()
    assert "2026年度补办核查（株洲）" in page and "2026年度核查（长沙，延期）" in page
