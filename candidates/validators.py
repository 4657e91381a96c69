"""Validation of identity numbers, credit codes and phone numbers, on python-stdnum."""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc

from .enums import Gender, IdType

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
# 港澳台居民居住证: the GB 11643 form with the region 810000 (Hong Kong), 820000 (Macao), 830000 (Taiwan).
HMT_REGIONS = {"810000", "820000", "830000"}


@dataclass(frozen=True)
class Identity:
    id_number: str
    birth_date: datetime.date
    gender: str
    id_type: str = IdType.RESIDENT


# Provincial codes: a foreign permanent residence card's digits 2-3 name the issuing province.
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
}  # fmt: skip


def id_type_of(number: str) -> str:
    """Which document an 18-character number belongs to, by its form."""
    if number[:1] == "9":
        return IdType.FOREIGN_PERMANENT
    if number[:6] in HMT_REGIONS:
        return IdType.HMT_RESIDENCE
    return IdType.RESIDENT


def _validate_gb11643(number: str) -> None:
    """Length, digits, check digit and birth date of a number in the GB 11643 form, without
    the region table (the residence permits and the 2023 permanent residence card use it too)."""
    if len(number) != 18:
        raise stdnum_exceptions.InvalidLength()
    if not number[:-1].isdigit():
        raise stdnum_exceptions.InvalidFormat()
    if number[-1] != ric.calc_check_digit(number):
        raise stdnum_exceptions.InvalidChecksum()
    ric.get_birth_date(number)


def parse_id_number(value: str, *, today: datetime.date | None = None) -> Identity:
    """Validate an identity number and derive birth date and gender.

    Accepted, as the national systems accept them: the resident ID card (居民身份证), the
    Hong Kong, Macao and Taiwan residents' residence permit (港澳台居民居住证, region
    810000/820000/830000) and the 2023 foreign permanent residence ID card
    (外国人永久居留身份证, 18 digits beginning with 9). All three share the GB 11643
    layout: birth date in digits 7-14, an odd 17th digit for men, the same check digit."""
    number = ric.compact(value or "").upper()
    id_type = id_type_of(number)
    try:
        if id_type == IdType.RESIDENT:
            ric.validate(number)
        else:
            _validate_gb11643(number)
            if id_type == IdType.FOREIGN_PERMANENT and number[1:3] not in PROVINCES:
                raise stdnum_exceptions.InvalidComponent()
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
    return Identity(id_number=number, birth_date=birth_date, gender=gender, id_type=id_type)


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


# Middle dots people and systems write inside names (艾力·买买提, 艾力・买买提, 艾力•买买提).
MIDDLE_DOTS = "\u00b7\u2027\u30fb\u2022\u2219\u22c5\u0387\u16eb\u2e31"


def clean_name(value: str, *, label: str) -> str:
    """A person's or organisation's name as the portal stores it: NFKC-normalised, inner
    whitespace collapsed, and refused when it holds a control, format (bidirectional,
    zero-width) or separator character that could make it read differently from what it is."""
    value = value or ""
    if value.isprintable() and unicodedata.is_normalized("NFKC", value) and value == " ".join(value.split()):
        return value  # the common case, checked at C speed (a roster has 100,000 names)
    name = unicodedata.normalize("NFKC", value)
    name = " ".join(name.split())
    for char in name:
        if char != " " and unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
            raise ValidationError(
                _("{label}中含有不可见字符或方向控制字符（U+{code:04X}），请删除后重新输入。").format(
                    label=label, code=ord(char)
                ),
                code="name_control",
            )
    return name


def name_key(value: str) -> str:
    """The form two names are compared in: NFKC, no spaces, no middle dots, case-folded."""
    name = unicodedata.normalize("NFKC", value or "")
    return "".join(ch for ch in name if not ch.isspace() and ch not in MIDDLE_DOTS).casefold()


def refuse_hidden_characters(value: str) -> None:
    """The model-level guard (the admin's forms too): the same refusal as ``clean_name``."""
    clean_name(value, label=_("名称"))
