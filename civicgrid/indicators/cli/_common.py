"""Shared pieces of the indicators console commands: the acting user and domain errors."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from civicgrid.accounts.models import User
from civicgrid.core.errors import DomainError


def add_user_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--user",
        default="",
        help="Act as this user (their data scope and rights); default: the system (no user)",
    )


def acting_user(options: dict[str, Any]) -> User | None:
    name = (options.get("user") or "").strip()
    if not name:
        return None
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user {name!r}.")
    return user


def domain_error(error: DomainError) -> CommandError:
    details = error.details.get("errors") if error.details else None
    lines = [str(error.message)]
    for item in details or []:
        lines.append(f"  row {item['row']} {item['column']}: {item['message']}")
    return CommandError("\n".join(lines))
