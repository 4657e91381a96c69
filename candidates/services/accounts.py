from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from candidates.models import CandidateProfile
from candidates.validators import parse_id_number, validate_phone

from .audit import audit_record


def candidate_register(
    *, real_name: str, id_number: str, phone: str, password: str, email: str = ""
) -> CandidateProfile:
    """Create a candidate account. One account per ID number and per phone number."""
    identity = parse_id_number(id_number)
    validate_phone(phone)
    real_name = real_name.strip()
    if not real_name:
        raise ValidationError({"real_name": _("请填写姓名。")})
    errors = {}
    if CandidateProfile.objects.filter(id_number=identity.id_number).exists():
        errors["id_number"] = _("该身份证号已注册，请直接登录；忘记密码请联系所在市州人社局。")
    if CandidateProfile.objects.filter(phone=phone).exists():
        errors["phone"] = _("该手机号码已被其他账号使用。")
    if errors:
        raise ValidationError(errors)
    User = get_user_model()
    user = User(username=f"c{identity.id_number}", email=email, first_name=real_name)
    validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            profile = CandidateProfile.objects.create(
                user=user,
                real_name=real_name,
                id_number=identity.id_number,
                phone=phone,
                gender=identity.gender,
                birth_date=identity.birth_date,
            )
            audit_record(
                actor=user,
                action="candidate.register",
                target=profile,
                data={"real_name": real_name, "phone": phone},
            )
    except IntegrityError:
        raise ValidationError({"id_number": _("该身份证号或手机号码已注册。")}) from None
    return profile


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
