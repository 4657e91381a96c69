import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from candidates.models import Application, AuditEvent
from reviews.services.claims import application_claim, application_claim_next, application_release
from tests import factories

pytestmark = pytest.mark.django_db


def test_claim_and_release(submitted, reviewer):
    application_claim(application=submitted, user=reviewer)
    submitted.refresh_from_db()
    assert submitted.claimed_by == reviewer and submitted.claimed_until > timezone.now()
    application_release(application=submitted, user=reviewer)
    submitted.refresh_from_db()
    assert submitted.claimed_by is None
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="review.")] == [
        "review.claim",
        "review.release",
    ]


def test_claim_held_by_another_is_refused(submitted, reviewer, second_reviewer):
    application_claim(application=submitted, user=reviewer)
    with pytest.raises(ValidationError) as error:
        application_claim(application=submitted, user=second_reviewer)
    assert error.value.code == "claimed"
    submitted.refresh_from_db()
    assert submitted.claimed_by == reviewer


def test_expired_claim_can_be_taken(submitted, reviewer, second_reviewer, settings):
    application_claim(application=submitted, user=reviewer)
    later = timezone.now() + datetime.timedelta(minutes=settings.PORTAL_CLAIM_MINUTES, seconds=1)
    application_claim(application=submitted, user=second_reviewer, now=later)
    submitted.refresh_from_db()
    assert submitted.claimed_by == second_reviewer


def test_reviewer_of_another_city_cannot_claim(submitted):
    from django.core.exceptions import PermissionDenied

    outsider = factories.CityReviewerFactory().user
    with pytest.raises(PermissionDenied):
        application_claim(application=submitted, user=outsider)


def test_claim_next_takes_longest_waiting_unclaimed(make_submitted):
    second = make_submitted()
    city = second.round.city
    first = make_submitted(roster_entry__round__city=city)
    make_submitted()  # another city's item is never offered
    Application.objects.filter(pk=first.pk).update(
        status_changed_at=timezone.now() - datetime.timedelta(days=2)
    )
    reviewer, second_reviewer = (factories.CityReviewerFactory(city=city).user for _ in range(2))
    assert application_claim_next(user=reviewer).pk == first.pk
    assert application_claim_next(user=second_reviewer).pk == second.pk
    assert application_claim_next(user=factories.CityReviewerFactory(city=city).user) is None


@pytest.mark.django_db(transaction=True)
def test_claim_race_two_connections_exactly_one_wins(make_submitted):
    application = make_submitted()
    reviewers = [factories.CityReviewerFactory(city=application.round.city).user for _ in range(2)]
    barrier = threading.Barrier(2)
    results = {}

    def attempt(user):
        try:
            barrier.wait(timeout=5)
            application_claim(application=Application.objects.get(pk=application.pk), user=user)
            results[user.pk] = "won"
        except ValidationError as error:
            results[user.pk] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(user,)) for user in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(results.values()) == ["claimed", "won"]
    winner = next(pk for pk, outcome in results.items() if outcome == "won")
    assert Application.objects.get(pk=application.pk).claimed_by_id == winner
    assert AuditEvent.objects.filter(action="review.claim").count() == 1
