"""关怀版 (the care mode of MIIT's 2021 适老化 specification): larger text, higher contrast,
bigger targets, no motion. Switched from every page, remembered by this browser (a cookie),
working without script."""

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

COOKIE = "portal_care"
YEAR = 365 * 24 * 3600


def care_mode(request) -> dict:
    """Context processor: whether the page is drawn in the care mode."""
    return {"care_mode": request.COOKIES.get(COOKIE) == "1"}


@require_POST
def care_mode_switch(request):
    following = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        following, allowed_hosts={request.get_host()}, require_https=False
    ):
        following = "/"
    response = HttpResponseRedirect(following)
    if request.POST.get("care") == "1":
        response.set_cookie(COOKIE, "1", max_age=YEAR, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
