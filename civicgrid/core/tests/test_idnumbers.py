"""身份证号 validation (GB 11643-1999)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from civicgrid.core.idnumbers import (
    PROVINCE_CODES,
    IdNumberInfo,
    id_number_check_digit,
    parse_id_number,
    validate_id_number,
)

TODAY = dt.date(2026, 11, 22)


def with_check(first17: str) -> str:
    return first17 + id_number_check_digit(first17)


def message(value: str, **kwargs: object) -> str:
    """The English message (lazy messages are rendered inside the language override)."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            validate_id_number(value, today=TODAY, **kwargs)  # type: ignore[arg-type]
        return str(caught.value.messages[0])


def test_check_digit_follows_iso_7064_mod_11_2() -> None:
    # The standard's example: 11010519491231002X.
    assert id_number_check_digit("11010519491231002") == "X"
    # Weighted sum by hand for 44040219900101123: the sum 193 leaves 6, which maps to 6.
    digits = [int(char) for char in "44040219900101123"]
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    assert sum(d * w for d, w in zip(digits, weights, strict=True)) == 193
    assert id_number_check_digit("44040219900101123") == "6"
    with pytest.raises(ValueError, match="17 characters"):
        id_number_check_digit("4404021990010112")


def test_standard_example_is_valid_and_parsed() -> None:
    assert parse_id_number("11010519491231002X") == IdNumberInfo(
        number="11010519491231002X",
        birth_date=dt.date(1949, 12, 31),
        sex="F",
        region_code="110105",
    )
    assert validate_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert validate_id_number("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"


def test_sex_comes_from_the_seventeenth_digit() -> None:
    assert parse_id_number(with_check("44040219900101123")).sex == "M"
    assert parse_id_number(with_check("44040219900101124")).sex == "F"


def test_old_region_codes_are_accepted() -> None:
    # 440421 was 珠海市斗门县 before it became 斗门区 (440403): numbers issued then stay valid.
    assert parse_id_number(with_check("44042119650315001")).region_code == "440421"
    # Residence permits of Hong Kong, Macao and Taiwan residents.
    for prefix in ("810000", "820000", "830000"):
        validate_id_number(with_check(prefix + "19900101001"), today=TODAY)


def test_wrong_check_digit_names_the_field_and_the_expected_digit() -> None:
    assert message("110105194912310021") == (
        "ID number: the ID number's check digit is wrong (expected X)."
    )
    assert message("110105194912310021", field="申请人身份证号") == (
        "申请人身份证号: the ID number's check digit is wrong (expected X)."
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "ID number: an ID number has 18 characters; this one has 0."),
        ("11010519491231002", "ID number: an ID number has 18 characters; this one has 17."),
        (
            "1101051949123100X2",
            "ID number: only digits are allowed, except that the last character may be X.",
        ),
        (
            "11010519491231002Y",
            "ID number: only digits are allowed, except that the last character may be X.",
        ),
        (
            with_check("99010519491231002"),
            "ID number: the region code 990105 does not start with a province code.",
        ),
        (
            with_check("10010519491231002"),
            "ID number: the region code 100105 does not start with a province code.",
        ),
        (
            with_check("44040219990230123"),
            "ID number: the birth date 19990230 in the ID number is not a real date.",
        ),
        (
            with_check("44040218991231123"),
            "ID number: the birth date 1899-12-31 in the ID number is before 1900.",
        ),
        (
            with_check("44040220261123123"),
            "ID number: the birth date 2026-11-23 in the ID number is in the future.",
        ),
    ],
)
def test_bad_numbers(value: str, expected: str) -> None:
    assert message(value) == expected


def test_birth_today_and_in_1900_are_accepted() -> None:
    assert validate_id_number(with_check("44040220261122123"), today=TODAY)
    assert validate_id_number(with_check("44040219000101123"), today=TODAY)


def test_province_codes() -> None:
    assert {11, 15, 21, 23, 31, 37, 41, 46, 50, 54, 61, 65, 71, 81, 82, 83} <= PROVINCE_CODES
    assert not {10, 16, 20, 24, 30, 38, 40, 47, 49, 55, 60, 66, 70, 72, 80, 84, 91} & PROVINCE_CODES
    assert len(PROVINCE_CODES) == 35  # 34 province-level units + 83 (permits)


bodies = st.builds(
    lambda province, county, birth, sequence: f"{province}{county}{birth:%Y%m%d}{sequence}",
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.from_regex(r"[0-9]{4}", fullmatch=True),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.from_regex(r"[0-9]{3}", fullmatch=True),
)


@given(body=bodies)
def test_any_body_with_its_check_digit_is_valid(body: str) -> None:
    number = body + id_number_check_digit(body)
    info = parse_id_number(number, today=TODAY)
    assert info.number == number
    assert info.sex == ("M" if int(body[16]) % 2 else "F")


@given(body=bodies, position=st.integers(0, 17), data=st.data())
def test_changing_one_character_makes_it_invalid(
    body: str, position: int, data: st.DataObject
) -> None:
    number = body + id_number_check_digit(body)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_id_number(changed, today=TODAY)


def test_message_is_chinese_in_the_default_language() -> None:
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            validate_id_number("110105194912310021")
        text = str(caught.value.messages[0])
    assert text.startswith("身份证号")  # the default field label, translated
    assert "X" in text
    assert "check digit" not in text


def test_foreign_permanent_residence_cards_of_2023_are_accepted() -> None:
    # 9 + issuing province 44 (广东) + nationality 840 + birth 1985-06-15 + sequence 013.
    number = with_check("94484019850615013")
    info = parse_id_number(number, today=TODAY)
    assert info.is_foreign_permanent_resident
    assert (info.birth_date, info.sex, info.region_code) == (dt.date(1985, 6, 15), "M", "944840")
    assert not parse_id_number(
        with_check("44040219850615013"), today=TODAY
    ).is_foreign_permanent_resident
    # The province after the 9 is checked like any other region code.
    assert message(with_check("91084019850615013")) == (
        "ID number: the region code 910840 does not start with a province code."
    )
