"""The signed-in user, their roles and second-factor devices are kept in the cache between
requests (every page reads them), but any change to the account counts from the next
request: a deactivated account, a new password, a role or a device taken away, a reviewer
moved to another city."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviews.models import CityReviewer
from tests import factories

pytestmark = pytest.mark.django_db

QUEUE = reverse("reviews:queue")


@pytest.fixture
def reviewer():
    return factories.CityReviewerFactory(city__name="长沙市").user


def test_a_kept_account_reads_no_row_of_it(reviewer, own_client_for, django_assert_num_queries):
    client = own_client_for(reviewer)
    assert client.get(QUEUE).status_code == 200
    # The session, the user with their roles and the device, and the page: all kept.
    with django_assert_num_queries(0):
        assert client.get(QUEUE).status_code == 200


def test_a_deactivated_account_is_signed_out_on_the_next_request(reviewer, own_client_for):
    client = own_client_for(reviewer)
    assert client.get(QUEUE).status_code == 200
    reviewer.is_active = False
    reviewer.save(update_fields=["is_active"])
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("candidates:login"))


def test_a_password_changed_elsewhere_ends_the_other_sessions(reviewer, own_client_for):
    client = own_client_for(reviewer)
    assert client.get(QUEUE).status_code == 200
    user = get_user_model().objects.get(pk=reviewer.pk)
    user.set_password("a-new-password-2026")
    user.save()
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("candidates:login"))


def test_a_role_taken_away_or_moved_counts_at_once(reviewer, own_client_for):
    client = own_client_for(reviewer)
    assert "长沙市" in client.get(QUEUE).content.decode()
    role = CityReviewer.objects.get(user=reviewer)
    role.city = factories.CityFactory(name="株洲市")
    role.save()
    page = client.get(QUEUE).content.decode()
    assert "株洲市" in page and "长沙市" not in page
    role.delete()
    assert client.get(QUEUE).status_code == 404


def test_a_renamed_city_shows_on_the_next_request(reviewer, own_client_for):
    client = own_client_for(reviewer)
    assert "长沙市" in client.get(QUEUE).content.decode()
    city = CityReviewer.objects.get(user=reviewer).city
    city.name = "长沙市（湘江新区）"
    city.save()
    assert "长沙市（湘江新区）" in client.get(QUEUE).content.decode()


def test_a_removed_device_asks_for_the_second_factor_again(reviewer, own_client_for):
    client = own_client_for(reviewer)
    assert client.get(QUEUE).status_code == 200
    TOTPDevice.objects.filter(user=reviewer).delete()
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("candidates:otp"))


def test_another_users_device_does_not_count(reviewer, own_client_for):
    """The session's device id must name one of this user's confirmed devices."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client = own_client_for(reviewer)
    other = TOTPDevice.objects.create(user=factories.UserFactory(), name="other", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = other.persistent_id
    session.save()
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("candidates:otp"))
