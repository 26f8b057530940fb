"""The compute package stays pure: no database, no other app (stdlib, numpy, errors, gettext)."""

from __future__ import annotations

import ast
from pathlib import Path

import civicgrid.indicators.compute as compute

ALLOWED_PREFIXES = (
    "__future__",
    "numpy",
    "django.utils.translation",
    "civicgrid.core.errors",
    "civicgrid.indicators.compute",
)
STANDARD_LIBRARY = {
    "collections",
    "dataclasses",
    "datetime",
    "enum",
    "fractions",
    "functools",
    "math",
    "re",
    "typing",
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside the package
                found.add("civicgrid.indicators.compute")
            elif node.module:
                found.add(node.module)
    return found


def test_compute_modules_import_nothing_but_the_allowed() -> None:
    package = Path(compute.__file__).parent
    files = sorted(package.glob("*.py"))
    assert len(files) >= 8
    offending = {
        f"{path.name}: {module}"
        for path in files
        for module in imported_modules(path)
        if module.split(".")[0] not in STANDARD_LIBRARY and not module.startswith(ALLOWED_PREFIXES)
    }
    assert offending == set()


def test_the_check_would_catch_an_orm_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("from django.db import models\nimport civicgrid.registry.selectors\n")
    modules = imported_modules(sample)
    assert not any(module.startswith(ALLOWED_PREFIXES) for module in modules)
