import pytest

from tests import factories


@pytest.fixture
def submitted(make_submitted):
    return make_submitted()


@pytest.fixture
def reviewer(submitted):
    return factories.CityReviewerFactory(city=submitted.round.city).user


@pytest.fixture
def second_reviewer(submitted):
    return factories.CityReviewerFactory(city=submitted.round.city).user
