"""The API against its own OpenAPI description (schemathesis, in-process over WSGI): every
operation, with a token and without, with valid and with deliberately wrong input. Any
status the description does not declare, a body that does not match it, or a 500 fails."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from candidates.enums import ApplicationStatus
from notices.enums import ApiScope
from notices.services.api_clients import api_client_create
from tests import factories

pytestmark = pytest.mark.django_db
EXAMPLES = settings(
    max_examples=20,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples every run: CI is not a lottery
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api_schema():
    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(settings):
    settings.PORTAL_API_FEED_SETTLE_SECONDS = 0
    round_ = factories.RoundFactory()
    factories.ApplicationFactory(roster_entry__round=round_, status=ApplicationStatus.PASSED)
    _client, token = api_client_create(
        user=factories.UserFactory(is_superuser=True, is_staff=True),
        name="schema check",
        scopes=list(ApiScope.values),
        all_cities=True,
        per_minute=100_000,
    )
    return token


def operations(schema) -> list:
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) == 8  # every operation the API has (a new one is checked here too)
    return found


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=lambda mode: mode.value)
def test_every_operation_with_a_token_answers_as_described(api_schema, token, mode):
    for operation in operations(api_schema):

        @given(case=operation.as_strategy(generation_mode=mode))
        @EXAMPLES
        def check(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"})

        check()


def test_every_operation_without_a_token_answers_401_as_described(api_schema):
    for operation in operations(api_schema):

        @given(case=operation.as_strategy())
        @EXAMPLES
        def check(case):
            response = case.call_and_validate()
            assert response.status_code == 401

        check()
