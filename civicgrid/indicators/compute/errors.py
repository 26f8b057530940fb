"""Errors of the compute package: domain errors, so a service can let them reach the user."""

from __future__ import annotations

from civicgrid.core.errors import DomainError


class ComputeError(DomainError):
    """Base class: the input of a computation is not usable (message Chinese first, translated)."""

    code = "compute_error"


class PeriodError(ComputeError):
    code = "invalid_period"


class ExpressionError(ComputeError):
    code = "invalid_expression"


class TreeError(ComputeError):
    code = "invalid_unit_tree"


class TargetError(ComputeError):
    code = "invalid_target"


class ScoringError(ComputeError):
    code = "invalid_scoring"
