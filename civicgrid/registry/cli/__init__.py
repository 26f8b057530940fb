"""Sub-commands of ``civicgrid registry …``, one module each.

A module here defines ``NAME`` (the sub-command), ``HELP``, ``add_arguments(parser)`` and
``handle(command, options)`` (``command`` is the Django ``BaseCommand``: use its ``stdout`` /
``stderr`` and raise ``CommandError`` for a non-zero exit), and is listed in ``MODULES``.
"""

from __future__ import annotations

# Sub-command modules of this package, in the order ``--help`` lists them.
MODULES: tuple[str, ...] = ("imports", "link", "generate")
