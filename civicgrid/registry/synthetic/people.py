"""People and households of the synthetic city."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import foreigners, tables
from .common import (
    HMT,
    ORIGINS,
    SURNAMES,
    Weighted,
    free_id_number,
    given_name,
    mobile_phone,
    place_name,
)
from .homes import Dwelling

if TYPE_CHECKING:
    from . import SyntheticCity


@dataclass
class SyntheticHousehold:
    """A household (户) at a home, with its members' person rows (``relation`` added)."""

    number: str
    kind: str  # family | collective
    dwelling: Dwelling
    members: list[dict[str, Any]] = field(default_factory=list)

    def rows(self) -> list[dict[str, str]]:
        """The households.csv rows, one per member."""
        return [
            {
                "household_number": self.number,
                "kind": self.kind,
                "address": self.dwelling.text,
                "id_number": member["id_number"],
                "relation": member["relation"],
            }
            for member in self.members
        ]


# Household shapes per status: (shape, weight). See SyntheticCity._members.
_SHAPES = {
    "registered": Weighted(
        [
            ("single_young", 9),
            ("couple_young", 7),
            ("nuclear", 32),
            ("three_generation", 9),
            ("empty_nest", 15),
            ("elderly_couple", 6),
            ("elderly_alone", 6),
            ("single_middle", 7),
        ]
    ),
    "floating": Weighted(
        [
            ("single_young", 34),
            ("couple_young", 14),
            ("nuclear", 24),
            ("three_generation", 3),
            ("collective", 7),
            ("single_middle", 9),
        ]
    ),
    "hmt": Weighted([("single_middle", 50), ("couple_young", 25), ("nuclear", 25)]),
}
# How a household holds its home (居住方式), by residence status; collective ones are dormitories.
_TENURES = {
    "registered": Weighted([("自有", 0.78), ("租住", 0.2), ("其他", 0.02)]),
    "floating": Weighted([("租住", 0.8), ("自有", 0.12), ("宿舍", 0.06), ("其他", 0.02)]),
    "hmt": Weighted([("自有", 0.6), ("租住", 0.4)]),
    "foreign": Weighted([("租住", 0.75), ("自有", 0.25)]),
}
_STATUSES = Weighted([("registered", 0.52), ("floating", 0.465), ("hmt", 0.015)])


@dataclass
class _Family:
    """What the members of one household share while they are generated."""

    status: str
    dwelling: Dwelling
    hukou: Dwelling  # registered residents: the home of their hukou
    origin: tuple[str, str, str, str, int] | None  # floating: origin county row
    origin_address: str
    hmt: tuple[str, str, int] | None
    surname: str = ""  # the children's surname (the father's)
    dwelling_text: str = ""
    point: tuple[str, str] = ("", "")
    head_surname: str = ""
    phones: list[str] = field(default_factory=list)
    tenure: str = ""  # 居住方式 as a department writes it


class Population:
    """Generates the households of ``city`` one after the other (see :meth:`households`)."""

    def __init__(self, city: SyntheticCity) -> None:
        self.city = city

    def households(self, persons: int) -> Iterator[SyntheticHousehold]:
        """Households until ``persons`` people are generated (the last one may be cut short)."""
        rng = random.Random(f"{self.city.seed}:people")
        issued: set[int] = set()
        made = 0
        serial = itertools.count(1)
        permits = itertools.count(1)
        homes = self.city.dwelling_count
        # Households take fresh homes in a scrambled order (an affine permutation) while some
        # share a home already taken (sub-let rooms): about 8 % of homes stay empty.
        step = max(1, int(homes * 0.6180339887))
        while math.gcd(step, homes) != 1:
            step += 1
        offset = rng.randrange(homes)
        fresh_share = min(1.0, 0.9 * homes / max(1.0, persons / 2.45))
        fresh = 0
        while made < persons:
            if fresh < homes and rng.random() < fresh_share:
                home = (offset + fresh * step) % homes
                fresh += 1
            else:
                home = rng.randrange(homes)
            household = self._household(
                rng, next(serial), self.city.dwelling(home), issued, permits
            )
            if made + len(household.members) > persons:
                household.members = household.members[: persons - made]
            made += len(household.members)
            yield household

    def persons(self, count: int) -> Iterator[dict[str, Any]]:
        """The person rows of :meth:`households` (``count`` of them)."""
        for household in self.households(count):
            yield from household.members

    def _household(
        self,
        rng: random.Random,
        serial: int,
        dwelling: Dwelling,
        issued: set[int],
        permits: Iterator[int],
    ) -> SyntheticHousehold:
        status = _STATUSES.pick(rng)
        if status == "hmt" and dwelling.grid_code[:6] != "440402" and rng.random() < 0.7:
            status = "floating"  # Hong Kong and Macao residents live mostly in 香洲 (拱北, 横琴)
        shape = _SHAPES[status].pick(rng)
        hukou = dwelling
        if status == "registered" and rng.random() < 0.15:
            hukou = self.city.dwelling(rng.randrange(self.city.dwelling_count))
        origin = ORIGINS.pick(rng) if status == "floating" else None
        family = _Family(
            status=status,
            dwelling=dwelling,
            hukou=hukou,
            origin=origin,
            origin_address=self._origin_address(rng, origin) if origin else "",
            hmt=HMT.pick(rng) if status == "hmt" else None,
        )
        kind = "collective" if shape == "collective" else "family"
        # Drawn from its own stream, so the rest of the city stays as it was before.
        family.tenure = (
            "宿舍"
            if kind == "collective"
            else _TENURES[status].pick(random.Random(f"{self.city.seed}:tenure:{serial}"))
        )
        number = f"{dwelling.grid_code[:9]}{serial:07d}"
        household = SyntheticHousehold(number=number, kind=kind, dwelling=dwelling)
        for relation, sex, age in self._members(rng, shape):
            if shape == "collective" and relation != "head" and family.origin:
                family.origin = ORIGINS.pick(rng)  # dormitory mates come from anywhere
                family.origin_address = self._origin_address(rng, family.origin)
            person = self._person(rng, family, relation, sex, age, issued, permits)
            person["household_number"] = number
            household.members.append(person)
        share = self.city.foreign_share
        if share > 0 and kind == "family" and len(household.members) <= foreigners.MOST_MEMBERS:
            # Decided and made with a stream of its own: the household that would have lived
            # here was made first (using the common stream as always), so the rest of the city
            # stays as it is without foreigners.
            own = random.Random(f"{self.city.seed}:foreign:{serial}")
            if own.random() < foreigners.foreign_chance(dwelling.grid_code, share):
                household.members = self._foreign_members(
                    own, dwelling, number, len(household.members), issued
                )
        return household

    def _foreign_members(
        self,
        rng: random.Random,
        dwelling: Dwelling,
        number: str,
        size: int,
        issued: set[int],
    ) -> list[dict[str, Any]]:
        """The person rows of a household of foreign nationals (see :mod:`.foreigners`)."""
        nationality, _country, naming, _weight = foreigners.NATIONALITIES.pick(rng)
        base = foreigners.family_name(rng, naming, "M")  # the head's family name (men's form)
        family = _Family(
            status="foreign",
            dwelling=dwelling,
            hukou=dwelling,
            origin=None,
            origin_address="",
            hmt=None,
            dwelling_text=dwelling.text,
            point=(f"{dwelling.lon:.6f}", f"{dwelling.lat:.6f}"),
        )
        family.tenure = _TENURES["foreign"].pick(rng)
        province = foreigners.card_province(rng)  # where the family applied for its cards
        reference = self.city.reference_date
        father = (nationality, naming, base)  # the children's nationality and family name
        rows = []
        for relation, sex, age in foreigners.members(rng, size):
            own = (nationality, naming, base)
            if relation == "spouse":
                if rng.random() < 0.15:  # of another nationality
                    other, _country, other_naming, _weight = foreigners.NATIONALITIES.pick(rng)
                    own = (other, other_naming, foreigners.family_name(rng, other_naming, "M"))
                elif not tables.FOREIGN_NAMES[naming][3]:  # keeps the own family name
                    own = (nationality, naming, foreigners.family_name(rng, naming, "M"))
                if sex == "M":
                    father = own
            elif relation == "child":
                own = father
            own_nationality, own_naming, own_family = own
            if sex == "F":
                own_family = foreigners.feminine(own_naming, own_family)
            birth = dt.date.fromordinal(
                reference.toordinal() - int((age + rng.random()) * 365.2425)
            )
            birth = min(birth, reference)
            if relation == "spouse" and rng.random() < 0.2:
                region = f"9{foreigners.card_province(rng)}{own_nationality}"
            else:
                region = f"9{province}{own_nationality}"
            id_number, birth = free_id_number(rng, region, birth, sex, issued)
            name = foreigners.full_name(rng, own_naming, own_family, sex)
            phone = self._phone(rng, family, age)
            lon, lat = family.point if rng.random() < self.city.coordinate_share else ("", "")
            rows.append(
                {
                    "id_number": id_number,
                    "name": name,
                    "sex": sex,
                    "birth_date": birth.isoformat(),
                    "phone": phone,
                    "registered_address": "",  # no 户籍
                    "registered_division_code": "",
                    "residence_status": "foreign",
                    "permit_number": "",  # 居住证 are for Chinese citizens
                    "permit_valid_until": "",
                    "current_address": family.dwelling_text,
                    "lon": lon,
                    "lat": lat,
                    "employer": self._employer(rng, "foreign", sex, age),
                    "residence_kind": family.tenure,
                    "relation": relation,
                    "grid_code": dwelling.grid_code,
                    "address_parts": dwelling.parts,
                    "household_number": number,
                }
            )
        return rows

    def _members(self, rng: random.Random, shape: str) -> list[tuple[str, str, int]]:
        """(relation to the head, sex, age) of each member of a household of ``shape``."""
        randint = rng.randint

        def couple(low: int, high: int) -> list[tuple[str, str, int]]:
            head_sex = "M" if rng.random() < 0.78 else "F"
            age = randint(low, high)
            gap = randint(-2, 6)
            spouse_age = max(18, age - gap if head_sex == "M" else age + gap)
            return [
                ("head", head_sex, age),
                ("spouse", "F" if head_sex == "M" else "M", spouse_age),
            ]

        def children(mother_age: int, most: int) -> list[tuple[str, str, int]]:
            result = []
            age = mother_age - randint(22, 34)
            for _child in range(most):
                if age < 0:
                    break
                result.append(("child", "M" if rng.random() < 0.53 else "F", age))
                age -= randint(2, 7)
            return result

        def mother_age(members: list[tuple[str, str, int]]) -> int:
            return next((age for _r, sex, age in members if sex == "F"), members[0][2] - 2)

        if shape == "single_young":
            return [("head", "M" if rng.random() < 0.56 else "F", randint(18, 38))]
        if shape == "single_middle":
            return [("head", "M" if rng.random() < 0.55 else "F", randint(40, 66))]
        if shape == "couple_young":
            members = couple(22, 36)
            if rng.random() < 0.3:  # a baby
                members.append(("child", "M" if rng.random() < 0.53 else "F", randint(0, 3)))
            return members
        if shape == "empty_nest":
            members = couple(48, 73)
            if rng.random() < 0.3:  # a grown-up child still at home
                members += children(mother_age(members), 1)
            return members
        if shape == "elderly_couple":
            return couple(63, 88)
        if shape == "elderly_alone":
            return [("head", "F" if rng.random() < 0.62 else "M", randint(65, 96))]
        if shape == "collective":
            return [
                ("head" if index == 0 else "other", "M" if rng.random() < 0.6 else "F", age)
                for index, age in enumerate(randint(18, 45) for _m in range(randint(4, 10)))
            ]
        # nuclear and three-generation families
        members = couple(27, 56)
        wanted = rng.choices((1, 2, 3), weights=(38, 48, 14))[0]
        members += children(mother_age(members), wanted)
        if shape == "three_generation":
            head_age = members[0][2]
            for sex in rng.sample(("M", "F"), randint(1, 2)):
                members.append(("parent", sex, min(98, head_age + randint(24, 34))))
        return members

    def _person(
        self,
        rng: random.Random,
        family: _Family,
        relation: str,
        sex: str,
        age: int,
        issued: set[int],
        permits: Iterator[int],
    ) -> dict[str, Any]:
        reference = self.city.reference_date
        birth = dt.date.fromordinal(reference.toordinal() - int((age + rng.random()) * 365.2425))
        if birth > reference:
            birth = reference
        number, birth = self._id_number(rng, family, relation, age, birth, sex, issued)
        surname = SURNAMES.pick(rng)
        if relation == "head":
            family.head_surname = surname
        elif relation == "parent" and sex == "M" and family.head_surname:
            surname = family.head_surname  # the head's father
        elif relation in ("child", "grandchild") and family.surname and rng.random() < 0.94:
            surname = family.surname  # the father's surname
        if relation in ("head", "spouse") and (sex == "M" or not family.surname):
            family.surname = surname
        name = surname + given_name(rng, sex, birth.year)
        phone = self._phone(rng, family, age)
        dwelling = family.dwelling
        with_point = rng.random() < self.city.coordinate_share
        if not family.dwelling_text:
            family.dwelling_text = dwelling.text
            family.point = (f"{dwelling.lon:.6f}", f"{dwelling.lat:.6f}")
        row: dict[str, Any] = {
            "id_number": number,
            "name": name,
            "sex": sex,
            "birth_date": birth.isoformat(),
            "phone": phone,
            "registered_address": "",
            "registered_division_code": "",
            "residence_status": family.status,
            "permit_number": "",
            "permit_valid_until": "",
            "current_address": family.dwelling_text,
            "lon": family.point[0] if with_point else "",
            "lat": family.point[1] if with_point else "",
            "employer": self._employer(rng, family.status, sex, age),
            "residence_kind": family.tenure,
            "relation": relation,
            "grid_code": dwelling.grid_code,
            "address_parts": dwelling.parts,
        }
        if family.status == "registered":
            row["registered_address"] = (
                family.dwelling_text if family.hukou is dwelling else family.hukou.text
            )
            row["registered_division_code"] = family.hukou.grid_code[:12]
        elif family.status == "floating" and family.origin:
            row["registered_address"] = family.origin_address
            row["registered_division_code"] = family.origin[0]
            if age >= 16 and rng.random() < 0.78:
                issued_year = min(reference.year, max(2016, reference.year - rng.randint(0, 8)))
                row["permit_number"] = f"{dwelling.grid_code[:6]}{issued_year}{next(permits):07d}"
                valid = reference + dt.timedelta(days=rng.randint(-240, 3 * 365))
                row["permit_valid_until"] = valid.isoformat()
        elif family.hmt:
            row["registered_address"] = family.hmt[1]
            row["registered_division_code"] = family.hmt[0]
        return row

    def _id_number(
        self,
        rng: random.Random,
        family: _Family,
        relation: str,
        age: int,
        birth: dt.date,
        sex: str,
        issued: set[int],
    ) -> tuple[str, dt.date]:
        """A free ID number for the person and the birth date it carries (moved back a day
        in the rare case that every sequence number of that day and region is taken)."""
        if family.hmt:
            region = family.hmt[0]
        elif family.origin:
            # Children's numbers come from their hukou, the family's county; a spouse may
            # come from another county.
            region = family.origin[0]
            if relation not in ("child", "head", "grandchild") and rng.random() < 0.25:
                region = ORIGINS.pick(rng)[0]
        elif family.status == "registered" and age >= 24 and rng.random() < 0.4:
            region = ORIGINS.pick(rng)[0]  # moved to Zhuhai and transferred the hukou
        else:
            region = family.hukou.grid_code[:6]
            if region == "440403" and birth.year < 2001 and rng.random() < 0.3:
                region = tables.DOUMEN_COUNTY_CODE
        return free_id_number(rng, region, birth, sex, issued)

    def _phone(self, rng: random.Random, family: _Family, age: int) -> str:
        draw = rng.random()
        if age < 16:
            return family.phones[0] if family.phones and draw < 0.5 else ""
        if age >= 78:
            if draw < 0.55:
                phone = mobile_phone(rng)
                family.phones.append(phone)
                return phone
            if draw < 0.8 and family.phones:
                return family.phones[0]
            if draw < 0.86:
                return f"0756-{rng.choice('2345678')}{rng.randrange(1_000_000):06d}"
            return ""
        if draw < (0.7 if age < 18 else 0.975):
            phone = mobile_phone(rng)
            family.phones.append(phone)
            return phone
        return ""

    def _employer(self, rng: random.Random, status: str, sex: str, age: int) -> str:
        if age < 18 or age >= (60 if sex == "M" else 55) or not self.city.entity_count:
            return ""
        share = {"registered": 0.66, "floating": 0.84, "hmt": 0.5, "foreign": 0.7}[status]
        if rng.random() >= share:
            return ""
        plan = self.city.entity_plan()
        # Big employers employ many: the index is skewed towards the start of the plan.
        return plan[int(len(plan) * rng.random() ** 3)][2]

    def _origin_address(self, rng: random.Random, origin: tuple[str, str, str, str, int]) -> str:
        _code, province, prefecture, county, _weight = origin
        town = place_name(rng) + rng.choice(("镇", "镇", "镇", "乡"))
        village = place_name(rng) + "村"
        place = f"{province}{prefecture}{county}"
        if province == "重庆市":
            place = f"{province}{county}"
        return f"{place}{town}{village}{rng.randint(1, 12)}组{rng.randint(1, 80)}号"
