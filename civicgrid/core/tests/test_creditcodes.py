"""统一社会信用代码 validation (GB 32100-2015)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from civicgrid.core.creditcodes import (
    CATEGORIES_BY_AUTHORITY,
    CHARACTERS,
    credit_code_check_char,
    validate_credit_code,
)


def message(value: str, **kwargs: object) -> str:
    """The English message (lazy messages are rendered inside the language override)."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            validate_credit_code(value, **kwargs)  # type: ignore[arg-type]
        return str(caught.value.messages[0])


def test_charset_has_31_characters_without_i_o_z_s_v() -> None:
    assert len(CHARACTERS) == 31
    assert not set("IOZSV") & set(CHARACTERS)


def test_published_example_is_valid() -> None:
    # 91350100M000100Y43: the example of GB 32100-2015; worked out by hand below.
    values = [CHARACTERS.index(char) for char in "91350100M000100Y4"]
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    remainder = sum(v * w for v, w in zip(values, weights, strict=True)) % 31
    assert 31 - remainder == 3
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    assert validate_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_check_char_zero_when_the_sum_divides() -> None:
    # A body whose weighted sum is a multiple of 31 gets check character 0, not 31.
    body = "9144040000000000"
    for char in CHARACTERS:
        if credit_code_check_char(body + char) == "0":
            assert validate_credit_code(body + char + "0")
            break
    else:  # pragma: no cover - one of the 31 characters always completes the sum
        pytest.fail("no body with check character 0 found")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "91350100M000100Y4",
            "Unified social credit code: a unified social credit code has 18 characters; "
            "this one has 17.",
        ),
        (
            "91350100M000100I43",
            "Unified social credit code: the character “I” is not allowed (only digits and "
            "capital letters except I, O, Z, S, V).",
        ),
        (
            "91350100M0001O0Y43",
            "Unified social credit code: the character “O” is not allowed (only digits and "
            "capital letters except I, O, Z, S, V).",
        ),
        (
            "B1350100M000100Y43",
            "Unified social credit code: “B” is not a registration authority code (1st character).",
        ),
        (
            "94350100M000100Y43",
            "Unified social credit code: “4” is not an organisation category of registration "
            "authority 9 (2nd character).",
        ),
        (
            "9135A100M000100Y43",
            "Unified social credit code: characters 3 to 8 must be the six digits of a division "
            "code.",
        ),
        (
            "91350100M000100Y44",
            "Unified social credit code: the credit code's check character is wrong (expected 3).",
        ),
    ],
)
def test_bad_codes(value: str, expected: str) -> None:
    assert message(value) == expected


def test_message_names_the_given_field() -> None:
    assert message("91350100M000100Y44", field="举办单位信用代码") == (
        "举办单位信用代码: the credit code's check character is wrong (expected 3)."
    )


def test_social_organisation_codes_are_accepted() -> None:
    for category in "1239":  # 社会团体, 民办非企业单位, 基金会, 其他
        body = f"5{category}440400MJ0000001"
        validate_credit_code(body + credit_code_check_char(body))


authority_and_category = st.sampled_from(
    sorted(a + c for a, categories in CATEGORIES_BY_AUTHORITY.items() for c in categories)
)
bodies = st.builds(
    lambda head, division, subject: head + division + subject,
    authority_and_category,
    st.from_regex(r"[0-9]{6}", fullmatch=True),
    st.text(alphabet=CHARACTERS, min_size=9, max_size=9),
)


@given(body=bodies)
def test_any_body_with_its_check_char_is_valid(body: str) -> None:
    code = body + credit_code_check_char(body)
    assert validate_credit_code(code) == code


@given(body=bodies, position=st.integers(0, 17), data=st.data())
def test_changing_one_character_makes_it_invalid(
    body: str, position: int, data: st.DataObject
) -> None:
    code = body + credit_code_check_char(body)
    replacement = data.draw(
        st.sampled_from([c for c in CHARACTERS + "IOZSV" if c != code[position]])
    )
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError):
        validate_credit_code(changed)
