"""Shared pieces of the synthetic city: columns, check digits, weighted choice, names."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Iterable
from typing import Any

from civicgrid.core.creditcodes import credit_code_check_char
from civicgrid.core.idnumbers import id_number_check_digit

from . import tables

REFERENCE_DATE = dt.date(2026, 6, 30)  # "today" of the synthetic city: ages are counted to it
DEFAULT_SEED = 2014

PERSON_COLUMNS = (
    "id_number",
    "name",
    "sex",
    "birth_date",
    "phone",
    "registered_address",
    "registered_division_code",
    "residence_status",
    "permit_number",
    "permit_valid_until",
    "current_address",
    "lon",
    "lat",
    "employer",
    "residence_kind",
)
HOUSEHOLD_COLUMNS = ("household_number", "kind", "address", "id_number", "relation")
ADDRESS_COLUMNS = (
    "district",
    "street",
    "community",
    "road",
    "house_number",
    "building",
    "unit",
    "room",
    "lon",
    "lat",
)
ENTITY_COLUMNS = (
    "uscc",
    "name",
    "kind",
    "legal_representative",
    "registered_address",
    "actual_address",
    "status",
    "established_on",
)
NOISY_COLUMNS = ("name", "phone", "address", "birth_date", "truth_id_number", "noise")


# ---------------------------------------------------------------- check digits


def make_id_number(region_code: str, birth_date: dt.date, sequence: int) -> str:
    """An 18-character ID number: region, birth date, 3-digit sequence (odd: male), check."""
    date = birth_date.year * 10_000 + birth_date.month * 100 + birth_date.day
    body = f"{region_code}{date:08d}{sequence:03d}"
    return body + id_number_check_digit(body)


def free_id_number(
    rng: random.Random, region: str, birth: dt.date, sex: str, issued: set[int]
) -> tuple[str, dt.date]:
    """A free ID number for ``region`` and the birth date it carries (moved back a day in the
    rare case that every sequence number of that day and region is taken). ``issued`` holds
    the numbers given out so far (as integers, without the check character)."""
    parity = 1 if sex == "M" else 0
    random_ = rng.random
    region_key = int(region) * 100_000_000_000
    for _attempt in range(200):
        sequence = int(random_() * 500) * 2 + parity
        day_key = (birth.year * 10_000 + birth.month * 100 + birth.day) * 1_000
        key = region_key + day_key + sequence
        if key not in issued:
            issued.add(key)
            return make_id_number(region, birth, sequence), birth
        if _attempt % 20 == 19:  # that day is full: the next day
            birth = birth - dt.timedelta(days=1)
    raise RuntimeError("no free ID number sequence")  # pragma: no cover


_ORGANISATION_VALUES = {char: int(char, 36) for char in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_code_check_char(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body."""
    total = sum(
        _ORGANISATION_VALUES[char] * weight
        for char, weight in zip(body, _ORGANISATION_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def make_credit_code(authority: str, category: str, division: str, body: str) -> str:
    """A USCC from its parts; ``body`` is the 8-character organisation code body."""
    first17 = f"{authority}{category}{division}{body}{organisation_code_check_char(body)}"
    return first17 + credit_code_check_char(first17)


# ---------------------------------------------------------------- weighted choice


class Weighted:
    """Fast repeated weighted choice (bisect over cumulative weights)."""

    __slots__ = ("cumulative", "items", "total")

    def __init__(self, pairs: Iterable[tuple[Any, float]]) -> None:
        pairs = list(pairs)
        self.items = [item for item, _weight in pairs]
        self.cumulative = list(itertools.accumulate(weight for _item, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


SURNAMES = Weighted(tables.SURNAME_WEIGHTS)
MOBILE_PREFIXES = Weighted(tables.MOBILE_PREFIXES)
ORIGINS = Weighted((row, row[4]) for row in tables.ORIGIN_COUNTIES)
HMT = Weighted((row, row[2]) for row in tables.HMT_REGIONS)
_ERAS = sorted(tables.GIVEN_NAMES["M"])


def given_name(rng: random.Random, sex: str, birth_year: int) -> str:
    era = _ERAS[bisect.bisect_right(_ERAS, birth_year) - 1]
    first, second, single_share, popular = tables.GIVEN_NAMES[sex][era]
    draw = rng.random()
    if draw < 0.1:
        return rng.choice(popular)
    if draw < 0.1 + single_share * 0.9:
        return rng.choice(second)
    return rng.choice(first) + rng.choice(second)


def mobile_phone(rng: random.Random) -> str:
    return MOBILE_PREFIXES.pick(rng) + f"{int(rng.random() * 100_000_000):08d}"


def place_name(rng: random.Random) -> str:
    """Two characters for a made-up town or village name."""
    return rng.choice(tables.PLACE_CHARACTERS) + rng.choice(tables.PLACE_CHARACTERS)
