"""The account a console command acts as (services always have an actor)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.db.models import Q

from civicgrid.accounts.models import Role, User


def console_actor(username: str | None) -> User:
    """``--user USERNAME``, else the first active programme-office account, else the first
    active administrator."""
    users = User.objects.filter(is_active=True)
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        return user
    for condition in (
        Q(role=Role.PROGRAMME_OFFICE),
        Q(role=Role.ADMINISTRATOR) | Q(is_superuser=True),
    ):
        user = users.filter(condition).order_by("pk").first()
        if user is not None:
            return user
    raise CommandError(
        "No programme-office or administrator account to act as: create one or pass --user."
    )


def add_user_argument(parser: Any) -> None:
    parser.add_argument(
        "--user", help="act as this account (default: the first programme-office account)"
    )
