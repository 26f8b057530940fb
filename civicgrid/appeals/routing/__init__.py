"""Routing appeals to departments (诉求智能分拨): text features, the router and its evaluation.

Use ``RouterModel`` to train and suggest departments, ``read_labelled_appeals`` to read a
labelled CSV and ``evaluate`` for the figures. Nothing here touches the database.
"""

from .evaluation import (
    LabelledAppeal,
    LabelledAppeals,
    coverage_at_precision,
    evaluate,
    figures,
    parse_labelled_appeals,
    read_labelled_appeals,
    split_by_date,
    top_k_accuracy,
)
from .model import RouterModel, RoutingError, Suggestion

__all__ = [
    "LabelledAppeal",
    "LabelledAppeals",
    "RouterModel",
    "RoutingError",
    "Suggestion",
    "coverage_at_precision",
    "evaluate",
    "figures",
    "parse_labelled_appeals",
    "read_labelled_appeals",
    "split_by_date",
    "top_k_accuracy",
]
