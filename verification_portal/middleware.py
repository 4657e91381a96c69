from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    """Chinese unless the visitor chose another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; the portal is
    Chinese by default for everyone, and English only on request (the language cookie).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response


class StaffSecondFactorMiddleware:
    """Staff must confirm a TOTP code before anything else (setting one up on first login)."""

    EXEMPT = ("/otp/", "/logout/", "/static/", "/i18n/", "/care-mode/", "/favicon.ico")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from candidates.permissions import is_staff_member

        user = request.user
        # Known to the templates: until the code is confirmed the menu offers only 退出.
        request.awaiting_second_factor = (
            settings.PORTAL_STAFF_OTP_REQUIRED
            and user.is_authenticated
            and not user.is_verified()
            and is_staff_member(user)
        )
        if request.awaiting_second_factor and not request.path.startswith(self.EXEMPT):
            return redirect_to_login(request.get_full_path(), login_url=reverse("candidates:otp"))
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuse a request body above ``PORTAL_REQUEST_MAX_BYTES`` before reading it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.PORTAL_REQUEST_MAX_BYTES
        if length > limit:
            from django.http import HttpResponse, JsonResponse
            from django.utils.translation import gettext as _

            message = _("上传内容共 {size:.0f} MB，超过单次 {limit:.0f} MB 的上限，请分批上传。").format(
                size=length / 1048576, limit=limit / 1048576
            )
            if "application/json" in request.headers.get("Accept", ""):
                return JsonResponse({"ok": False, "errors": [message]}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class RefuseNulBytesMiddleware:
    """A NUL byte in a query or form value cannot be stored or searched (PostgreSQL refuses
    it in text): answer 400 with the portal's message before any view sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _has_nul(data) -> bool:
        return any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data)

    def __call__(self, request):
        from verification_portal.errors import NulByteInRequest, bad_request

        form = request.method == "POST" and request.content_type == "application/x-www-form-urlencoded"
        if "\x00" in request.path or self._has_nul(request.GET) or (form and self._has_nul(request.POST)):
            return bad_request(request, NulByteInRequest())
        return self.get_response(request)
