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
