"""Record linkage: the engine's decisions on small hand-made cases (fixed prior parameters, no
training), the features it compares, and the thresholds."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.registry.linkage import (
    LINKED,
    REVIEW,
    UNMATCHED,
    LinkageSettings,
    LinkRecord,
    link_rows,
)
from civicgrid.registry.linkage.engine import Candidate, decide
from civicgrid.registry.linkage.features import address_keys, address_parts, features_of

FIXED = LinkageSettings(train=False, threads=1)

SURNAMES = "陈林黄赵吴周徐孙马朱胡郭何高罗郑梁谢宋唐"
GIVEN = "明华强军杰涛超勇艳娟静丽敏霞平刚英兰玉萍"


def _filler() -> list[LinkRecord]:
    """Twenty other people of the registry, each with their own phone and dwelling."""
    return [
        LinkRecord(
            key=1000 + i,
            name=SURNAMES[i] + GIVEN[i] + GIVEN[(i * 7) % 20],
            phone=f"1390000{i:04d}",
            birth_date=dt.date(1950 + i, 1 + i % 12, 1 + i),
            address=f"斗门区白藤{i + 1}路{i + 3}号{i % 5 + 1}栋{i + 1}01",
        )
        for i in range(20)
    ]


ZHANG = LinkRecord(
    key=1,
    name="张三丰",
    phone="13812345678",
    birth_date=dt.date(1990, 1, 2),
    address="香洲区人民西路12号3栋501",
)
WANG_A = LinkRecord(
    key=2,
    name="王芳",
    phone="13800000002",
    birth_date=dt.date(1985, 6, 15),
    address="香洲区凤凰北路8号2栋301",
)
WANG_B = LinkRecord(
    key=3,
    name="王芳",
    phone="13800000003",
    birth_date=dt.date(1992, 3, 9),
    address="香洲区凤凰北路8号2栋602",
)
PERSONS = [ZHANG, WANG_A, WANG_B, *_filler()]


def _one(row: LinkRecord, persons: list[LinkRecord] = PERSONS) -> object:
    outcome = link_rows([row], persons, settings=FIXED)
    assert len(outcome.results) == 1
    assert outcome.model["trained"] is False
    return outcome.results[0]


def test_exact_copy_is_linked() -> None:
    row = LinkRecord(
        "r1", "张三丰", "138 1234 5678", "1990-01-02", "珠海市香洲区人民西路12号3栋501房"
    )
    result = _one(row)
    assert result.decision == LINKED
    assert result.person_key == 1
    assert result.match_probability > 0.999


def test_name_typo_with_same_phone_and_address_is_linked() -> None:
    row = LinkRecord("r2", "张山丰", "13812345678", None, "人民西路12号3栋501")
    result = _one(row)
    assert (result.decision, result.person_key) == (LINKED, 1)


def test_traditional_characters_and_spaces_with_the_same_phone_are_linked() -> None:
    row = LinkRecord("r3", "張 三豐", "+86 138-1234-5678", None, "")
    result = _one(row)
    assert (result.decision, result.person_key) == (LINKED, 1)


def test_same_name_in_the_same_building_without_phone_goes_to_review_with_both() -> None:
    row = LinkRecord("r4", "王芳", "", None, "凤凰北路8号2栋")
    result = _one(row)
    assert result.decision == REVIEW
    assert {c.person_key for c in result.candidates} == {2, 3}
    assert all(0.5 <= c.match_probability < 0.95 for c in result.candidates)


def test_same_name_elsewhere_with_another_phone_is_not_linked() -> None:
    row = LinkRecord("r5", "王芳", "13955556666", None, "金湾区三灶镇海澄村")
    result = _one(row)
    assert result.decision == UNMATCHED


def test_nobody_like_the_row_is_unmatched() -> None:
    row = LinkRecord("r6", "欧阳子瑜", "13677778888", "2001-09-09", "金湾区红旗镇藤山村5号")
    result = _one(row)
    assert result.decision == UNMATCHED
    assert result.person_key is None or result.match_probability < 0.5


def test_every_row_gets_one_result_in_order() -> None:
    rows = [
        LinkRecord("a", "欧阳子瑜", "13677778888"),
        LinkRecord("b", "张三丰", "13812345678", "1990-01-02"),
    ]
    outcome = link_rows(rows, PERSONS, settings=FIXED)
    assert [r.row_key for r in outcome.results] == ["a", "b"]
    assert [r.decision for r in outcome.results] == [UNMATCHED, LINKED]
    assert outcome.counts() == {LINKED: 1, REVIEW: 0, UNMATCHED: 1}


def test_empty_inputs() -> None:
    assert link_rows([], PERSONS, settings=FIXED).results == []
    only = link_rows([LinkRecord("x", "张三丰")], [], settings=FIXED).results
    assert [(r.decision, r.person_key) for r in only] == [(UNMATCHED, None)]


def test_thresholds_are_configurable() -> None:
    row = LinkRecord("r4", "王芳", "", None, "凤凰北路8号2栋")
    strict = link_rows(
        [row],
        PERSONS,
        settings=LinkageSettings(train=False, accept_threshold=0.99, review_threshold=0.96),
    )
    assert strict.results[0].decision == UNMATCHED
    with pytest.raises(ValueError, match="review_threshold <= accept_threshold"):
        LinkageSettings(accept_threshold=0.5, review_threshold=0.9)


def test_decide_needs_a_clear_lead_over_the_runner_up() -> None:
    settings = LinkageSettings(accept_threshold=0.95, review_threshold=0.5, ambiguity_margin_bits=4)
    best = Candidate(1, 0.999, 10.0)
    assert decide("r", [best, Candidate(2, 0.97, 5.0)], settings).decision == LINKED
    close = decide("r", [best, Candidate(2, 0.998, 9.0)], settings)
    assert close.decision == REVIEW
    assert [c.person_key for c in close.candidates] == [1, 2]
    assert decide("r", [best, Candidate(2, 0.3, 9.5)], settings).decision == LINKED
    assert decide("r", [Candidate(1, 0.7, 1.0)], settings).decision == REVIEW
    assert decide("r", [Candidate(1, 0.2, -2.0)], settings).decision == UNMATCHED


def test_features_compare_pinyin_phone_digits_dates_and_address_keys() -> None:
    features = features_of(
        name="張 三豐", phone="+86 138-1234-5678", birth_date="1990年1月2日", address=""
    )
    assert features.name == "張三豐"
    assert features.name_pinyin == "zhangsanfeng" == features_of(name="张三丰").name_pinyin
    assert features.surname_pinyin == "zhang"
    assert (features.phone, features.phone_tail) == ("13812345678", "5678")
    assert (features.birth_date, features.birth_year) == ("1990-01-02", "1990")
    assert features.address_full is None
    assert features_of(name="x", birth_date="1990-02-30").birth_date is None
    assert features_of(name="x", phone="not a phone").phone is None


def test_address_keys_agree_across_writings() -> None:
    written = [
        "珠海市香洲区翠香街道紫荆社区人民西路12号紫荆花园3栋2单元501房",
        "香洲区人民西路12号3栋501",
        "人民西路十二号三栋501室",
    ]
    keys = [address_keys(address_parts(text)) for text in written]
    assert {k.full for k in keys} == {"人民西路#12|3|501"}
    assert {k.building for k in keys} == {"人民西路#12|3"}
    # Parts as a registry address holds them (bare numbers) give the same keys.
    stored = {"road": "人民西路", "house_number": "12", "building": "3", "room": "501"}
    assert address_keys(stored).full == "人民西路#12|3|501"


def test_address_keys_read_dashes_and_drop_an_area_name_before_the_road() -> None:
    dashed = address_keys(address_parts("港霞路9号1-1-602"))
    written = address_keys(address_parts("斗门区港霞路9号1栋1单元602室"))
    assert dashed.full == written.full == "港霞路#9|1|602"
    assert address_keys({"road": "新伟社区新港路", "house_number": "7"}).road == "新港路#7"
    assert address_keys({"road": "红星村红星新村路", "house_number": "1"}).road == "红星新村路#1"
    assert address_keys({"road": "新村路", "house_number": "1"}).road == "新村路#1"
    assert address_keys(address_parts("九洲大道西8号2栋202")).full == "九洲大道西#8|2|202"


def test_near_homophone_surname_is_still_found_by_the_given_name_at_the_address() -> None:
    persons = [*PERSONS, LinkRecord(9, "陈彩贞", "13511112222", "1959-05-27", "南场村南场五巷6号")]
    row = LinkRecord("r9", "程彩贞", "", None, "南场五巷6号")
    with_phone = LinkRecord("r10", "程彩贞", "13511112222", None, "南场五巷6号")
    found, linked = link_rows([row, with_phone], persons, settings=FIXED).results
    assert found.person_key == 9  # a candidate pair, though too weak alone
    assert 0.05 < found.match_probability < 0.95
    assert (linked.decision, linked.person_key) == (LINKED, 9)
