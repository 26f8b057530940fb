"""``civicgrid appeals …``: console tools for citizen appeals (市民诉求).

civicgrid appeals evaluate-routing --train TRAIN.csv --test TEST.csv
    trains the department router on TRAIN only, predicts TEST and prints one JSON line:
    {"n_train": …, "n_test": …, "labels": …, "top1": …, "top3": …,
     "coverage_at_precision_0.97": …}
    Rows left out (with their line numbers) are reported on stderr.

civicgrid appeals train-router [--since YYYY-MM-DD] [--min-per-department N]
                               [--activate/--no-activate] [--force]
    trains the department router on the city's answered appeals (the newest ~15% held out
    for the figures), saves it under VAR_DIR/models/routers and prints one JSON line with the
    router id and its figures. Unchanged data keep the active router (``--force`` retrains).
    An activated router also refreshes the suggestions of the appeals in the dispatch queue.

civicgrid appeals sweep [--today YYYY-MM-DD]
    updates deadline lights and opens / resolves supervision items; prints one JSON line
    (in production Celery beat runs it every 15 minutes; in the embedded set-up use cron).

civicgrid appeals catalogue-export | catalogue-import | import-legacy
    the Excel catalogue and the legacy import: see :mod:`civicgrid.appeals.management.io_commands`.

To add a sub-command: write ``_add_<name>(commands)`` that declares its parser, a handler
method ``handle_<name>(self, options)``, and list the pair in ``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civicgrid.appeals import sweep
from civicgrid.appeals.management import io_commands
from civicgrid.appeals.routing import RouterModel, evaluate, read_labelled_appeals
from civicgrid.appeals.services.routing import (
    DEFAULT_MIN_PER_DEPARTMENT,
    router_train,
    routing_suggestions_refresh,
)
from civicgrid.core.errors import DomainError


def _add_evaluate_routing(commands: Any) -> None:
    parser = commands.add_parser(
        "evaluate-routing",
        help="train the department router on TRAIN, measure it on TEST, print one JSON line",
    )
    parser.add_argument(
        "--train", type=Path, required=True, help="CSV: id,asked_on,title,text,department"
    )
    parser.add_argument("--test", type=Path, required=True, help="CSV with the same columns")


def _add_train_router(commands: Any) -> None:
    parser = commands.add_parser(
        "train-router", help="train the department router on the answered appeals"
    )
    parser.add_argument(
        "--since",
        type=dt.date.fromisoformat,
        default=None,
        help="only appeals accepted on or after this day (YYYY-MM-DD)",
    )
    parser.add_argument(
        "--min-per-department",
        type=int,
        default=DEFAULT_MIN_PER_DEPARTMENT,
        help="leave out departments with fewer answered appeals",
    )
    parser.add_argument(
        "--activate",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="make the new router the active one (default) or only store it",
    )
    parser.add_argument(
        "--force", action="store_true", help="train even when the data have not changed"
    )


def _add_sweep(commands: Any) -> None:
    parser = commands.add_parser("sweep", help="deadline lights and supervision items")
    parser.add_argument(
        "--today", type=dt.date.fromisoformat, default=None, help="the day to sweep for"
    )


def _add_refresh_statistics(commands: Any) -> None:
    parser = commands.add_parser(
        "refresh-statistics", help="rebuild the statistics rollup (changed days, or --full)"
    )
    parser.add_argument("--full", action="store_true", help="rebuild every day")


# sub-command name → (declares its arguments, name of the handler method)
SUBCOMMANDS: dict[str, tuple[Callable[[Any], None], str]] = {
    "evaluate-routing": (_add_evaluate_routing, "handle_evaluate_routing"),
    "catalogue-export": (io_commands.add_catalogue_export, "handle_catalogue_export"),
    "catalogue-import": (io_commands.add_catalogue_import, "handle_catalogue_import"),
    "import-legacy": (io_commands.add_import_legacy, "handle_import_legacy"),
    "sweep": (_add_sweep, "handle_sweep"),
    "refresh-statistics": (_add_refresh_statistics, "handle_refresh_statistics"),
    "train-router": (_add_train_router, "handle_train_router"),
}


class Command(BaseCommand):
    help = "Citizen appeals (市民诉求): routing evaluation and other console tools."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        for add_parser, _handler in SUBCOMMANDS.values():
            add_parser(commands)

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, SUBCOMMANDS[options["subcommand"]][1])
        try:
            handler(options)
        except DomainError as error:
            raise CommandError(str(error.message)) from error

    def handle_catalogue_export(self, options: dict[str, Any]) -> None:
        io_commands.handle_catalogue_export(self, options)

    def handle_catalogue_import(self, options: dict[str, Any]) -> None:
        io_commands.handle_catalogue_import(self, options)

    def handle_import_legacy(self, options: dict[str, Any]) -> None:
        io_commands.handle_import_legacy(self, options)

    def handle_evaluate_routing(self, options: dict[str, Any]) -> None:
        train = read_labelled_appeals(options["train"])
        test = read_labelled_appeals(options["test"])
        for problem in [*train.problems, *test.problems]:
            self.stderr.write(_("Row left out: %(problem)s") % {"problem": problem})
        if not train.appeals:
            raise CommandError(_("%(file)s has no usable rows.") % {"file": options["train"]})
        if not test.appeals:
            raise CommandError(_("%(file)s has no usable rows.") % {"file": options["test"]})
        model = RouterModel().fit(
            [appeal.text for appeal in train.appeals],
            [appeal.department for appeal in train.appeals],
            titles=[appeal.title for appeal in train.appeals],
            dates=[appeal.asked_on for appeal in train.appeals],
        )
        self.stdout.write(json.dumps(evaluate(model, test.appeals), ensure_ascii=False))

    def handle_train_router(self, options: dict[str, Any]) -> None:
        training = router_train(
            actor=None,
            since=options["since"],
            min_per_department=options["min_per_department"],
            activate=options["activate"],
            force=options["force"],
        )
        router = training.router
        refreshed = 0
        if training.is_new and router.is_active:
            refreshed = routing_suggestions_refresh(actor=None)
        metrics = router.metrics or {}
        report = {
            "router": router.pk,
            "is_new": training.is_new,
            "is_active": router.is_active,
            "file": router.file_name,
            **{
                key: metrics.get(key)
                for key in (
                    "n_train",
                    "n_test",
                    "labels",
                    "top1",
                    "top3",
                    "coverage_at_precision_0.97",
                    "catalogue_precision",
                )
            },
            "n_final": router.n_train,
            "queue_refreshed": refreshed,
        }
        self.stdout.write(json.dumps(report, ensure_ascii=False))

    def handle_refresh_statistics(self, options: dict[str, Any]) -> None:
        from civicgrid.appeals.statistics_refresh import refresh_statistics

        report = refresh_statistics(full=options["full"])
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))

    def handle_sweep(self, options: dict[str, Any]) -> None:
        report = sweep.run(today=options["today"])
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, default=str))
