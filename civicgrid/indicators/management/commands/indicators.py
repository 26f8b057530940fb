"""``civicgrid indicators …``: console tools (sub-commands in civicgrid.indicators.cli)."""

from __future__ import annotations

from civicgrid.core.subcommands import SubcommandGroup


class Command(SubcommandGroup):
    help = "Console tools of civicgrid.indicators; run with --help for the sub-commands."
    package = "civicgrid.indicators.cli"
