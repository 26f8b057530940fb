"""``civicgrid territory <sub-command>``: imports, demo geometry and point lookup.

civicgrid territory import-divisions FILE [--city 4404 ...]
civicgrid territory import-boundaries FILE --level district [--city 4404]
civicgrid territory generate-demo-geometry --city 4404 [--seed N] [--anchors FILE]
civicgrid territory import-departments FILE
civicgrid territory locate LON LAT
"""

from __future__ import annotations

import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civicgrid.core.errors import DomainError
from civicgrid.territory import services
from civicgrid.territory.locator import get_locator
from civicgrid.territory.models import AdminLevel


class Command(BaseCommand):
    help = "Admin units: import division codes, boundaries and departments; locate a point."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", metavar="SUB-COMMAND", required=True)

        divisions = commands.add_parser(
            "import-divisions", help="Import division codes (CSV: code,name,level,parent_code)."
        )
        divisions.add_argument("file")
        divisions.add_argument(
            "--city",
            dest="cities",
            action="append",
            nargs="+",
            default=[],
            help="Only these cities' subtrees (4-digit codes, e.g. 4404).",
        )

        boundaries = commands.add_parser(
            "import-boundaries", help="Import boundaries of one level (GeoJSON FeatureCollection)."
        )
        boundaries.add_argument("file")
        boundaries.add_argument("--level", required=True, choices=AdminLevel.values)
        boundaries.add_argument("--source", default=None, help="Where the boundaries come from.")
        boundaries.add_argument(
            "--city",
            dest="cities",
            action="append",
            nargs="+",
            default=[],
            help="Only features inside these cities (4-digit codes, e.g. 4404).",
        )

        demo = commands.add_parser(
            "generate-demo-geometry",
            help="Generate demo street/community/grid boundaries inside the real districts.",
        )
        demo.add_argument("--city", required=True, help="City code, e.g. 4404.")
        demo.add_argument("--seed", default="20141")
        demo.add_argument(
            "--anchors",
            default=None,
            help="CSV code,lon,lat: known points around which streets/communities are formed.",
        )

        departments = commands.add_parser(
            "import-departments",
            help="Import departments (CSV: code,name,short_name,kind,admin_unit_code,"
            "parent_code,aliases).",
        )
        departments.add_argument("file")

        locate = commands.add_parser(
            "locate", help="Show the district, street, community and grid containing a point."
        )
        locate.add_argument("lon", metavar="LON")
        locate.add_argument("lat", metavar="LAT")

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "import-divisions": self._import_divisions,
            "import-boundaries": self._import_boundaries,
            "generate-demo-geometry": self._generate_demo_geometry,
            "import-departments": self._import_departments,
            "locate": self._locate,
        }
        try:
            handlers[options["subcommand"]](options)
        except DomainError as error:
            raise CommandError(str(error.message)) from None

    # ------------------------------------------------------------ sub-commands

    def _import_divisions(self, options: dict[str, Any]) -> None:
        cities = {code for group in options["cities"] for code in group}
        for code in cities:
            if not (code.isascii() and code.isdigit() and len(code) == 4):
                raise CommandError(
                    _("The city code must be 4 digits, got %(code)s.") % {"code": code}
                )
        report = services.divisions_import(
            actor=None, path=options["file"], city_codes=cities or None
        )
        self._print_report(report, numbering="line")

    def _import_boundaries(self, options: dict[str, Any]) -> None:
        cities = {code for group in options["cities"] for code in group}
        report = services.boundaries_import(
            actor=None,
            path=options["file"],
            level=options["level"],
            source=options["source"],
            city_codes=cities or None,
        )
        self._print_report(report, numbering="feature")

    def _generate_demo_geometry(self, options: dict[str, Any]) -> None:
        try:
            seed = int(options["seed"])
        except ValueError:
            raise CommandError(
                _("The seed must be a whole number, got %(value)s.") % {"value": options["seed"]}
            ) from None
        anchors = services.demo_anchors_read(options["anchors"]) if options["anchors"] else None
        summary = services.demo_geometry_generate(
            actor=None, city_code=options["city"], seed=seed, anchors=anchors
        )
        self.stdout.write(
            _(
                "Districts: %(districts)s, streets: %(streets)s, communities: %(communities)s, "
                "grids: %(grids)s."
            )
            % summary.counts()
        )
        self.stdout.write(
            _("Boundaries created: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s.")
            % summary.counts()
        )
        for code in summary.without_children:
            self.stdout.write(
                _("%(code)s has no child units, so no grid covers its area.") % {"code": code}
            )

    def _import_departments(self, options: dict[str, Any]) -> None:
        report = services.departments_import(actor=None, path=options["file"])
        self._print_report(report, numbering="line")

    def _locate(self, options: dict[str, Any]) -> None:
        lon = self._coordinate(options["lon"], _("longitude"), 180)
        lat = self._coordinate(options["lat"], _("latitude"), 90)
        locator = get_locator()
        if locator.is_empty:
            raise CommandError(_("No admin unit has a boundary yet; import boundaries first."))
        result = locator.locate(lon, lat)
        if result is None:
            raise CommandError(
                _("The point (%(lon)s, %(lat)s) lies outside the city's admin units.")
                % {"lon": lon, "lat": lat}
            )
        rows = [
            (_("District"), result.district),
            (_("Street / town"), result.street),
            (_("Community / village"), result.community),
            (_("Grid"), result.grid),
        ]
        for label, ref in rows:
            if ref is None:
                self.stdout.write(_("%(label)s: -") % {"label": label})
            else:
                self.stdout.write(
                    _("%(label)s: %(name)s (%(code)s)")
                    % {"label": label, "name": ref.name, "code": ref.code}
                )

    # ------------------------------------------------------------ helpers

    def _coordinate(self, text: str, name: str, limit: float) -> float:
        try:
            value = float(text)
        except ValueError:
            raise CommandError(
                _("The %(name)s must be a number, got %(value)s.") % {"name": name, "value": text}
            ) from None
        if not math.isfinite(value) or not -limit <= value <= limit:
            raise CommandError(
                _("The %(name)s must lie between -%(limit)s and %(limit)s, got %(value)s.")
                % {"name": name, "limit": int(limit), "value": text}
            )
        return value

    def _print_report(self, report: services.ImportReport, *, numbering: str) -> None:
        counts = report.counts()
        self.stdout.write(
            _(
                "Created: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s, "
                "rejected: %(rejected)s."
            )
            % counts
        )
        if report.skipped:
            self.stdout.write(_("Skipped %(skipped)s rows outside the requested cities.") % counts)
        for number, code, reason in report.errors:
            values = {"number": number, "code": code or "-", "reason": reason}
            if numbering == "feature":
                line = _("Feature %(number)s (code %(code)s): %(reason)s") % values
            else:
                line = _("Line %(number)s (code %(code)s): %(reason)s") % values
            self.stdout.write(line)
