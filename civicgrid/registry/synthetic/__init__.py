"""A synthetic city for tests, benchmarks and the demo: people, households, homes, entities.

    city = SyntheticCity(grids_from_database("4404"), seed=2014, dwellings=800_000,
                         entities=300_000)
    for dwelling in city.dwellings(): ...            # addresses.csv rows: dwelling.row()
    for household in city.households(2_500_000): ... # members: person rows (persons.csv)
    for entity in city.entities(): ...               # entities.csv rows
    for row in noisy_copies(persons, 200_000, seed=7, population=2_500_000): ...

Everything is deterministic for a seed and streamed: persons and households are generated one
household at a time and never held together (only the set of issued ID numbers is kept, as
integers, to keep them unique). What is generated:

* **Homes** (地址/房屋): ``dwellings`` homes spread over the grids (网格) of the demo territory,
  more in 香洲 than in 斗门 and 金湾, few on the islands and in industrial zones. Urban
  communities have compounds (road and house number) of buildings (栋) with units (单元),
  floors and rooms (``501`` = 5th floor, room 01); villages (村) have self-built houses along
  lanes (``南门二巷12号301``). Each building has a point inside its grid polygon. The standard
  text is ``珠海市香洲区拱北街道夏湾社区夏湾路12号3栋2单元501``.
* **People** (人口) in **households** (户): registered residents (户籍, about 54 %), floating
  population (流动人口, about 45 %), Hong Kong / Macao / Taiwan residents (港澳台, about 1 %) and
  foreign nationals (境外, about 0.4 % of the households, see below), in families (head,
  spouse, children, the head's parents), single people, elderly couples or people alone, and
  collective households (集体户, dormitories). Ages follow a pyramid plausible for Zhuhai
  (many people of working age, about 12 % aged 60+); the sex ratio is slightly male.
  ID numbers are valid (GB 11643 check digit) and agree with birth date and sex (odd 17th digit
  for men); their region code is a Zhuhai district (440402 香洲, 440403 斗门, 440404 金湾, or
  440421 for 斗门县 before 2001) for people born there, the real code of an origin county for
  migrants (see :data:`~civicgrid.registry.synthetic.tables.ORIGIN_COUNTIES`), 810000 / 820000
  / 830000 for Hong Kong, Macao and Taiwan residents. Names follow common surnames and the given
  names of each generation; phones use the carriers' prefixes (children mostly none or a
  parent's); floating adults mostly hold a residence permit (居住证); people of working age
  mostly have an employer among the generated entities.
* **Legal entities** (法人): companies and individual businesses (市场监管), public institutions
  (事业单位), social organisations (社会团体, 民办非企业单位, 基金会) and a few others, with
  valid unified social credit codes (GB 32100 check character; the embedded organisation code
  carries its GB 11714 check character too) and the division code of the registering authority.
* **Noisy copies** (:func:`noisy_copies`): rows as a tenant list or a grid worker's note would
  have them — name, phone, address and maybe the birth date, no ID number — with typos,
  same-sound characters, traditional characters, changed or missing phone digits, address
  variants and swapped day/month, and the true ID number in ``truth_id_number``.

* **Foreign residents** (境外人员, :mod:`~civicgrid.registry.synthetic.foreigners`): about
  ``foreign_share`` (0.4 %) of the households of the whole city, mostly in 香洲 (横琴, 拱北, 吉大,
  唐家湾), one to three persons with romanised names (``SMITH JOHN``, ``KIM MINJUN``) and the
  foreigners' permanent residence ID card of the 2023 design (``9`` + issuing province +
  nationality code + birth date + sequence + check character), no 户籍 and no 居住证. Each such
  household replaces the small family household its own random stream picked, after that
  household was generated, so ``foreign_share=0`` gives the same city without them and every
  other person and household is the same either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from .common import (
    ADDRESS_COLUMNS,
    DEFAULT_SEED,
    ENTITY_COLUMNS,
    HOUSEHOLD_COLUMNS,
    NOISY_COLUMNS,
    PERSON_COLUMNS,
    REFERENCE_DATE,
    make_credit_code,
    make_id_number,
    organisation_code_check_char,
)
from .entities import entity_plan, entity_rows
from .foreigners import FOREIGN_SHARE
from .homes import Dwelling, GridArea, Homes, grids_from_database
from .noise import noisy_copies, noisy_copy
from .people import Population, SyntheticHousehold

__all__ = [
    "ADDRESS_COLUMNS",
    "DEFAULT_SEED",
    "ENTITY_COLUMNS",
    "FOREIGN_SHARE",
    "HOUSEHOLD_COLUMNS",
    "NOISY_COLUMNS",
    "PERSON_COLUMNS",
    "REFERENCE_DATE",
    "Dwelling",
    "GridArea",
    "SyntheticCity",
    "SyntheticHousehold",
    "grids_from_database",
    "make_credit_code",
    "make_id_number",
    "noisy_copies",
    "noisy_copy",
    "organisation_code_check_char",
]


class SyntheticCity:
    """A deterministic synthetic city over ``grids`` (see the module docstring).

    ``dwellings`` homes and ``entities`` legal entities are planned up front (cheap); people
    are generated on demand by :meth:`households` / :meth:`persons`, as many as asked for.
    ``coordinate_share`` of the person rows carry the coordinates of their home (the others
    must be placed by their address text). About ``foreign_share`` of the households of the
    whole city are foreign residents (0: none; see :mod:`.foreigners`).
    """

    def __init__(
        self,
        grids: Sequence[GridArea],
        *,
        seed: int = DEFAULT_SEED,
        dwellings: int = 800_000,
        entities: int = 300_000,
        reference_date: dt.date = REFERENCE_DATE,
        coordinate_share: float = 0.5,
        foreign_share: float = FOREIGN_SHARE,
    ) -> None:
        if not 0 <= foreign_share <= 1:
            raise ValueError("foreign_share must lie between 0 and 1")
        self.seed = seed
        self.homes = Homes(grids, dwellings, seed)
        self.entity_count = max(0, entities)
        self.reference_date = reference_date
        self.coordinate_share = coordinate_share
        self.foreign_share = foreign_share
        self._entity_plan: list[tuple[str, str, str]] | None = None

    @property
    def grids(self) -> list[GridArea]:
        return self.homes.grids

    @property
    def dwelling_count(self) -> int:
        return self.homes.count

    def dwelling(self, index: int) -> Dwelling:
        """Home number ``index`` (0 ≤ index < ``dwelling_count``)."""
        return self.homes.dwelling(index)

    def dwellings(self) -> Iterator[Dwelling]:
        """Every home, grid by grid (``dwelling.row()`` is its addresses.csv row)."""
        return iter(self.homes)

    def households(self, persons: int) -> Iterator[SyntheticHousehold]:
        """Households until ``persons`` people are made (the last one may be cut short)."""
        return Population(self).households(persons)

    def persons(self, count: int) -> Iterator[dict[str, Any]]:
        """The person rows of :meth:`households` (``count`` of them).

        Each row has the :data:`PERSON_COLUMNS` and, for tests and linkage, ``relation``,
        ``household_number``, ``grid_code`` and ``address_parts`` (district … room)."""
        for household in self.households(count):
            yield from household.members

    def entities(self) -> Iterator[dict[str, str]]:
        """The entities.csv rows (:data:`ENTITY_COLUMNS`)."""
        return entity_rows(self)

    def entity_plan(self) -> list[tuple[str, str, str]]:
        """(kind, district code, name) of every entity; the names are the people's employers."""
        if self._entity_plan is None:
            self._entity_plan = entity_plan(self)
        return self._entity_plan
