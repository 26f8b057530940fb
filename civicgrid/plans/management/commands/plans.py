"""``civicgrid plans …``: console tools (sub-commands in civicgrid.plans.cli)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicgrid.plans.cli import modules


class Command(BaseCommand):
    help = "Console tools of civicgrid.plans; run with --help for the sub-commands."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", metavar="COMMAND")
        for name, module in modules().items():
            module.add_arguments(commands.add_parser(name, help=module.HELP))

    def handle(self, *args: Any, **options: Any) -> None:
        name = options.get("subcommand")
        found = modules()
        if name not in found:
            raise CommandError("Choose a sub-command: " + (", ".join(found) or "none yet"))
        found[name].handle(self, options)
