"""Accounts: candidates' registration with a verified phone, password reset, the release
of an ID number held by the wrong person; staff second factor."""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from candidates.enums import ApplicationStatus, Event, PhoneCodePurpose, RosterStatus
from candidates.models import CandidateProfile, PhoneCode, RosterEntry
from candidates.validators import clean_name, parse_id_number, validate_phone
from notices.sms import send_sms
from verification_portal.shared.audit import audit_record
from verification_portal.shared.jobs import enqueue_on_commit

CODE_SALT = "candidates.phone_code"


def _code_hash(*, phone: str, purpose: str, code: str) -> str:
    """Keyed with the secret key: a copy of the table does not give the codes away."""
    return salted_hmac(CODE_SALT, f"{phone}:{purpose}:{code}", algorithm="sha256").hexdigest()


def phone_code_issue(*, phone: str, purpose: str, client_address: str | None, now=None) -> PhoneCode:
    """Create a one-time code for ``phone`` and send it by SMS after the commit.

    At most 1 code a minute, 5 an hour and 10 a day per number, and
    ``PORTAL_SMS_CODES_PER_ADDRESS_HOUR`` per client address. The code is stored only as a
    keyed hash; it lasts ``PORTAL_SMS_CODE_MINUTES`` and ``PORTAL_SMS_CODE_ATTEMPTS`` tries."""
    now = now or timezone.now()
    per_minute, per_hour, per_day = settings.PORTAL_SMS_CODE_LIMITS
    sent = PhoneCode.objects.filter(phone=phone)
    if sent.filter(created_at__gt=now - datetime.timedelta(minutes=1)).count() >= per_minute:
        raise ValidationError(_("验证码发送过于频繁，请 1 分钟后再试。"), code="sms_minute")
    if sent.filter(created_at__gt=now - datetime.timedelta(hours=1)).count() >= per_hour:
        raise ValidationError(
            _("该号码 1 小时内获取验证码已达 {count} 次，请稍后再试。").format(count=per_hour),
            code="sms_hour",
        )
    if sent.filter(created_at__gt=now - datetime.timedelta(days=1)).count() >= per_day:
        raise ValidationError(
            _("该号码今日获取验证码已达 {count} 次上限，请明天再试。").format(count=per_day), code="sms_day"
        )
    if (
        client_address
        and PhoneCode.objects.filter(
            client_address=client_address, created_at__gt=now - datetime.timedelta(hours=1)
        ).count()
        >= settings.PORTAL_SMS_CODES_PER_ADDRESS_HOUR
    ):
        raise ValidationError(_("您所在的网络获取验证码过于频繁，请 1 小时后再试。"), code="sms_address")
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        issued = PhoneCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=_code_hash(phone=phone, purpose=purpose, code=code),
            client_address=client_address or None,
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=settings.PORTAL_SMS_CODE_MINUTES),
        )
        # Not through the outbox: the code must not be stored in clear. Lost with the broker,
        # the person asks for another.
        enqueue_on_commit("candidates.send_phone_code", record=False, code_id=issued.pk, code=code)
    return issued


def phone_code_deliver(*, issued: PhoneCode, code: str, now=None) -> bool:
    """Send the code by SMS: only a live code whose hash matches, and a password-reset code
    only to a number that holds an account (the request looked the same either way)."""
    now = now or timezone.now()
    if issued.used_at or issued.expires_at <= now:
        return False
    expected = _code_hash(phone=issued.phone, purpose=issued.purpose, code=code)
    if not constant_time_compare(expected, issued.code_hash):
        return False
    if issued.purpose == PhoneCodePurpose.RESET and not _holder_of(phone=issued.phone):
        return False
    minutes = settings.PORTAL_SMS_CODE_MINUTES
    text = {
        PhoneCodePurpose.REGISTER: _("您正在注册考后人工核查系统账号，验证码 {code}，{minutes} 分钟内有效。"),
        PhoneCodePurpose.RESET: _("您正在重置考后人工核查系统密码，验证码 {code}，{minutes} 分钟内有效。"),
    }[issued.purpose].format(code=code, minutes=minutes)
    send_sms(issued.phone, text + _("如非本人操作，请忽略。"))
    return True


def phone_code_check(*, phone: str, purpose: str, code: str, now=None) -> None:
    """Consume the latest live code for the number, or raise. A wrong try counts, and is
    kept even though the caller's request fails."""
    now = now or timezone.now()
    code = (code or "").strip()
    wrong = ValidationError(_("验证码不正确或已过期，请重新获取。"), code="sms_wrong")
    with transaction.atomic():
        issued = (
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if issued is None:
            raise wrong
        if issued.attempts >= settings.PORTAL_SMS_CODE_ATTEMPTS:
            raise ValidationError(_("验证码错误次数过多，请重新获取。"), code="sms_attempts")
        if code.isdigit() and constant_time_compare(
            _code_hash(phone=phone, purpose=purpose, code=code), issued.code_hash
        ):
            issued.used_at = now
            issued.save(update_fields=["used_at"])
            return
        issued.attempts += 1
        issued.save(update_fields=["attempts"])
    raise wrong


def _holder_of(*, id_number: str | None = None, phone: str | None = None) -> CandidateProfile | None:
    """The verified, unreleased account holding this ID number or phone."""
    holders = CandidateProfile.objects.filter(phone_verified_at__isnull=False, released_at__isnull=True)
    if id_number:
        return holders.filter(id_number=id_number).first()
    return holders.filter(phone=phone).first()


ID_TAKEN = _lazy(
    "该身份证号已注册，请直接登录；忘记密码可用手机验证码重置。如您从未注册过，请联系所在市州人社局。"
)
PHONE_TAKEN = _lazy("该手机号码已被其他账号使用。")


def candidate_register(
    *,
    real_name: str,
    id_number: str,
    phone: str,
    password: str,
    email: str = "",
    client_address: str | None = None,
) -> CandidateProfile:
    """Create a candidate account, inactive until its phone is verified by an SMS code
    (``candidate_phone_verify``); the code is sent here.

    Only verified accounts hold their ID number and phone: an account that never
    verified its phone does not stop the real person from registering."""
    identity = parse_id_number(id_number)
    validate_phone(phone)
    real_name = clean_name(real_name, label=_("姓名"))
    if not real_name:
        raise ValidationError({"real_name": _("请填写姓名。")})
    errors = {}
    if _holder_of(id_number=identity.id_number):
        errors["id_number"] = ID_TAKEN
    if _holder_of(phone=phone):
        errors["phone"] = PHONE_TAKEN
    if errors:
        raise ValidationError(errors)
    User = get_user_model()
    user = User(
        username=f"c{identity.id_number}-{secrets.token_hex(4)}",
        email=email,
        first_name=real_name,
        is_active=False,
    )
    validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        profile = CandidateProfile.objects.create(
            user=user,
            real_name=real_name,
            id_type=identity.id_type,
            id_number=identity.id_number,
            phone=phone,
            gender=identity.gender,
            birth_date=identity.birth_date,
        )
        audit_record(
            actor=None,
            action="candidate.register",
            target=profile,
            data={"real_name": real_name, "phone": phone, "id_type": identity.id_type},
        )
        phone_code_issue(phone=phone, purpose=PhoneCodePurpose.REGISTER, client_address=client_address)
    return profile


def candidate_phone_verify(*, profile: CandidateProfile, code: str, now=None) -> CandidateProfile:
    """Activate the account with the SMS code sent to its phone. The first account to
    verify holds the ID number and the phone; any other then learns it is taken."""
    now = now or timezone.now()
    if profile.released_at is not None:
        raise ValidationError(_("该账号已被停用，请联系所在市州人社局。"), code="released")
    if profile.phone_verified_at is not None:
        return profile
    purpose = PhoneCodePurpose.REGISTER
    phone_code_check(phone=profile.phone, purpose=purpose, code=code, now=now)
    try:
        with transaction.atomic():
            if _holder_of(id_number=profile.id_number):
                raise ValidationError(ID_TAKEN, code="id_taken")
            if _holder_of(phone=profile.phone):
                raise ValidationError(PHONE_TAKEN, code="phone_taken")
            profile.phone_verified_at = now
            profile.save(update_fields=["phone_verified_at"])
            profile.user.is_active = True
            profile.user.save(update_fields=["is_active"])
            audit_record(
                actor=profile.user,
                action="candidate.phone_verified",
                target=profile,
                data={"phone": profile.phone},
            )
    except IntegrityError:
        raise ValidationError(ID_TAKEN, code="id_taken") from None
    return profile


def candidate_phone_code_resend(*, profile: CandidateProfile, client_address: str | None) -> PhoneCode:
    if profile.phone_verified_at is not None or profile.released_at is not None:
        raise ValidationError(_("该账号无需验证手机号码。"), code="not_pending")
    return phone_code_issue(
        phone=profile.phone, purpose=PhoneCodePurpose.REGISTER, client_address=client_address
    )


def candidate_password_reset_request(*, phone: str, client_address: str | None) -> None:
    """Send a reset code when the number holds an account. The answer, the limits and the
    work done are the same whether it does or not, so nobody learns who is registered."""
    validate_phone(phone)
    phone_code_issue(phone=phone, purpose=PhoneCodePurpose.RESET, client_address=client_address)


def candidate_password_reset(*, phone: str, code: str, password: str, now=None) -> None:
    """Set a new password with the code sent to the phone. A wrong code and a number with
    no account get the same answer."""
    validate_password(password)
    phone_code_check(phone=phone, purpose=PhoneCodePurpose.RESET, code=code, now=now)
    profile = _holder_of(phone=phone)
    if profile is None:
        raise ValidationError(_("验证码不正确或已过期，请重新获取。"), code="sms_wrong")
    user = profile.user
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(actor=user, action="candidate.password_reset", target=profile, data={"by": "sms"})
    from axes.utils import reset

    reset(username=profile.id_number)


def candidate_identity_release(
    *, profile: CandidateProfile, actor, reason: str, now=None
) -> CandidateProfile:
    """An administrator releases the ID number (and phone) held by the wrong person: the
    account is closed, its applications voided (files and record kept), and the roster
    entries open again for the real person, who then registers. Audited with the reason."""
    from candidates.permissions import is_administrator
    from candidates.services.applications import application_transition

    now = now or timezone.now()
    if not is_administrator(actor):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写解除占用的原因。")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("原因不能超过 500 字。")})
    with transaction.atomic():
        locked = CandidateProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
        if locked.released_at is not None:
            raise ValidationError(_("该账号的证件号码已解除占用。"), code="released")
        locked.released_at = now
        locked.released_by = actor
        locked.release_reason = reason
        locked.save(update_fields=["released_at", "released_by", "release_reason"])
        locked.user.is_active = False
        locked.user.save(update_fields=["is_active"])
        voided = []
        for application in locked.applications.exclude(status=ApplicationStatus.VOID):
            application_transition(
                application=application, event=Event.VOID_IDENTITY, actor=actor, reason=reason, now=now
            )
            RosterEntry.objects.filter(pk=application.roster_entry_id).update(status=RosterStatus.EXPECTED)
            voided.append(application.pk)
        # The entries open again for whoever holds the number next.
        from candidates.selectors import dashboard_changed

        dashboard_changed(user_id=None)
        audit_record(
            actor=actor,
            action="candidate.identity_release",
            target=locked,
            data={
                "id_number": locked.id_number,
                "real_name": locked.real_name,
                "phone": locked.phone,
                "reason": reason,
                "voided_applications": voided,
            },
        )
    return locked


def staff_totp_device(*, user):
    """The user's TOTP device: the confirmed one, or an unconfirmed one to set up."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="authenticator", confirmed=False
        )
    return device


def staff_totp_verify(*, request, token: str) -> bool:
    """Check a code; on success mark this session verified (and confirm a new device)."""
    from django_otp import login as otp_login

    device = staff_totp_device(user=request.user)
    token = (token or "").strip().replace(" ", "")
    if not (token.isdigit() and device.verify_token(token)):
        return False
    with transaction.atomic():
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit_record(actor=request.user, action="staff.otp_setup", target=device)
        otp_login(request, device)
    return True
