"""The ``civicgrid`` console script.

``civicgrid <group> <command> [args]`` runs the management command ``<group>`` with the
sub-command ``<command>`` (for example ``civicgrid territory locate 113.57 22.27``). Any other
Django management command works too (``civicgrid migrate``, ``civicgrid runserver``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    repo_root = Path(__file__).resolve().parent.parent
    if str(repo_root) not in sys.path:
        sys.path.insert(0, str(repo_root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["civicgrid", *args])


if __name__ == "__main__":
    main()
