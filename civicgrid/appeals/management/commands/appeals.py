"""``civicgrid appeals …``: console tools for citizen appeals (市民诉求).

civicgrid appeals evaluate-routing --train TRAIN.csv --test TEST.csv
    trains the department router on TRAIN only, predicts TEST and prints one JSON line:
    {"n_train": …, "n_test": …, "labels": …, "top1": …, "top3": …,
     "coverage_at_precision_0.97": …}
    Rows left out (with their line numbers) are reported on stderr.

To add a sub-command: write ``_add_<name>(commands)`` that declares its parser, a handler
method ``handle_<name>(self, options)``, and list the pair in ``SUBCOMMANDS``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civicgrid.appeals.routing import RouterModel, evaluate, read_labelled_appeals
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


# sub-command name → (declares its arguments, name of the handler method)
SUBCOMMANDS: dict[str, tuple[Callable[[Any], None], str]] = {
    "evaluate-routing": (_add_evaluate_routing, "handle_evaluate_routing"),
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
