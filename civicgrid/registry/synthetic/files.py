"""Writing a synthetic city to CSV files that ``civicgrid registry import`` reads."""

from __future__ import annotations

import csv
import operator
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import (
    ADDRESS_COLUMNS,
    ENTITY_COLUMNS,
    HOUSEHOLD_COLUMNS,
    NOISY_COLUMNS,
    PERSON_COLUMNS,
)
from .noise import noisy_copies

if TYPE_CHECKING:
    from . import SyntheticCity

FILE_NAMES = {
    "addresses": "addresses.csv",
    "entities": "entities.csv",
    "persons": "persons.csv",
    "households": "households.csv",
    "noisy": "noisy.csv",
}


@dataclass
class WrittenFiles:
    """Where the files are, how many rows each has and how long each took (seconds)."""

    paths: dict[str, Path] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


class _Writer:
    """A CSV file of ``columns`` written from dicts (other keys are left out)."""

    def __init__(self, path: Path, columns: tuple[str, ...]) -> None:
        self.handle = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(columns)
        self.values = operator.itemgetter(*columns)

    def writerow(self, row: Mapping[str, Any]) -> None:
        self.writer.writerow(self.values(row))

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.writer.writerows(map(self.values, rows))

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def write_city_files(
    city: SyntheticCity,
    directory: str | Path,
    *,
    persons: int,
    noisy: int = 0,
    noisy_seed: int | None = None,
) -> WrittenFiles:
    """Write addresses.csv, entities.csv, persons.csv, households.csv and (when ``noisy`` > 0)
    noisy.csv for ``city`` into ``directory`` (created if missing; files are overwritten).

    Persons and households are streamed to disk one household at a time; the noisy copies are
    drawn from the same stream (``noisy`` of the ``persons``, seed ``noisy_seed``, by default
    the city's seed). UTF-8, a header row of the English column names."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    result = WrittenFiles(paths={kind: directory / name for kind, name in FILE_NAMES.items()})
    if noisy <= 0:
        del result.paths["noisy"]

    started = time.perf_counter()
    with _Writer(result.paths["addresses"], ADDRESS_COLUMNS) as writer:
        count = 0
        for dwelling in city.dwellings():
            writer.writerow(dwelling.row())
            count += 1
    result.counts["addresses"] = count
    result.seconds["addresses"] = time.perf_counter() - started

    started = time.perf_counter()
    with _Writer(result.paths["entities"], ENTITY_COLUMNS) as writer:
        count = 0
        for entity in city.entities():
            writer.writerow(entity)
            count += 1
    result.counts["entities"] = count
    result.seconds["entities"] = time.perf_counter() - started

    started = time.perf_counter()
    person_writer = _Writer(result.paths["persons"], PERSON_COLUMNS)
    household_writer = _Writer(result.paths["households"], HOUSEHOLD_COLUMNS)
    counts = {"persons": 0, "households": 0}

    def stream() -> Iterator[dict[str, Any]]:
        for household in city.households(persons):
            counts["households"] += 1
            household_writer.writerows(household.rows())
            person_writer.writerows(household.members)
            counts["persons"] += len(household.members)
            yield from household.members

    with person_writer, household_writer:
        people = stream()
        if noisy > 0:
            with _Writer(result.paths["noisy"], NOISY_COLUMNS) as noisy_writer:
                seed = city.seed if noisy_seed is None else noisy_seed
                written = 0
                for copy in noisy_copies(people, noisy, seed, population=persons):
                    noisy_writer.writerow(copy)
                    written += 1
            result.counts["noisy"] = written
        for _person in people:  # the rest after the last sampled person
            pass
    result.counts["persons"] = counts["persons"]
    result.counts["households"] = counts["households"]
    result.seconds["persons_and_households"] = time.perf_counter() - started
    return result
