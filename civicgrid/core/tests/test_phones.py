"""电话号码 parsing and normalisation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from civicgrid.core.phones import (
    LANDLINE,
    MOBILE,
    SERVICE,
    PhoneNumber,
    normalise_phone,
    parse_phone,
    validate_phone,
)


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("0086-138-1234-5678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("１９９１２３４５６７８", "19912345678"),
    ],
)
def test_mobile_numbers(value: str, number: str) -> None:
    assert normalise_phone(value) == PhoneNumber(kind=MOBILE, number=number)


@pytest.mark.parametrize(
    ("value", "number", "area", "extension"),
    [
        ("0756-2123456", "0756-2123456", "0756", ""),
        ("07562123456", "0756-2123456", "0756", ""),
        ("(0756)2123456", "0756-2123456", "0756", ""),
        ("（0756）2123456", "0756-2123456", "0756", ""),
        ("0756 2123456", "0756-2123456", "0756", ""),
        ("010-62345678", "010-62345678", "010", ""),
        ("01062345678", "010-62345678", "010", ""),
        ("020-81234567", "020-81234567", "020", ""),
        ("+86 756 2123456", "0756-2123456", "0756", ""),
        ("+86 10 62345678", "010-62345678", "010", ""),
        ("0756-2123456-801", "0756-2123456-801", "0756", "801"),
        ("0756-2123456转801", "0756-2123456-801", "0756", "801"),
        ("0756 2123456 转 801", "0756-2123456-801", "0756", "801"),
        ("0756-2123456 ext. 12", "0756-2123456-12", "0756", "12"),
        ("010-62345678#3", "010-62345678-3", "010", "3"),
    ],
)
def test_landlines(value: str, number: str, area: str, extension: str) -> None:
    parsed = normalise_phone(value)
    assert (parsed.kind, parsed.number, parsed.area_code, parsed.extension) == (
        LANDLINE,
        number,
        area,
        extension,
    )


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("110", "110"),
        ("120", "120"),
        ("12345", "12345"),
        ("12315", "12315"),
        ("10086", "10086"),
        ("95555", "95555"),
        ("962345", "962345"),
        ("400-123-4567", "4001234567"),
        ("800 810 8888", "8008108888"),
    ],
)
def test_service_numbers(value: str, number: str) -> None:
    assert normalise_phone(value) == PhoneNumber(kind=SERVICE, number=number)


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "12812345678",  # 12x is no mobile prefix
        "2123456",  # local number without area code
        "0756-0123456",  # subscriber cannot start with 0
        "0756-123456",  # subscriber too short
        "+1 202 555 0100",  # foreign
        "13812345678转1",  # mobile numbers have no extensions
        "phone: 13812345678",
        "100",
        "999",
    ],
)
def test_not_phone_numbers(value: str | None) -> None:
    assert parse_phone(value) is None
    with pytest.raises(ValidationError):
        validate_phone(value)


def test_message_names_the_field_and_value() -> None:
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            validate_phone("12345678", field="联系电话")
        assert caught.value.messages == [
            "联系电话: “12345678” is not a mainland phone number; enter an 11-digit mobile "
            "number or a landline with its area code, e.g. 0756-2123456."
        ]
        with pytest.raises(ValidationError) as default:
            validate_phone("abc")
        assert default.value.messages[0].startswith("Phone number: “abc”")


def test_validate_phone_returns_the_normalised_number() -> None:
    assert validate_phone("+86 138-1234-5678") == "13812345678"
    assert validate_phone("(0756)2123456") == "0756-2123456"
