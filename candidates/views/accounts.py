from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from candidates import permissions
from candidates.forms import (
    LoginForm,
    PasswordResetCodeForm,
    PasswordResetRequestForm,
    PhoneCodeForm,
    RegistrationForm,
)
from candidates.selectors import pending_profile
from candidates.services.accounts import (
    candidate_password_reset,
    candidate_password_reset_request,
    candidate_phone_code_resend,
    candidate_phone_verify,
    candidate_register,
    staff_totp_device,
    staff_totp_verify,
)
from verification_portal.client import client_address
from verification_portal.shared.forms import add_service_errors

from ._common import PENDING_PROFILE


def register(request):
    if request.user.is_authenticated:
        return redirect("candidates:dashboard")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            profile = candidate_register(
                real_name=data["real_name"],
                id_number=data["id_number"],
                phone=data["phone"],
                password=data["password1"],
                email=data["email"],
                client_address=client_address(request),
            )
        except ValidationError as error:
            add_service_errors(form, error, field="password1")
        else:
            request.session[PENDING_PROFILE] = profile.pk
            messages.success(request, _("验证码已发送到您的手机，请在 5 分钟内输入以完成注册。"))
            return redirect("candidates:verify_phone")
    return render(request, "candidates/register.html", {"form": form})


def verify_phone(request):
    """The second step of registration (and of the first login of an account made before
    phones were verified): the SMS code sent to the account's phone."""
    profile = pending_profile(pk=request.session.get(PENDING_PROFILE))
    if profile is None:
        messages.info(request, _("请先注册或登录。"))
        return redirect("candidates:login")
    form = PhoneCodeForm(request.POST or None)
    if request.method == "POST" and "resend" in request.POST:
        try:
            candidate_phone_code_resend(profile=profile, client_address=client_address(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("验证码已重新发送。"))
        return redirect("candidates:verify_phone")
    if request.method == "POST" and form.is_valid():
        try:
            candidate_phone_verify(profile=profile, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error, field="code")
        else:
            del request.session[PENDING_PROFILE]
            login(request, profile.user, backend="candidates.auth.IdNumberOrPhoneBackend")
            messages.success(request, _("手机号码已验证，注册完成。请在下方查看您需要参加的核查。"))
            return redirect("candidates:dashboard")
    return render(
        request,
        "candidates/verify_phone.html",
        {"form": form, "masked_phone": f"{profile.phone[:3]}****{profile.phone[7:]}"},
    )


RESET_PHONE = "password_reset_phone"


def password_reset_request(request):
    """Candidates reset their password with a code sent to their phone. The answer is the
    same whether the number holds an account or not."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            candidate_password_reset_request(phone=phone, client_address=client_address(request))
        except ValidationError as error:
            add_service_errors(form, error, field="phone")
        else:
            request.session[RESET_PHONE] = phone
            messages.success(request, _("如该号码已注册，验证码已发送，5 分钟内有效。"))
            return redirect("candidates:password_reset_code")
    return render(request, "registration/candidate_reset_request.html", {"form": form})


def password_reset_code(request):
    phone = request.session.get(RESET_PHONE)
    if not phone:
        return redirect("candidates:password_reset")
    form = PasswordResetCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            candidate_password_reset(
                phone=phone, code=form.cleaned_data["code"], password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            add_service_errors(form, error, field="code")
        else:
            del request.session[RESET_PHONE]
            messages.success(request, _("密码已重置，请用新密码登录。"))
            return redirect("candidates:login")
    return render(
        request,
        "registration/candidate_reset_code.html",
        {"form": form, "masked_phone": f"{phone[:3]}****{phone[7:]}"},
    )


def _qr_svg(data: str) -> str:
    import base64

    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


@login_required
def second_factor(request):
    """Staff confirm a TOTP code after the password (and set up the authenticator the first time)."""
    if not permissions.is_staff_member(request.user):
        raise Http404
    device = staff_totp_device(user=request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("candidates:dashboard")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("candidates:dashboard")
    error = None
    if request.method == "POST":
        if staff_totp_verify(request=request, token=request.POST.get("token", "")):
            return redirect(next_url)
        error = _("验证码不正确或已过期，请输入验证器应用中当前显示的 6 位数字。")
    context = {"device": device, "error": error, "next": next_url}
    if not device.confirmed:
        from base64 import b32encode

        context["qr"] = _qr_svg(device.config_url)
        context["secret"] = b32encode(device.bin_key).decode()
    return render(request, "registration/otp.html", context)


def login_attempts_left(request) -> int | None:
    """How many more wrong passwords the lockout allows for the typed account on this network
    (django-axes counts them); None when nothing was counted."""
    from axes.models import AccessAttempt

    from candidates.auth import lockout_key
    from verification_portal.client import client_address as address_of

    attempt = AccessAttempt.objects.filter(
        username=lockout_key(request), ip_address=address_of(request)
    ).first()
    if attempt is None:
        return None
    return max(0, settings.AXES_FAILURE_LIMIT - attempt.failures_since_start)


class PortalLoginView(LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        if form.has_error(NON_FIELD_ERRORS, "unverified"):
            profile = form.get_user().candidate
            self.request.session[PENDING_PROFILE] = profile.pk
            try:
                candidate_phone_code_resend(profile=profile, client_address=client_address(self.request))
            except ValidationError as error:
                messages.error(self.request, " ".join(error.messages))
            else:
                messages.info(self.request, _("您的手机号码尚未验证，验证码已发送到注册时的手机号码。"))
            return redirect("candidates:verify_phone")
        left = login_attempts_left(self.request)
        if left is not None and left <= 2:
            messages.warning(
                self.request,
                _(
                    "再输错 {left} 次，该账号在本网络的登录将锁定 {minutes} 分钟。"
                    "忘记密码可点“忘记密码”重设。"
                ).format(left=left, minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)),
            )
        return super().form_invalid(form)
