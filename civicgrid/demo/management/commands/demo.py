"""``civicgrid demo load|appeals|registry|accounts``: the Zhuhai demo."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from civicgrid.demo import loader


class Command(BaseCommand):
    help = "Load the Zhuhai demo data (load) or create/print the demo accounts (accounts)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="divisions, boundaries, demo geometry, departments")
        load.add_argument("--quiet", action="store_true")
        sub.add_parser("accounts", help="create or reset the demo accounts and print them")
        appeals = sub.add_parser("appeals", help="appeal categories, catalogue and demo appeals")
        appeals.add_argument("--count", type=int, default=3000)
        appeals.add_argument("--seed", type=int, default=20261121)
        registry = sub.add_parser(
            "registry", help="a slice of the synthetic city imported into the base registry"
        )
        registry.add_argument("--persons", type=int, default=5000)
        registry.add_argument("--seed", type=int, default=20261207)
        sub.add_parser("plans", help="policy documents imported, reviewed, published, supervised")
        sub.add_parser("indicators", help="indicator catalogue, demo values 2012-2016, targets")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            summary = loader.load_territory(actor=None)
            if not options.get("quiet"):
                for line in summary.lines:
                    self.stdout.write(line)
            return
        if options["action"] == "appeals":
            from civicgrid.demo import appeals as demo_appeals

            appeal_summary = demo_appeals.load(count=options["count"], seed=options["seed"])
            for line in appeal_summary.lines:
                self.stdout.write(line)
            return
        if options["action"] == "registry":
            from civicgrid.demo import registry as demo_registry

            registry_summary = demo_registry.load(persons=options["persons"], seed=options["seed"])
            for line in registry_summary.lines:
                self.stdout.write(line)
            return
        if options["action"] == "plans":
            from civicgrid.demo import plans as demo_plans

            for line in demo_plans.load().lines:
                self.stdout.write(line)
            return
        if options["action"] == "indicators":
            from civicgrid.demo import indicators as demo_indicators

            for line in demo_indicators.load().lines:
                self.stdout.write(line)
            return
        accounts = loader.accounts_ensure()
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {loader.DEMO_PASSWORD})")
        self.stdout.write("-" * 78)
        for account, user in accounts:
            scope = user.effective_scope_unit
            where = f"{scope.name} ({scope.code})" if scope else "—"
            if account.role in {"administrator", "leader"} and scope is None:
                where = "珠海市 (whole city)"
            self.stdout.write(
                f"{account.username:<16} {user.get_role_display()!s:<18} "
                f"{account.full_name:<10} {where}"
            )
        self.stdout.write("-" * 78)
