"""Validation of identity numbers, credit codes and phone numbers, on python-stdnum."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc

from .enums import Gender

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class Identity:
    id_number: str
    birth_date: datetime.date
    gender: str


def parse_id_number(value: str, *, today: datetime.date | None = None) -> Identity:
    """Validate a resident ID number (居民身份证号码) and derive birth date and gender."""
    number = ric.compact(value or "").upper()
    try:
        ric.validate(number)
    except stdnum_exceptions.InvalidLength:
        raise ValidationError(_("身份证号应为 18 位。"), code="id_length") from None
    except stdnum_exceptions.InvalidFormat:
        raise ValidationError(
            _("身份证号格式不正确：前 17 位应为数字，最后一位为数字或 X。"), code="id_format"
        ) from None
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(_("身份证号校验位不正确，请核对最后一位。"), code="id_checksum") from None
    except (stdnum_exceptions.InvalidComponent, KeyError):
        # KeyError: python-stdnum's region table has no county part for some codes (e.g. 430100).
        raise ValidationError(_("身份证号中的出生日期或地区码无效。"), code="id_component") from None
    birth_date = ric.get_birth_date(number)
    if birth_date > (today or timezone.localdate()):
        raise ValidationError(_("身份证号中的出生日期晚于今天。"), code="id_future")
    gender = Gender.MALE if int(number[16]) % 2 == 1 else Gender.FEMALE
    return Identity(id_number=number, birth_date=birth_date, gender=gender)


def validate_id_number(value: str) -> None:
    parse_id_number(value)


def normalise_credit_code(value: str) -> str:
    code = uscc.compact(value or "").upper()
    try:
        uscc.validate(code)
    except stdnum_exceptions.InvalidLength:
        raise ValidationError(_("统一社会信用代码应为 18 位。"), code="uscc_length") from None
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对。"), code="uscc_checksum") from None
    except stdnum_exceptions.ValidationError:
        raise ValidationError(_("统一社会信用代码格式不正确。"), code="uscc_format") from None
    return code


def validate_phone(value: str) -> None:
    if not PHONE_RE.match(value or ""):
        raise ValidationError(_("请输入 11 位中国大陆手机号码。"), code="phone")


def mask_id_number(id_number: str) -> str:
    """430102********1234: the form used on public lists."""
    if len(id_number) != 18:
        return "*" * len(id_number)
    return f"{id_number[:6]}{'*' * 8}{id_number[14:]}"
