"""Foreign residents (境外人员) of the synthetic city.

About :data:`FOREIGN_SHARE` of the households of the whole city are households of foreign
nationals, many more in 香洲 (横琴, 拱北, 吉大, 唐家湾) than in 斗门 and 金湾 (see
:data:`~civicgrid.registry.synthetic.tables.FOREIGN_STREET_WEIGHTS`). Which households they are
is decided by a random stream of each household's own (``"{seed}:foreign:{serial}"``): the
household that would have lived there is generated as before and then replaced by a foreign
household of the same size, so every other person and household of the city stays exactly as
it is without foreigners. Only family households of one to three persons are replaced.

Foreign residents hold a foreigners' permanent residence ID card of the 2023 design
(外国人永久居留身份证, :mod:`civicgrid.core.idnumbers`): ``9``, the issuing province, a 3-digit
nationality code (ISO 3166-1 numeric), birth date, a sequence number (odd for men) and the
GB 11643 check character. Their names are romanised, family name first, as a passport writes
them; they have no 户籍 (registered address) and no 居住证 (residence permit).
"""

from __future__ import annotations

import random

from . import tables
from .common import Weighted

FOREIGN_SHARE = 0.004  # of the households of the whole city
# What a foreign household may replace: a family household of at most this many persons.
MOST_MEMBERS = 3
# Measured on the whole demo territory of Zhuhai (1,398 grids): the share of households that may
# be replaced (family households of one to three persons, 75 %) times the mean foreign weight
# of the homes of all households (foreign_weight, 1.1). With it, a grid of weight 1 gets the
# chance that makes about ``share`` of all households of the city foreign.
_CALIBRATION = 0.75 * 1.1

NATIONALITIES = Weighted((row, row[3]) for row in tables.FOREIGN_NATIONALITIES)
CARD_PROVINCES = Weighted(tables.FOREIGN_CARD_PROVINCES)


def foreign_weight(grid_code: str) -> float:
    """The weight of the grid's homes for foreign residents (district × street weight)."""
    district = tables.FOREIGN_DISTRICT_WEIGHTS.get(grid_code[:6], 0.1)
    return district * tables.FOREIGN_STREET_WEIGHTS.get(grid_code[:9], 1.0)


def foreign_chance(grid_code: str, share: float) -> float:
    """The chance that a household of at most three persons in the grid is foreign, for
    ``share`` foreign households in the whole city."""
    return min(1.0, share * foreign_weight(grid_code) / _CALIBRATION)


def card_province(rng: random.Random) -> str:
    """The province code of the place that issued a permanent residence ID card (the card
    number starts with 9 and this code, then the nationality code)."""
    return str(CARD_PROVINCES.pick(rng))


def family_name(rng: random.Random, naming: str, sex: str) -> str:
    name = rng.choice(tables.FOREIGN_NAMES[naming][0])
    return feminine(naming, name) if sex == "F" else name


def feminine(naming: str, family: str) -> str:
    """A woman's form of a family name (Russian: -A)."""
    return family + "A" if naming == "russian" and not family.endswith("A") else family


def full_name(rng: random.Random, naming: str, family: str, sex: str) -> str:
    """``FAMILY GIVEN`` as a passport writes it."""
    _families, men, women, _shared = tables.FOREIGN_NAMES[naming]
    return f"{family} {rng.choice(men if sex == 'M' else women)}"


def members(rng: random.Random, size: int) -> list[tuple[str, str, int]]:
    """(relation to the head, sex, age) of a foreign household of ``size`` (1 to 3) persons:
    people of working age alone, couples, couples with a child, a parent with children, and
    some retired people."""
    randint = rng.randint
    if size <= 1:
        draw = rng.random()
        age = randint(23, 44) if draw < 0.6 else randint(45, 64) if draw < 0.9 else randint(65, 82)
        return [("head", "M" if rng.random() < 0.62 else "F", age)]
    if (size == 2 and rng.random() < 0.2) or (size == 3 and rng.random() < 0.1):
        head_sex = "F" if rng.random() < 0.7 else "M"  # a parent with children
        age = randint(30, 50)
        result = [("head", head_sex, age)]
    else:
        head_sex = "M" if rng.random() < 0.8 else "F"
        age = randint(25, 62) if size == 2 else randint(27, 50)
        gap = randint(-2, 7)
        spouse_age = max(20, age - gap if head_sex == "M" else age + gap)
        result = [("head", head_sex, age), ("spouse", "F" if head_sex == "M" else "M", spouse_age)]
    youngest_parent = min(member_age for _r, _s, member_age in result)
    while len(result) < size:
        oldest_child = max(0, min(17, youngest_parent - 22))
        result.append(("child", "M" if rng.random() < 0.52 else "F", randint(0, oldest_child)))
    return result
