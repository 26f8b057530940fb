"""脱敏 of phone numbers, ID numbers and names."""

from __future__ import annotations

import pytest

from civicgrid.core.masking import mask_id_number, mask_middle, mask_name, mask_phone


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("0756-2123456", "0756-***3456"),
        ("(0756)2123456", "0756-***3456"),
        ("010-62345678", "010-****5678"),
        ("0756-2123456-801", "0756-***3456"),
        ("12345", "12345"),  # public service number
        ("not-a-phone-number", "not***********mber"),
        ("12345678", "********"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value: str | None, masked: str) -> None:
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("44040219900101123X", "440402********123X"),
        ("11010519491231002X", "110105********002X"),
        ("440402900101123", "440402*****1123"),  # first-generation 15-digit number
        ("4404021990", "**********"),
        ("123", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(value: str | None, masked: str) -> None:
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("李小龙", "李**"),
        ("王", "*"),
        ("阿卜杜拉·买买提", "阿***·***"),
        (" 张三 ", "张*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(value: str | None, masked: str) -> None:
    assert mask_name(value) == masked


def test_mask_middle_never_reveals_a_short_value() -> None:
    assert mask_middle("abcdef", 3, 3) == "******"
    assert mask_middle("abcdefg", 3, 3) == "abc*efg"
    assert mask_middle("abcdefg", 0, 4) == "***defg"
    assert mask_middle("abcdefg", 2, 0) == "ab*****"
