"""关怀版: switched from every page, remembered by the browser, safe about where it returns."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_switch_on_and_off_from_any_page(client):
    page = client.get(reverse("notices:list")).content.decode()
    assert 'action="/care-mode/"' in page and "关怀版（大字）" in page and 'class="care"' not in page
    response = client.post(reverse("care_mode"), {"care": "1", "next": "/pass-lists/?q=王"})
    assert response.status_code == 302 and response["Location"] == "/pass-lists/?q=%E7%8E%8B"
    assert (
        response.cookies["portal_care"].value == "1"
        and response.cookies["portal_care"]["max-age"] == 365 * 24 * 3600
    )
    page = client.get(reverse("candidates:self_check")).content.decode()
    assert '<html lang="zh-hans" class="care">' in page and "返回标准版" in page
    client.post(reverse("care_mode"), {"care": "0", "next": "/"})
    assert 'class="care"' not in client.get("/").content.decode()


def test_it_never_sends_anyone_elsewhere(client):
    response = client.post(reverse("care_mode"), {"care": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"
