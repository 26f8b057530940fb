"""一数一源: field-by-field merge by source authority."""

from __future__ import annotations

import datetime as dt

from civicgrid.registry.services import Authority, merge_fields

AUTHORITY = Authority(
    {
        ("person", "name"): {"gongan": 1},
        ("person", "employer"): {"renshe": 1},
        ("person", "phone"): {"self": 1, "grid": 2},
    }
)
AT = "2026-12-07T10:00:00+08:00"


def merge(source: str, current: dict, sources: dict, incoming: dict):  # type: ignore[no-untyped-def]
    return merge_fields(
        authority=AUTHORITY,
        kind="person",
        source=source,
        at=AT,
        current=current,
        field_sources=sources,
        incoming=incoming,
    )


def test_empty_field_is_filled_by_any_source() -> None:
    result = merge("minzheng", {"phone": ""}, {}, {"phone": "13800001111", "employer": ""})
    assert result.changes == {"phone": "13800001111"}
    assert result.field_sources == {"phone": {"source": "minzheng", "at": AT}}
    assert result.conflicts == []


def test_authority_overwrites_and_non_authority_conflicts() -> None:
    current = {"name": "张叁"}
    sources = {"name": {"source": "minzheng", "at": "x"}}
    result = merge("gongan", current, sources, {"name": "张三"})
    assert result.changes == {"name": "张三"}
    assert result.field_sources["name"]["source"] == "gongan"
    back = merge("minzheng", {"name": "张三"}, result.field_sources, {"name": "张叁"})
    assert back.changes == {}
    assert [
        (c.field_name, c.current_value, c.current_source, c.proposed_value) for c in back.conflicts
    ] == [("name", "张三", "gongan", "张叁")]


def test_ranks_decide_between_authorities_and_a_source_corrects_itself() -> None:
    sources = {"phone": {"source": "self", "at": "x"}}
    worse = merge("grid", {"phone": "13800001111"}, sources, {"phone": "13900002222"})
    assert worse.changes == {}
    assert len(worse.conflicts) == 1
    corrected = merge("self", {"phone": "13800001111"}, sources, {"phone": "13900002222"})
    assert corrected.changes == {"phone": "13900002222"}
    assert corrected.conflicts == []
    same_rank = merge(
        "renshe",
        {"employer": "甲公司"},
        {"employer": {"source": "renshe2"}},
        {"employer": "乙公司"},
    )
    assert same_rank.changes == {"employer": "乙公司"}  # renshe2 is not authoritative


def test_equal_value_takes_the_better_source_without_change() -> None:
    result = merge(
        "gongan", {"name": "张三"}, {"name": {"source": "minzheng", "at": "x"}}, {"name": "张三"}
    )
    assert result.changes == {}
    assert result.is_changed
    assert result.field_sources["name"]["source"] == "gongan"
    nothing = merge("minzheng", {"name": "张三"}, result.field_sources, {"name": "张三"})
    assert not nothing.is_changed


def test_dates_compare_by_value() -> None:
    result = merge(
        "gongan",
        {"permit_valid_until": dt.date(2027, 1, 1)},
        {"permit_valid_until": {"source": "gongan"}},
        {"permit_valid_until": dt.date(2027, 1, 1)},
    )
    assert not result.is_changed
