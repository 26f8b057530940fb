"""The synthetic city: valid, consistent, deterministic records with plausible distributions."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import math
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point, box

from civicgrid.core.creditcodes import validate_credit_code
from civicgrid.core.idnumbers import parse_id_number
from civicgrid.core.phones import LANDLINE, MOBILE, parse_phone
from civicgrid.registry.synthetic import (
    ADDRESS_COLUMNS,
    ENTITY_COLUMNS,
    FOREIGN_SHARE,
    HOUSEHOLD_COLUMNS,
    PERSON_COLUMNS,
    GridArea,
    SyntheticCity,
    grids_from_database,
    make_credit_code,
    make_id_number,
    noisy_copies,
    organisation_code_check_char,
    tables,
)
from civicgrid.registry.synthetic.foreigners import foreign_chance

GRIDS = [
    GridArea(code, district, street, community, box(*bounds))
    for code, district, street, community, bounds in (
        ("440402001001001", "香洲区", "翠香街道", "紫荆社区", (113.55, 22.26, 113.56, 22.27)),
        ("440402001001002", "香洲区", "翠香街道", "紫荆社区", (113.56, 22.26, 113.57, 22.27)),
        ("440402005003001", "香洲区", "拱北街道", "夏湾社区", (113.54, 22.22, 113.55, 22.23)),
        ("440403106201001", "斗门区", "白蕉镇", "南门村", (113.30, 22.20, 113.32, 22.22)),
        ("440403001002001", "斗门区", "白藤街道", "白藤社区", (113.35, 22.19, 113.36, 22.20)),
        ("440404100001001", "金湾区", "三灶镇", "金海岸社区", (113.38, 22.04, 113.40, 22.06)),
    )
]
PERSONS = 12_000
ZHUHAI_REGIONS = {"440402", "440403", "440404", tables.DOUMEN_COUNTY_CODE}
ORIGIN_REGIONS = {row[0] for row in tables.ORIGIN_COUNTIES}
HMT_REGIONS = {row[0] for row in tables.HMT_REGIONS}
NATIONALITIES = {row[0] for row in tables.FOREIGN_NATIONALITIES}
CARD_PROVINCES = {province for province, _weight in tables.FOREIGN_CARD_PROVINCES}
ROMANISED_NAME = re.compile(r"[A-Z]+(?: [A-Z]+)+")
ORIGIN_PROVINCES = tuple({row[1] for row in tables.ORIGIN_COUNTIES})
ADDRESS_TEXT = re.compile(
    r"珠海市(?:香洲区|斗门区|金湾区)\w+?(?:街道|镇)\w+?(?:社区|村)"
    r"\w+?(?:路|道|街|巷|大道东|大道西)[0-9]+号(?:[0-9]+栋[0-9]+单元)?[0-9]{3,4}"
)


def _city(seed: int = 11, **options: Any) -> SyntheticCity:
    defaults: dict[str, Any] = {"dwellings": 4_000, "entities": 1_500}
    return SyntheticCity(GRIDS, seed=seed, **{**defaults, **options})


@pytest.fixture(scope="module")
def city() -> SyntheticCity:
    return _city()


@pytest.fixture(scope="module")
def households(city: SyntheticCity) -> list[Any]:
    return list(city.households(PERSONS))


@pytest.fixture(scope="module")
def persons(households: list[Any]) -> list[dict[str, Any]]:
    return [member for household in households for member in household.members]


@pytest.fixture(scope="module")
def entities(city: SyntheticCity) -> list[dict[str, str]]:
    return list(city.entities())


def _age(person: dict[str, Any], city: SyntheticCity) -> int:
    birth = dt.date.fromisoformat(person["birth_date"])
    today = city.reference_date
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


# ---------------------------------------------------------------- ID numbers and USCCs


def test_known_check_characters() -> None:
    # The GB 32100 worked example: organisation code M000100Y-4, credit code …43.
    assert organisation_code_check_char("M000100Y") == "4"
    assert make_credit_code("9", "1", "350100", "M000100Y") == "91350100M000100Y43"
    # The GB 11643 example: a woman born 1949-12-31 in 北京市朝阳区.
    assert make_id_number("110105", dt.date(1949, 12, 31), 2) == "11010519491231002X"


def test_every_id_number_is_valid_unique_and_agrees_with_birth_date_and_sex(
    city: SyntheticCity, persons: list[dict[str, Any]]
) -> None:
    assert len(persons) == PERSONS
    numbers = [person["id_number"] for person in persons]
    assert len(set(numbers)) == PERSONS
    for person in persons:
        info = parse_id_number(person["id_number"], today=city.reference_date)
        assert info.birth_date.isoformat() == person["birth_date"]
        assert info.sex == person["sex"]
        assert int(person["id_number"][16]) % 2 == (1 if person["sex"] == "M" else 0)
        # foreigners hold a permanent residence ID card (9 …), everyone else a citizen's number
        assert info.is_foreign_permanent_resident == (person["residence_status"] == "foreign")


def test_region_codes_follow_the_residence_status(persons: list[dict[str, Any]]) -> None:
    by_status: dict[str, Counter[str]] = defaultdict(Counter)
    for person in persons:
        region = person["id_number"][:6]
        status = person["residence_status"]
        by_status[status][region] += 1
        if status == "hmt":
            assert region in HMT_REGIONS
            assert person["registered_division_code"] == region
        elif status == "foreign":  # 9 + issuing province + nationality; no 户籍, no 居住证
            assert region[0] == "9"
            assert region[1:3] in CARD_PROVINCES
            assert region[3:] in NATIONALITIES
            assert person["registered_division_code"] == person["registered_address"] == ""
            assert person["permit_number"] == person["permit_valid_until"] == ""
        elif status == "floating":
            assert region in ORIGIN_REGIONS
            assert person["registered_division_code"] in ORIGIN_REGIONS
            assert person["registered_address"].startswith(ORIGIN_PROVINCES)
            if person["relation"] == "child":  # children's numbers come from their hukou
                assert region == person["registered_division_code"]
        else:
            assert region in ZHUHAI_REGIONS | ORIGIN_REGIONS
            assert person["registered_division_code"][:6] in {"440402", "440403", "440404"}
            assert len(person["registered_division_code"]) == 12
            assert ADDRESS_TEXT.fullmatch(person["registered_address"])
    registered = by_status["registered"]
    zhuhai_born = sum(count for region, count in registered.items() if region in ZHUHAI_REGIONS)
    assert zhuhai_born / registered.total() > 0.6  # most registered residents
    assert 440421 in {int(region) for region in registered}  # 斗门县 before 2001
    floating_provinces = Counter(region[:2] for region in by_status["floating"].elements())
    assert {"43", "45", "51", "36", "41", "42", "44"} <= set(floating_provinces)


def test_credit_codes_are_valid_unique_and_match_the_kind(
    entities: list[dict[str, str]],
) -> None:
    assert len(entities) == 1_500
    codes = [entity["uscc"] for entity in entities]
    assert len(set(codes)) == len(codes)
    assert len({entity["name"] for entity in entities}) == len(entities)
    authorities = {
        "company": {"91", "92"},
        "institution": {"12"},
        "social_org": {"51", "52", "53"},
        "other": {"93", "31", "81"},
    }
    for entity in entities:
        code = entity["uscc"]
        assert validate_credit_code(code) == code
        assert organisation_code_check_char(code[8:16]) == code[16]
        assert code[:2] in authorities[entity["kind"]]
        assert code[2:8] in {"440400", "440402", "440403", "440404"}
        assert entity["status"] in {"active", "revoked", "deregistered"}
        established = dt.date.fromisoformat(entity["established_on"])
        assert dt.date(1980, 1, 1) <= established <= dt.date(2026, 6, 30)
        # codes given after the 2015 reform are of the new series (MA…, MJ…), older ones digits
        assert code[8:10] in {"MA", "MB", "MC", "MD", "MJ"} or code[8:16].isdigit()
        assert ADDRESS_TEXT.fullmatch(entity["registered_address"])
        assert ADDRESS_TEXT.fullmatch(entity["actual_address"])
        if code[2:8] != "440400":  # registered in a district: its address is there
            district = tables.ZHUHAI_DISTRICTS[code[2:8]]
            assert entity["registered_address"].startswith("珠海市" + district)
    kinds = Counter(entity["kind"] for entity in entities)
    assert kinds["company"] > 0.8 * len(entities)
    assert kinds["institution"]
    assert kinds["social_org"]
    assert kinds["other"]
    assert set(entities[0]) == set(ENTITY_COLUMNS)


# ---------------------------------------------------------------- determinism


def test_the_same_seed_gives_the_same_city_and_another_seed_another() -> None:
    def sample(city: SyntheticCity) -> tuple[Any, ...]:
        people = [
            {key: value for key, value in person.items() if key != "address_parts"}
            for person in city.persons(800)
        ]
        return (
            people,
            list(itertools.islice(city.entities(), 200)),
            [dwelling.row() for dwelling in city.dwellings()][:300],
        )

    first = sample(_city(seed=5))
    assert sample(_city(seed=5)) == first
    other = sample(_city(seed=6))
    assert other[0] != first[0]
    assert other[1] != first[1]
    assert other[2] != first[2]


# ---------------------------------------------------------------- distributions


def test_ages_statuses_and_sexes_are_roughly_as_intended(
    city: SyntheticCity, persons: list[dict[str, Any]]
) -> None:
    ages = [_age(person, city) for person in persons]
    share = lambda test: sum(1 for age in ages if test(age)) / len(ages)  # noqa: E731
    assert 0.09 <= share(lambda age: age >= 60) <= 0.14
    assert 0.06 <= share(lambda age: age >= 65) <= 0.11
    assert 0.10 <= share(lambda age: age < 15) <= 0.18
    assert 0.68 <= share(lambda age: 15 <= age < 60) <= 0.80
    assert max(ages) <= 100
    assert min(ages) >= 0
    statuses = Counter(person["residence_status"] for person in persons)
    assert 0.48 <= statuses["registered"] / len(persons) <= 0.62
    assert 0.36 <= statuses["floating"] / len(persons) <= 0.50
    assert 0.003 <= statuses["hmt"] / len(persons) <= 0.03
    assert 0.001 <= statuses["foreign"] / len(persons) <= 0.02
    assert statuses.keys() == {"registered", "floating", "hmt", "foreign"}
    males = sum(1 for person in persons if person["sex"] == "M") / len(persons)
    assert 0.50 <= males <= 0.55
    surnames = [name for name, _count in Counter(p["name"][0] for p in persons).most_common(5)]
    assert surnames[:2] == ["陈", "李"]
    assert {"黄", "张", "王"} <= set(surnames)
    for person in persons:
        if person["residence_status"] == "foreign":  # romanised, family name first
            assert ROMANISED_NAME.fullmatch(person["name"]), person["name"]
        else:
            assert 2 <= len(person["name"]) <= 4


def test_households_have_one_head_share_a_home_and_make_sense(
    city: SyntheticCity, households: list[Any]
) -> None:
    kinds = Counter(household.kind for household in households)
    assert kinds["family"] > 10 * kinds["collective"] > 0
    numbers = [household.number for household in households]
    assert len(set(numbers)) == len(numbers)
    for household in households:
        relations = Counter(member["relation"] for member in household.members)
        assert relations["head"] == 1
        assert household.members[0]["relation"] == "head"
        assert relations["spouse"] <= 1
        assert {member["current_address"] for member in household.members} == {
            household.dwelling.text
        }
        head = household.members[0]
        head_age = _age(head, city)
        for member in household.members:
            if member["relation"] == "child":
                assert _age(member, city) <= head_age - 16
            if member["relation"] == "parent":
                assert _age(member, city) >= head_age + 16
            if member["relation"] == "spouse":
                assert member["sex"] != head["sex"]
                assert _age(member, city) >= 18
        if household.kind == "collective":
            assert set(relations) <= {"head", "other"}
            assert len(household.members) >= 4
        rows = household.rows()
        assert len(rows) == len(household.members)
        assert set(rows[0]) == set(HOUSEHOLD_COLUMNS)
    sizes = [len(household.members) for household in households]
    assert 2.2 <= sum(sizes) / len(sizes) <= 2.9
    homes_used = {household.dwelling.index for household in households}
    assert 0.03 <= 1 - len(homes_used) / city.dwelling_count <= 0.2  # some homes are empty


def test_phones_permits_and_employers(
    city: SyntheticCity, persons: list[dict[str, Any]], entities: list[dict[str, str]]
) -> None:
    prefixes = {prefix for prefix, _weight in tables.MOBILE_PREFIXES}
    employers = {entity["name"] for entity in entities}
    kinds: Counter[str] = Counter()
    for person in persons:
        age = _age(person, city)
        if person["phone"]:
            parsed = parse_phone(person["phone"])
            assert parsed is not None
            assert parsed.number == person["phone"]
            kinds[parsed.kind] += 1
            if parsed.kind == MOBILE:
                assert person["phone"][:3] in prefixes
        if person["employer"]:
            assert person["employer"] in employers
            assert 18 <= age < 60
        if person["permit_number"]:
            assert person["residence_status"] == "floating"
            assert age >= 16
            assert re.fullmatch(r"44040[234]20[0-9]{2}[0-9]{7}", person["permit_number"])
            assert dt.date.fromisoformat(person["permit_valid_until"])
        if person["lon"]:
            grid = next(grid for grid in GRIDS if grid.code == person["grid_code"])
            assert grid.polygon.covers(Point(float(person["lon"]), float(person["lat"])))
        assert set(PERSON_COLUMNS) <= set(person)
    assert kinds[MOBILE] > 0.7 * len(persons)
    assert kinds[LANDLINE] > 0
    adults = [person for person in persons if 25 <= _age(person, city) < 50]
    assert sum(1 for person in adults if person["employer"]) / len(adults) > 0.6
    floating_adults = [
        person
        for person in persons
        if person["residence_status"] == "floating" and _age(person, city) >= 16
    ]
    assert sum(1 for p in floating_adults if p["permit_number"]) / len(floating_adults) > 0.6
    with_point = sum(1 for person in persons if person["lon"]) / len(persons)
    assert 0.4 < with_point < 0.6
    assert len({p["permit_number"] for p in persons if p["permit_number"]}) == sum(
        1 for p in persons if p["permit_number"]
    )


# ---------------------------------------------------------------- foreign residents


def _foreign(household: Any) -> bool:
    return household.members[0]["residence_status"] == "foreign"


@pytest.fixture(scope="module")
def households_without_foreigners() -> list[Any]:
    return list(_city(foreign_share=0).households(PERSONS))


def test_foreign_households_replace_small_households_and_leave_the_others_as_they_were(
    households: list[Any], households_without_foreigners: list[Any]
) -> None:
    """A foreign household takes the place of one small family household after that household
    was generated, with a random stream of its own: everything else is the city without them."""
    without = households_without_foreigners
    assert not any(_foreign(household) for household in without)
    assert [h.number for h in households] == [h.number for h in without]
    replaced = 0
    for household, before in zip(households, without, strict=True):
        assert household.dwelling == before.dwelling
        assert household.kind == before.kind
        if not _foreign(household):
            assert household.members == before.members  # every row, every column
            continue
        replaced += 1
        assert before.kind == "family"
        assert len(household.members) == len(before.members) <= 3
        assert {member["residence_status"] for member in household.members} == {"foreign"}
        assert {member["household_number"] for member in household.members} == {before.number}
    assert replaced >= 5
    others = [m["id_number"] for h in households if not _foreign(h) for m in h.members]
    reference = [
        m["id_number"]
        for h, b in zip(households, without, strict=True)
        if not _foreign(h)
        for m in b.members
    ]
    assert others == reference
    # the foreigners' card numbers never take a number a citizen of the city has
    numbers = {m["id_number"] for h in without for m in h.members}
    foreign_numbers = {m["id_number"] for h in households if _foreign(h) for m in h.members}
    assert not numbers & foreign_numbers


def test_about_the_intended_share_of_households_is_foreign(
    households: list[Any], households_without_foreigners: list[Any]
) -> None:
    # each small family household is replaced with the chance of its grid: the expected number
    expected = sum(
        foreign_chance(h.dwelling.grid_code, FOREIGN_SHARE)
        for h in households_without_foreigners
        if h.kind == "family" and len(h.members) <= 3
    )
    foreign = sum(1 for household in households if _foreign(household))
    assert abs(foreign - expected) <= 4 * math.sqrt(expected)
    # these grids (half in 香洲 with one in 拱北, the rest in 斗门 and 金湾) about the city's 0.4 %
    assert 0.003 < expected / len(households) < 0.006


def test_foreign_households_are_small_families_mostly_in_xiangzhou() -> None:
    city = _city(seed=12, foreign_share=0.05)  # many more, for the distribution
    households = list(city.households(PERSONS))
    foreign = [household for household in households if _foreign(household)]
    assert len(foreign) > 100
    # 香洲 more than 金湾 more than 斗门, and 拱北 (a border street) most
    homes = Counter(h.dwelling.grid_code[:9] for h in households)
    found = Counter(h.dwelling.grid_code[:9] for h in foreign)
    rate = {street: found[street] / homes[street] for street in homes}
    assert rate["440402005"] > 2 * rate["440402001"]  # 拱北 > 翠香
    assert rate["440402001"] > rate["440404100"] > (rate["440403001"] + rate["440403106"]) / 2
    sizes = Counter(len(household.members) for household in foreign)
    assert set(sizes) == {1, 2, 3}
    relations = Counter(m["relation"] for h in foreign for m in h.members)
    assert set(relations) == {"head", "spouse", "child"}
    nationalities: Counter[str] = Counter()
    for household in foreign:
        head = household.members[0]
        assert head["relation"] == "head"
        assert _age(head, city) >= 18
        for member in household.members:
            nationalities[member["id_number"][3:6]] += 1
            assert member["current_address"] == household.dwelling.text
            assert member["residence_kind"] in {"租住", "自有"}
            assert ROMANISED_NAME.fullmatch(member["name"])
            if member["relation"] == "spouse":
                assert member["sex"] != head["sex"]
            if member["relation"] == "child":
                assert _age(member, city) < 18
                assert _age(member, city) <= _age(head, city) - 18
                father = next(
                    (m for m in household.members if m["relation"] != "child" and m["sex"] == "M"),
                    head,
                )
                # children carry their father's family name (a Russian daughter's ends in -A)
                family = member["name"].split()[0]
                assert family in {father["name"].split()[0], father["name"].split()[0] + "A"}
    assert len(nationalities) >= 10  # a realistic mix, not one country
    assert nationalities.most_common(1)[0][1] < 0.3 * nationalities.total()


@pytest.mark.django_db
def test_foreign_residents_import_through_the_registry_import(
    territory: Any, tmp_path: Path
) -> None:
    from civicgrid.registry import crypto
    from civicgrid.registry.models import HouseholdMember, Person
    from civicgrid.registry.services import registry_import
    from civicgrid.registry.synthetic.files import write_city_files

    # a small city with many foreigners (the share is of the whole city: 翠香 gets its weight)
    city = SyntheticCity(
        grids_from_database("4404"), seed=4, dwellings=40, entities=10, foreign_share=0.3
    )
    written = write_city_files(city, tmp_path, persons=90)
    with written.paths["persons"].open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    foreign = [row for row in rows if row["residence_status"] == "foreign"]
    assert len(foreign) >= 3
    assert len({row["id_number"][:6] for row in foreign}) >= 2
    run = registry_import(
        actor=None, kind="persons", source="gongan", path=written.paths["persons"]
    )
    assert (run.created_count, run.invalid_count) == (len(rows), 0)
    for row in foreign:
        info = parse_id_number(row["id_number"])
        person = Person.objects.get(id_hash=crypto.id_hash(row["id_number"]))
        assert (person.residence_status, person.name) == ("foreign", row["name"])
        assert (person.sex, person.birth_date) == (info.sex, info.birth_date)
        assert (person.sex, person.birth_date.isoformat()) == (row["sex"], row["birth_date"])
    assert Person.objects.filter(residence_status="foreign").count() == len(foreign)
    households = registry_import(
        actor=None, kind="households", source="gongan", path=written.paths["households"]
    )
    assert households.invalid_count == 0
    foreign_numbers = {row["id_number"] for row in foreign}
    with written.paths["households"].open(encoding="utf-8", newline="") as handle:
        expected = {
            (row["household_number"], crypto.id_hash(row["id_number"]), row["relation"])
            for row in csv.DictReader(handle)
            if row["id_number"] in foreign_numbers
        }
    members = HouseholdMember.objects.filter(person__residence_status="foreign")
    assert {
        (number, id_hash, relation)
        for number, id_hash, relation in members.values_list(
            "household__number", "person__id_hash", "relation"
        )
    } == expected
    heads = [number for number, _hash, relation in expected if relation == "head"]
    assert len(expected) > len(heads) == len({number for number, _hash, _r in expected})


# ---------------------------------------------------------------- homes


def test_homes_are_unique_inside_their_grid_and_spread_by_district(city: SyntheticCity) -> None:
    homes = list(city.dwellings())
    assert len(homes) == city.dwelling_count == 4_000
    assert len({home.parts for home in homes}) == len(homes)
    # The registry's address key leaves street and community out when there is a road and a
    # house number: a number is unique on its road in a district.
    keys = {
        (home.district, home.road, home.house_number, home.building, home.unit, home.room)
        for home in homes
    }
    assert len(keys) == len(homes)
    assert all(re.search(r"(路|道|街|巷)$", home.road) for home in homes)
    assert [home.index for home in homes] == list(range(len(homes)))
    assert city.dwelling(1234) == homes[1234]
    grids = {grid.code: grid for grid in GRIDS}
    for home in homes[::7]:
        assert grids[home.grid_code].polygon.covers(Point(home.lon, home.lat))
        assert ADDRESS_TEXT.fullmatch(home.text), home.text
        row = home.row()
        assert list(row) == list(ADDRESS_COLUMNS)
        assert home.text == "珠海市" + "".join(row[column] for column in ADDRESS_COLUMNS[:8])
    village = [home for home in homes if home.community == "南门村"]
    assert village
    assert all(not home.building and not home.unit for home in village)
    assert all(home.road.startswith("南门") for home in village)
    urban = [home for home in homes if home.community == "紫荆社区"]
    assert urban
    assert all(home.building.endswith("栋") for home in urban)
    assert all(home.unit.endswith("单元") for home in urban)
    by_district = Counter(home.district for home in homes)
    assert by_district["香洲区"] > by_district["斗门区"] > 0
    assert by_district["金湾区"] > 0
    with pytest.raises(IndexError):
        city.dwelling(4_000)


def test_a_city_needs_grids_and_homes() -> None:
    with pytest.raises(ValueError, match="no grids"):
        SyntheticCity([], dwellings=10)
    with pytest.raises(ValueError, match="at least one home"):
        SyntheticCity(GRIDS, dwellings=0)


def test_the_exact_number_of_persons_is_made(city: SyntheticCity) -> None:
    for count in (1, 7, 250):
        assert sum(1 for _person in city.persons(count)) == count


@pytest.mark.django_db
def test_grids_from_the_database(territory: Any) -> None:
    grids = grids_from_database("4404")
    assert [grid.code for grid in grids] == [
        "440402001001001",
        "440402001001002",
        "440403001001001",
        "440403001001002",
    ]
    first = grids[0]
    assert (first.district, first.street, first.community) == ("香洲区", "翠香街道", "紫荆社区")
    assert first.polygon.bounds == (0.0, 0.0, 5.0, 10.0)
    city = SyntheticCity(grids, dwellings=50, entities=5)
    assert all(home.text.startswith("珠海市") for home in city.dwellings())


# ---------------------------------------------------------------- noisy copies


def test_noisy_copies_differ_keep_the_truth_and_never_carry_the_id_number(
    persons: list[dict[str, Any]],
) -> None:
    by_number = {person["id_number"]: person for person in persons}
    copies = list(noisy_copies(persons, 3_000, seed=3))
    assert len(copies) == 3_000
    assert len({copy["truth_id_number"] for copy in copies}) == 3_000
    noise: Counter[str] = Counter()
    for copy in copies:
        person = by_number[copy["truth_id_number"]]
        original = (person["name"], person["phone"], person["current_address"])
        assert (copy["name"], copy["phone"], copy["address"]) != original or (
            copy["birth_date"] != person["birth_date"]
        )
        for value in (copy["name"], copy["phone"], copy["address"], copy["birth_date"]):
            assert person["id_number"] not in value
        year, month, day = person["birth_date"].split("-")
        assert copy["birth_date"] in {"", person["birth_date"], f"{year}-{day}-{month}"}
        labels = copy["noise"].split(";")
        noise.update(labels)
        if "name_homophone" not in labels and "name_traditional" not in labels:
            assert (
                copy["name"].replace(" ", "") in person["name"]
                or copy["name"] == person["name"]
                or "name_missing_character" in labels
            )
        if not copy["phone"]:
            assert not person["phone"] or "phone_missing" in labels
    for kind in (
        "name_homophone",
        "name_traditional",
        "phone_missing",
        "phone_digit_changed",
        "birth_date_missing",
        "birth_date_day_month_swapped",
        "address_from_road",
        "address_dashes",
        "address_full_width",
    ):
        assert noise[kind] > 10, kind
    exact_names = sum(
        1 for copy in copies if copy["name"] == by_number[copy["truth_id_number"]]["name"]
    )
    assert 0.55 < exact_names / len(copies) < 0.8  # most names are right, many are not


def test_noisy_copies_are_deterministic_and_can_stream(persons: list[dict[str, Any]]) -> None:
    first = list(noisy_copies(persons, 500, seed=9))
    assert list(noisy_copies(persons, 500, seed=9)) == first
    assert list(noisy_copies(persons, 500, seed=10)) != first
    streamed = list(noisy_copies(iter(persons), 500, seed=9, population=len(persons)))
    assert len(streamed) == 500
    assert len({copy["truth_id_number"] for copy in streamed}) == 500
    order = {person["id_number"]: index for index, person in enumerate(persons)}
    positions = [order[copy["truth_id_number"]] for copy in streamed]
    assert positions == sorted(positions)
    assert list(noisy_copies(persons, 0, seed=1)) == []
    assert len(list(noisy_copies(persons[:20], 50, seed=1))) == 20  # never more than there are
