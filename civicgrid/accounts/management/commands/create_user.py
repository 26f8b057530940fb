"""``civicgrid create_user``: create an account with a role and a data scope (audited).

The password is read from ``--password-env`` (the name of an environment variable) or asked
for interactively, never given on the command line where it would stay in the shell history.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.accounts.services import user_create
from civicgrid.core.errors import DomainError
from civicgrid.territory.models import AdminUnit, Department


class Command(BaseCommand):
    help = "Create a user account with a role and a data scope (admin unit or department)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--scope", default="", help="Division code of the scope unit.")
        parser.add_argument("--department", default="", help="Code of the department.")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument(
            "--password-env",
            default="",
            help="Name of the environment variable holding the password.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scope_unit = None
        if options["scope"]:
            scope_unit = AdminUnit.objects.filter(code=options["scope"]).first()
            if scope_unit is None:
                raise CommandError(
                    _("--scope: no admin unit with code %(code)s.") % {"code": options["scope"]}
                )
        department = None
        if options["department"]:
            department = Department.objects.filter(code=options["department"]).first()
            if department is None:
                raise CommandError(
                    _("--department: no department with code %(code)s.")
                    % {"code": options["department"]}
                )
        if options["password_env"]:
            password = os.environ.get(options["password_env"], "")
            if not password:
                raise CommandError(
                    _("--password-env: the environment variable %(name)s is empty.")
                    % {"name": options["password_env"]}
                )
        else:
            password = getpass.getpass(_("Password: "))
        try:
            user = user_create(
                actor=None,
                username=options["username"],
                password=password,
                role=options["role"],
                full_name=options["full_name"],
                phone=options["phone"],
                scope_unit=scope_unit,
                department=department,
            )
        except DomainError as error:
            field = f"{error.field}: " if error.field else ""
            raise CommandError(f"{field}{error.message}") from error
        self.stdout.write(
            _("Created %(username)s (%(role)s).")
            % {"username": user.username, "role": user.get_role_display()}
        )
