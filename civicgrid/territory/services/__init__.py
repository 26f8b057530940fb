"""Writes to the territory: imports of division codes (统计用区划代码), boundaries (边界) and
departments (部门), and the generated demo geometry down to grids (网格).

Every import validates each row, reports bad rows with their line number and a translated reason,
keeps the good rows, writes them in one transaction and can be re-run safely (upsert by code).
"""

from .common import BUNDLED_DATA_DIR, DEMO_BOUNDARY_SOURCE, DemoGeometrySummary, ImportReport
from .demo_geometry import community_short_name, demo_anchors_read, demo_geometry_generate
from .departments import departments_import, street_bodies_ensure
from .imports import boundaries_import, divisions_import

__all__ = [
    "BUNDLED_DATA_DIR",
    "DEMO_BOUNDARY_SOURCE",
    "DemoGeometrySummary",
    "ImportReport",
    "boundaries_import",
    "community_short_name",
    "demo_anchors_read",
    "demo_geometry_generate",
    "departments_import",
    "divisions_import",
    "street_bodies_ensure",
]
