"""Imports of division codes (统计用区划代码) and boundaries (边界)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError

from ..geometry import (
    GeometryError,
    area_from_geojson,
    representative_point,
    to_geojson,
)
from ..locator import invalidate_locator
from ..models import (
    CODE_LENGTH,
    LEVEL_ORDER,
    AdminLevel,
    AdminUnit,
)
from .common import (
    DIVISION_LEVELS,
    PARENT_LEVEL,
    ImportReport,
    _level_label,
    _read_csv,
    _source_for,
)


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
