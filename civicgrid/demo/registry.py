"""Demo base registry (一库): a small slice of the synthetic city, imported like department feeds.

    from civicgrid.demo import registry
    registry.load()          # after loader.load_territory(); ``civicgrid demo registry``

What it loads (deterministic for the seed; files under ``<VAR_DIR>/demo-registry/``):

* ``addresses.csv`` (2,000 homes, source 网格采集 ``grid``), ``entities.csv`` (500 legal
  entities, 市场监管 ``shichang``), ``persons.csv`` (5,000 persons, 公安 ``gongan``) and
  ``households.csv`` (公安) from :class:`civicgrid.registry.synthetic.SyntheticCity`, placed in
  the grids of four streets (翠香, 拱北, 白藤, 三灶: the demo grid workers' grids among them);
* ``minzheng_persons.csv``: a few persons as 民政 knows them (elderly people living alone,
  subsistence allowance, disability), one of them with a different way of writing the name —
  民政 is not authoritative for names (公安 is), so that difference waits in the conflict review
  queue (一数一源) instead of overwriting the name;
* a few special-group tags (特殊人群) on persons of the slice.

Every file goes through the registry import service (validation, placement, merge by
authority, source records, audit), as ``civicgrid registry import`` would. Idempotent: a file
whose import from that source already completed (same content, SHA-256) is not imported again,
an unfinished one is resumed, and existing tags are kept, so a second run changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError
from civicgrid.registry import crypto
from civicgrid.registry.models import (
    FieldConflict,
    ImportRun,
    ImportStatus,
    Person,
    Source,
    SpecialGroup,
    SpecialGroupTag,
)
from civicgrid.registry.services import KIND_NAMES, registry_import
from civicgrid.registry.synthetic import REFERENCE_DATE, SyntheticCity, grids_from_database
from civicgrid.registry.synthetic.files import write_city_files
from civicgrid.registry.synthetic.tables import HOMOPHONES

from . import loader

DEMO_SEED = 20261207
PERSONS = 5_000
DWELLINGS = 2_000
ENTITIES = 500
# 翠香街道 (xz-grid's grid), 拱北街道, 白藤街道 (dm-grid's grid), 三灶镇.
STREETS = ("440402001", "440402005", "440403001", "440404100")
TAG_SINCE = dt.date(2025, 3, 1)


@dataclass
class RegistryDemoSummary:
    imports: dict[str, str] = field(default_factory=dict)  # file → what happened
    tags_created: int = 0
    open_conflicts: int = 0
    persons: int = 0
    seconds: float = 0.0

    @property
    def lines(self) -> list[str]:
        lines = [f"registry {name}: {what}" for name, what in self.imports.items()]
        lines.append(
            f"registry: {self.persons} persons, special-group tags {self.tags_created} "
            f"created, {self.open_conflicts} open conflict(s) to review"
        )
        lines.append(f"{self.seconds:.1f} s")
        return lines


def demo_directory() -> Path:
    return Path(getattr(settings, "VAR_DIR", "var")) / "demo-registry"


def demo_city(
    *,
    seed: int = DEMO_SEED,
    streets: tuple[str, ...] | None = STREETS,
    dwellings: int = DWELLINGS,
    entities: int = ENTITIES,
) -> SyntheticCity:
    """The synthetic city of the demo slice (its homes in the grids of ``streets``)."""
    grids = grids_from_database(loader.CITY_CODE)
    if streets:
        grids = [grid for grid in grids if grid.code[:9] in streets]
    if not grids:
        raise DomainError("No demo grids: run `civicgrid demo load` first.", code="no_territory")
    return SyntheticCity(grids, seed=seed, dwellings=dwellings, entities=entities)


def load(
    *,
    directory: str | Path | None = None,
    seed: int = DEMO_SEED,
    persons: int = PERSONS,
    dwellings: int = DWELLINGS,
    entities: int = ENTITIES,
    streets: tuple[str, ...] | None = STREETS,
) -> RegistryDemoSummary:
    """Write the slice's files and import them (see the module docstring)."""
    started = time.perf_counter()
    summary = RegistryDemoSummary()
    folder = Path(directory) if directory is not None else demo_directory()
    city = demo_city(seed=seed, streets=streets, dwellings=dwellings, entities=entities)
    written = write_city_files(city, folder, persons=persons)
    people = list(city.persons(persons))
    picks = _picks(people, seed)
    minzheng = folder / "minzheng_persons.csv"
    _write_minzheng(minzheng, picks)
    for kind, source, path in (
        ("addresses", "grid", written.paths["addresses"]),
        ("entities", "shichang", written.paths["entities"]),
        ("persons", "gongan", written.paths["persons"]),
        ("households", "gongan", written.paths["households"]),
        ("persons", "minzheng", minzheng),
    ):
        summary.imports[f"{path.name} ({source})"] = _import(kind, source, path)
    summary.tags_created = _tags_ensure(picks)
    summary.persons = Person.objects.count()
    summary.open_conflicts = FieldConflict.objects.filter(status="open").count()
    summary.seconds = time.perf_counter() - started
    return summary


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _import(kind: str, source: str, path: Path) -> str:
    """Import ``path`` unless this source's import of the same content completed already."""
    done = ImportRun.objects.filter(
        entity_kind=KIND_NAMES[kind],
        source__code=source,
        file_sha256=_sha256(path),
        status=ImportStatus.COMPLETED,
    ).exists()
    if done:
        return "already imported"
    run = registry_import(actor=None, kind=kind, source=source, path=path, resume=True)
    what = (
        f"{run.status}: {run.created_count} created, {run.updated_count} updated, "
        f"{run.unchanged_count} unchanged, {run.invalid_count} invalid"
    )
    if run.conflict_count:
        what += f", {run.conflict_count} conflict(s)"
    return what


# ---------------------------------------------------------------- special groups and 民政


@dataclass(frozen=True)
class _Pick:
    id_number: str
    name: str
    group: str
    source: str
    note: str


def _age(person: dict[str, Any]) -> int:
    born = dt.date.fromisoformat(person["birth_date"])
    return (REFERENCE_DATE - born).days // 365


def _picks(people: list[dict[str, Any]], seed: int) -> list[_Pick]:
    """Persons of the slice that get a special-group tag (and appear in the 民政 file)."""
    rng = random.Random(f"{seed}:special-groups")
    heads = [p for p in people if p["relation"] == "head"]
    household_sizes: dict[str, int] = {}
    for person in people:
        number = person["household_number"]
        household_sizes[number] = household_sizes.get(number, 0) + 1
    alone = [p for p in heads if _age(p) >= 70 and household_sizes[p["household_number"]] == 1]
    adults = [p for p in people if 25 <= _age(p) < 60]
    registered = [p for p in heads if p["residence_status"] == "registered"]
    wanted = [
        (SpecialGroup.ELDERLY_ALONE, "minzheng", alone, 5, "独居，社区每周探访"),
        (SpecialGroup.SUBSISTENCE, "minzheng", registered, 2, "城乡低保"),
        (SpecialGroup.DISABILITY, "minzheng", adults, 2, "肢体残疾二级"),
        (SpecialGroup.COMMUNITY_CORRECTION, "gongan", adults, 1, "社区矫正期内"),
        (SpecialGroup.RELEASED_PRISONER, "gongan", adults, 1, "刑满释放，安置帮教"),
        (SpecialGroup.SEVERE_MENTAL_DISORDER, "minzheng", adults, 1, "在册管理"),
    ]
    chosen: set[str] = set()
    picks = []
    for group, source, pool, count, note in wanted:
        candidates = [p for p in pool if p["id_number"] not in chosen]
        for person in rng.sample(candidates, min(count, len(candidates))):
            chosen.add(person["id_number"])
            picks.append(_Pick(person["id_number"], person["name"], group, source, note))
    return picks


def _name_variant(name: str) -> str | None:
    """The name with its last same-sound-replaceable character replaced (陈秀英 → 陈绣英)."""
    for position in range(len(name) - 1, -1, -1):
        if name[position] in HOMOPHONES:
            return name[:position] + HOMOPHONES[name[position]][0] + name[position + 1 :]
    return None


def _write_minzheng(path: Path, picks: list[_Pick]) -> None:
    """民政's list of its persons: the same names as 公安, except one written differently."""
    rows = [(pick.id_number, pick.name) for pick in picks if pick.source == "minzheng"]
    for index, (number, name) in enumerate(rows):
        variant = _name_variant(name)
        if variant:
            rows[index] = (number, variant)
            break
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("id_number", "name"))
        writer.writerows(rows)


@transaction.atomic
def _tags_ensure(picks: list[_Pick]) -> int:
    """Tag the picked persons (an open tag per person and group); existing tags are kept."""
    sources = {source.code: source for source in Source.objects.all()}
    created = 0
    for pick in picks:
        person = Person.objects.filter(id_hash=crypto.id_hash(pick.id_number)).first()
        if person is None:
            continue
        if SpecialGroupTag.objects.filter(
            person=person, group=pick.group, until__isnull=True
        ).exists():
            continue
        tag = SpecialGroupTag.objects.create(
            person=person,
            group=pick.group,
            since=TAG_SINCE,
            note=pick.note,
            source=sources.get(pick.source),
            admin_unit_code=person.admin_unit_code,
        )
        audit_record(
            actor=None,
            action="registry.special_group_tag",
            target=tag,
            target_repr=f"{person.id_masked} {pick.group}",
            details={"group": pick.group, "source": pick.source, "demo": True},
        )
        created += 1
    return created
