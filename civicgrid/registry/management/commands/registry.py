"""``civicgrid registry …``: console tools of the base registry (一库).

The sub-commands live in :mod:`civicgrid.registry.cli` (one module each); run
``civicgrid registry --help`` for the list.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicgrid.registry.cli import MODULES


def _modules() -> dict[str, ModuleType]:
    loaded = [import_module(f"civicgrid.registry.cli.{name}") for name in MODULES]
    return {module.NAME: module for module in loaded}


class Command(BaseCommand):
    help = "Base registry tools: import, linkage, figures."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", metavar="COMMAND")
        for name, module in _modules().items():
            module.add_arguments(commands.add_parser(name, help=module.HELP))

    def handle(self, *args: Any, **options: Any) -> None:
        name = options.get("subcommand")
        modules = _modules()
        if name not in modules:
            raise CommandError(
                "Choose a sub-command: " + ", ".join(sorted(modules)) if modules else "none yet"
            )
        modules[name].handle(self, options)
