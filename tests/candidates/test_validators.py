import datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from candidates.validators import mask_id_number, normalise_credit_code, parse_id_number
from tests.factories import make_credit_code, make_id_number


def with_check(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def test_valid_id_number_gives_birth_date_and_gender():
    identity = parse_id_number("430102199003071234")
    assert identity.birth_date == datetime.date(1990, 3, 7)
    assert identity.gender == "M"  # 17th digit 3 is odd


def test_lowercase_x_is_accepted_and_normalised():
    number = next(
        n for n in (with_check(f"43010219850101{seq:03d}") for seq in range(1000)) if n.endswith("X")
    )
    identity = parse_id_number(number.lower())
    assert identity.id_number == number
    assert identity.birth_date == datetime.date(1985, 1, 1)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("430102199003071235", "id_checksum"),  # wrong check digit
        (with_check("43010219900230123"), "id_component"),  # 30 February
        (with_check("43010219901301123"), "id_component"),  # month 13
        ("43010219900307123", "id_length"),
        ("4301021990030712A4", "id_format"),
        (with_check("99999919900307123"), "id_component"),  # no such area
        (with_check("43010619900307123"), "id_component"),  # a code python-stdnum knows without a county
    ],
)
def test_bad_id_numbers_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as error:
        parse_id_number(value)
    assert error.value.code == code


def test_birth_date_in_the_future_is_refused():
    number = make_id_number("20300101")
    with pytest.raises(ValidationError) as error:
        parse_id_number(number, today=datetime.date(2026, 11, 22))
    assert error.value.code == "id_future"
    assert "晚于今天" in error.value.messages[0]


def test_credit_code_checked_by_stdnum():
    code = make_credit_code()
    assert normalise_credit_code(code.lower()) == code
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError):
        normalise_credit_code(wrong)


def test_mask_keeps_region_and_last_four():
    assert mask_id_number("430102199003071234") == "430102********1234"
