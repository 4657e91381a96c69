"""What every operation shares: the bearer token, the client's rate, the one error shape,
the audit record of each call, and cursors."""

import functools

from django.conf import settings
from django.core.cache import cache
from ninja import Schema
from ninja.security import HttpBearer

from notices.enums import ApiScope
from notices.models import ApiClient
from notices.services.api_clients import api_call_record, api_client_for_token


class ErrorBody(Schema):
    code: str
    message: str
    details: list[dict] | None = None


class Error(Schema):
    """Every refusal, whatever its status."""

    error: ErrorBody


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: list[dict] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def error_body(code: str, message: str, details: list[dict] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details}}


# The statuses every operation with a token may answer besides its own.
COMMON = {400: Error, 401: Error, 403: Error, 422: Error, 429: Error}


class ClientToken(HttpBearer):
    """``Authorization: Bearer vp_…``; a revoked or unknown token is a 401."""

    def authenticate(self, request, token: str) -> ApiClient | None:
        return api_client_for_token(token)


class RateLimited(Exception):
    pass


def check_rate(client: ApiClient) -> None:
    """A fixed window a minute per client in the shared cache (every web process counts
    together); ``per_minute`` is the client's own limit."""
    import time

    key = f"api-rate:{client.pk}:{int(time.time() // 60)}"
    try:
        count = cache.incr(key)
    except ValueError:
        cache.add(key, 0, 90)
        count = cache.incr(key)
    if count > client.per_minute:
        raise RateLimited


def _records(result) -> int:
    if isinstance(result, tuple):
        result = result[1]
    if isinstance(result, dict):
        if "items" in result:
            return len(result["items"])
        if "received" in result:
            return int(result["received"])
    if isinstance(result, list):
        return len(result)
    return 1


def operation(name: str, scope: ApiScope, query=None):
    """An operation needing ``scope``: refused with 403 without it, rate-limited per client,
    and recorded in the audit trail with how many records it returned or took. A query
    parameter ``query`` (its filters' schema) does not name is refused (422), so a misspelt
    filter (``?cty=``) cannot silently widen the answer; so is one given twice (every filter
    takes one value, and which of two would count is nobody's guess)."""
    allowed = set(query.model_fields) if query is not None else set()

    def wrap(view):
        @functools.wraps(view)
        def inner(request, *args, **kwargs):
            client = request.auth
            query = request.get_full_path()
            try:
                check_rate(client)
                details = [
                    {"field": field, "message": "unknown query parameter"}
                    for field in sorted(set(request.GET) - allowed)
                ] + [
                    {"field": field, "message": "given more than once"}
                    for field in sorted(set(request.GET) & allowed)
                    if len(request.GET.getlist(field)) > 1
                ]
                if details:
                    raise ApiError(422, "invalid", "The request is not valid.", details[:20])
                if scope not in client.scopes:
                    raise ApiError(403, "forbidden", f"This client lacks the scope {scope.value}.")
                result = view(request, *args, **kwargs)
            except ApiError as error:
                api_call_record(client=client, operation=name, status=error.status, records=0, query=query)
                raise
            except RateLimited:
                raise  # not recorded: a client over its rate could otherwise fill the trail
            api_call_record(client=client, operation=name, status=200, records=_records(result), query=query)
            return result

        return inner

    return wrap


def city_scope(client: ApiClient) -> set[int] | None:
    """The cities a client may see, or None for every city."""
    if client.all_cities:
        return None
    if not hasattr(client, "_city_ids"):
        client._city_ids = set(client.cities.values_list("pk", flat=True))
    return client._city_ids


def page_size(limit: int | None) -> int:
    return max(1, min(limit or settings.PORTAL_API_PAGE_SIZE, settings.PORTAL_API_PAGE_MAX))
