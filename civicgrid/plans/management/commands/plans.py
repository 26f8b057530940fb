"""``civicgrid plans …``: console tools (sub-commands in civicgrid.plans.cli)."""

from __future__ import annotations

from civicgrid.core.subcommands import SubcommandGroup


class Command(SubcommandGroup):
    help = "Console tools of civicgrid.plans; run with --help for the sub-commands."
    package = "civicgrid.plans.cli"
