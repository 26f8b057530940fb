"""Console groups (``civicgrid plans extract …``): a management command whose sub-commands are
the modules of a package, found by name so that adding one touches no shared list.

A sub-command module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``handle(command, options)`` (``command`` is the Django ``BaseCommand``: use its ``stdout`` /
``stderr`` and raise ``CommandError`` for a non-zero exit).
"""

from __future__ import annotations

import pkgutil
from importlib import import_module
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def subcommand_modules(package: str) -> dict[str, ModuleType]:
    """The sub-command modules of ``package`` by sub-command name, sorted."""
    path = import_module(package).__path__
    found = [
        import_module(f"{package}.{info.name}")
        for info in pkgutil.iter_modules(path)
        if not info.name.startswith("_")
    ]
    return {module.NAME: module for module in sorted(found, key=lambda m: m.NAME)}


class SubcommandGroup(BaseCommand):
    """A management command that hands over to the sub-command modules of ``package``."""

    package = ""

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", metavar="COMMAND")
        for name, module in subcommand_modules(self.package).items():
            module.add_arguments(commands.add_parser(name, help=module.HELP))

    def handle(self, *args: Any, **options: Any) -> None:
        name = options.get("subcommand")
        found = subcommand_modules(self.package)
        if name not in found:
            raise CommandError("Choose a sub-command: " + (", ".join(found) or "none yet"))
        found[name].handle(self, options)
