"""Text normalisation and word segmentation for routing."""

from __future__ import annotations

from civicgrid.appeals.routing.text import normalize_text, words


def test_normalize_text_folds_width_case_numbers_links_and_masks() -> None:
    assert normalize_text("  ＡＢＣ１２３ 请问\n\n路灯  ") == "abc0 请问 路灯"
    assert normalize_text("见 https://example.org/a?b=1 和 www.example.cn") == "见 url 和 url"
    assert normalize_text("张***，电话138××××0000，邮箱 someone@example.com") == (
        "张 * ,电话0 * 0,邮箱 @"
    )
    assert normalize_text("乱码\ufffd\ufffd字") == "乱码 字"


def test_normalize_text_of_nothing_is_empty() -> None:
    assert normalize_text("") == ""
    assert normalize_text("   \t\n") == ""


def test_words_segments_chinese_and_drops_punctuation() -> None:
    assert words("小区 路灯 不亮,请 尽快 维修!") == ["小区", "路灯", "不亮", "请", "尽快", "维修"]
