"""Sub-commands of ``civicgrid plans …``, one module each.

Every module of this package is a sub-command: it defines ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``handle(command, options)`` (``command`` is the Django
``BaseCommand``: use its ``stdout`` / ``stderr`` and raise ``CommandError`` for a non-zero
exit). Modules are found by name, so adding a sub-command touches no shared file.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module
from types import ModuleType


def modules() -> dict[str, ModuleType]:
    """The sub-command modules of this package by sub-command name, sorted."""
    found = [
        import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_")
    ]
    return {module.NAME: module for module in sorted(found, key=lambda m: m.NAME)}
