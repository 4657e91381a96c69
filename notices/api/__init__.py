"""The portal's API for the province's systems (django-ninja: the OpenAPI 3.1 description
is generated from the type hints, and served with its docs from the portal itself)."""

from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from notices.api.base import ApiError, ClientToken, RateLimited, error_body
from notices.api.endpoints import router

api = NinjaAPI(
    title="资格核查 API",
    version="1",
    description=(
        "Rosters in, outcomes, pass lists and certificates out, for systems an administrator "
        "registered (管理 → 接口调用方). Send `Authorization: Bearer <token>`. Every refusal has "
        'one shape: `{"error": {"code", "message", "details"}}`. Lists page by cursor: pass '
        "`next_cursor` back as `cursor`."
    ),
    auth=ClientToken(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/", router)


@api.exception_handler(ApiError)
def api_error(request, error: ApiError):
    return api.create_response(
        request, error_body(error.code, error.message, error.details), status=error.status
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request, error):
    return api.create_response(
        request, error_body("unauthenticated", "A valid bearer token is required."), status=401
    )


@api.exception_handler(RateLimited)
def rate_limited(request, error):
    response = api.create_response(
        request, error_body("rate_limited", "Too many calls this minute; try again shortly."), status=429
    )
    response["Retry-After"] = "60"
    return response


@api.exception_handler(ValidationError)
def invalid(request, error: ValidationError):
    details = [
        {"field": ".".join(str(part) for part in item.get("loc", ())), "message": str(item.get("msg", ""))}
        for item in error.errors
    ]
    return api.create_response(
        request, error_body("invalid", "The request is not valid.", details), status=422
    )


@api.exception_handler(HttpError)
def http_error(request, error: HttpError):
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "error")
    return api.create_response(request, error_body(code, str(error.message)), status=error.status_code)
