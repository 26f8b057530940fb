"""Legal entities of the synthetic city, with valid unified social credit codes."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from typing import TYPE_CHECKING

from civicgrid.core.creditcodes import CHARACTERS as USCC_CHARACTERS

from . import tables
from .common import ORIGINS, SURNAMES, Weighted, given_name, make_credit_code

if TYPE_CHECKING:
    from . import SyntheticCity


def entity_plan(city: SyntheticCity) -> list[tuple[str, str, str]]:
    """(kind, district code, name) of each of the city's entities."""
    return list(_entity_names(city, city.entity_count))


def entity_rows(city: SyntheticCity) -> Iterator[dict[str, str]]:
    """The entities.csv rows of ``city``."""
    rng = random.Random(f"{city.seed}:entities")
    codes: set[str] = set()
    for kind, district, name in city.entity_plan():
        authority, category, kind_of_law = _ENTITY_KINDS[kind]
        established = _establishment_date(rng, city.reference_date)
        division = _registration_division(rng, kind, district)
        while True:
            code = make_credit_code(
                authority, category, division, _organisation_body(rng, authority, established)
            )
            if code not in codes:
                codes.add(code)
                break
        registered = city.homes.in_district(rng, district)
        actual = registered
        if rng.random() < 0.25:
            actual = city.homes.in_district(rng, district)
        status = "active"
        draw = rng.random()
        if draw < 0.12 and established.year < 2025:
            status = "deregistered"
        elif draw < 0.16 and kind in ("company", "individual") and established.year < 2024:
            status = "revoked"
        representative = SURNAMES.pick(rng) + given_name(
            rng, "M" if rng.random() < 0.68 else "F", rng.randint(1955, 1998)
        )
        yield {
            "uscc": code,
            "name": name,
            "kind": kind_of_law,
            "legal_representative": representative,
            "registered_address": registered.text,
            "actual_address": actual.text,
            "status": status,
            "established_on": established.isoformat(),
        }


# Entity kinds: (registration authority, organisation category, EntityKindOfLaw value).
_ENTITY_KINDS: dict[str, tuple[str, str, str]] = {
    "company": ("9", "1", "company"),  # 企业
    "individual": ("9", "2", "company"),  # 个体工商户
    "cooperative": ("9", "3", "other"),  # 农民专业合作社
    "institution": ("1", "2", "institution"),  # 事业单位
    "social_group": ("5", "1", "social_org"),  # 社会团体
    "non_enterprise": ("5", "2", "social_org"),  # 民办非企业单位
    "foundation": ("5", "3", "social_org"),  # 基金会
    "law_firm": ("3", "1", "other"),  # 律师事务所
    "union": ("8", "1", "other"),  # 基层工会
}
_ENTITY_KIND_WEIGHTS = Weighted(
    [
        ("company", 62),
        ("individual", 28),
        ("cooperative", 0.8),
        ("institution", 3),
        ("social_group", 1.5),
        ("non_enterprise", 2),
        ("foundation", 0.2),
        ("law_firm", 0.5),
        ("union", 2),
    ]
)
_NEW_SERIES = {"9": "MA", "1": "MB", "5": "MJ", "8": "MC", "3": "MD"}
_ESTABLISHED_YEARS = Weighted((year, 1 + max(0, year - 1985) ** 1.6) for year in range(1980, 2027))
_DISTRICT_PICK = Weighted(tables.DISTRICT_SHARES.items())


def _brand(rng: random.Random) -> str:
    characters = tables.BRAND_CHARACTERS
    if rng.random() < 0.15:
        return rng.choice(characters) + rng.choice(characters) + rng.choice(characters)
    return rng.choice(characters) + rng.choice(characters)


def _entity_names(city: SyntheticCity, count: int) -> Iterator[tuple[str, str, str]]:
    rng = random.Random(f"{city.seed}:entity-names")
    used: set[str] = set()
    communities: dict[str, list[str]] = {}
    for grid in city.grids:
        names = communities.setdefault(grid.code[:6], [])
        if not names or names[-1] != grid.community:
            names.append(grid.community)
    companies: list[str] = []
    numbered = itertools.count(1)
    for _index in range(count):
        kind = _ENTITY_KIND_WEIGHTS.pick(rng)
        district = "440403" if kind == "cooperative" else _DISTRICT_PICK.pick(rng)
        for attempt in range(40):
            name = _entity_name(rng, kind, district, communities, companies)
            if attempt == 39:
                name = f"{name}{next(numbered)}"
            if name not in used:
                break
        used.add(name)
        if kind == "company":
            companies.append(name)
        yield kind, district, name


def _entity_name(
    rng: random.Random,
    kind: str,
    district_code: str,
    communities: dict[str, list[str]],
    companies: list[str],
) -> str:
    district = tables.ZHUHAI_DISTRICTS.get(district_code, "")
    places = communities.get(district_code) or ["新村"]
    if kind == "company":
        prefix = rng.choice(("珠海", "珠海市", "珠海", "广东"))
        suffix = "股份有限公司" if rng.random() < 0.03 else "有限公司"
        return f"{prefix}{_brand(rng)}{rng.choice(tables.COMPANY_TRADES)}{suffix}"
    if kind == "individual":
        draw = rng.random()
        if draw < 0.35:
            owner = SURNAMES.pick(rng)[0] + "记"
        elif draw < 0.55:
            owner = "阿" + rng.choice(tables.GIVEN_NAMES["M"][1965][1])
        else:
            owner = _brand(rng)
        return f"珠海市{district}{owner}{rng.choice(tables.SHOP_TRADES)}"
    if kind == "cooperative":
        village = rng.choice(places).removesuffix("社区")
        return f"珠海市{district}{village}{rng.choice(tables.CROPS)}专业合作社"
    if kind == "institution":
        place = rng.choice(places).removesuffix("社区").removesuffix("村")
        kinds = ("小学", "幼儿园", "社区卫生服务站", "中学", "文化站", "卫生院", "医院")
        return f"珠海市{district}{place}{rng.choice(kinds)}"
    if kind == "social_group":
        if rng.random() < 0.3:
            origin = ORIGINS.pick(rng)
            province = origin[1].removesuffix("省").removesuffix("壮族自治区")
            place = origin[2].removesuffix("市") or origin[3]
            return f"珠海市{province}{place}商会"
        where = rng.choice(("", district))
        return f"珠海市{where}{rng.choice(tables.ASSOCIATION_TRADES)}协会"
    if kind == "non_enterprise":
        works = ("社会工作服务中心", "培训中心", "幼儿园", "养老服务中心", "青少年活动中心")
        return f"珠海市{district}{_brand(rng)}{rng.choice(works)}"
    if kind == "foundation":
        return f"珠海市{_brand(rng)}慈善基金会"
    if kind == "law_firm":
        return f"广东{_brand(rng)}律师事务所"
    employer = rng.choice(companies) if companies else f"珠海{_brand(rng)}实业有限公司"
    return f"{employer}工会委员会"


def _establishment_date(rng: random.Random, reference: dt.date) -> dt.date:
    year = _ESTABLISHED_YEARS.pick(rng)
    day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    return min(day, reference - dt.timedelta(days=rng.randrange(1, 60)))


def _registration_division(rng: random.Random, kind: str, district: str) -> str:
    """The division code of the registering authority: the city (440400) or the district."""
    if kind == "law_firm":
        return "440400"
    city_level = {"company": 0.55, "institution": 0.4, "social_group": 0.6, "foundation": 0.9}
    if rng.random() < city_level.get(kind, 0.0):
        return "440400"
    return district


def _organisation_body(rng: random.Random, authority: str, established: dt.date) -> str:
    """8 characters: a new-series code (MA…, MJ…) after the 2015 reform, digits before."""
    if established >= dt.date(2015, 10, 1):
        series = _NEW_SERIES.get(authority, "MA")
        tail = "".join(rng.choice(USCC_CHARACTERS) for _i in range(6))
        return series + tail
    return f"{rng.choice('0567'):s}{rng.randrange(10_000_000):07d}"
