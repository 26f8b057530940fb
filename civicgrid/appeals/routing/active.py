"""The active router of this process (当前分派模型), cached and reloaded when it changes.

Unlike the rest of the package this module reads the database: the one active
:class:`~civicgrid.appeals.models.TrainedRouter` row says which file to load from
``settings.VAR_DIR / "models" / "routers"``. :func:`get_active_router` keeps the loaded model per
process and checks the active row (one indexed query for its id and file name) at most every
``CIVICGRID_ROUTER_CHECK_SECONDS`` (default 5; the tests use 0 = every call). The services that
train or activate a router call :func:`invalidate_active_router`, so the same process uses the
new one at once. A router file that cannot be read is logged and treated as "no router" —
intake must never fail because of a model.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from civicgrid.territory.models import Department

from ..models import TrainedRouter
from .confidence import DEFAULT_CATALOGUE_CONFIDENCE, Calibration
from .model import RouterModel, RoutingError

logger = logging.getLogger(__name__)
DEFAULT_CHECK_SECONDS = 5.0


def router_directory() -> Path:
    """Where trained routers are written (under ``VAR_DIR``, never in the repository)."""
    return Path(settings.VAR_DIR) / "models" / "routers"


@dataclass(frozen=True)
class DepartmentInfo:
    code: str
    name: str
    is_active: bool


@dataclass
class ActiveRouter:
    """The loaded active router with what intake needs to turn margins into confidences."""

    router_id: int
    model: RouterModel
    calibration: Calibration
    catalogue_confidence: float
    departments: dict[str, DepartmentInfo] = field(default_factory=dict)

    def suggest(self, titles: Sequence[str], texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        """Every known department of each appeal with its calibrated confidence, surest first
        (one vectorised prediction for all of them)."""
        ranked = self.model.predict_top(list(texts), k=len(self.model.labels), titles=list(titles))
        return [
            [(code, self.calibration.confidence(margin)) for code, margin in row] for row in ranked
        ]


_lock = threading.Lock()
_cached: ActiveRouter | None = None
_cached_key: tuple[Any, ...] | None = None
_checked_at = 0.0


def invalidate_active_router() -> None:
    """Forget the cached router; the next :func:`get_active_router` looks again."""
    global _cached, _cached_key, _checked_at
    with _lock:
        _cached = None
        _cached_key = None
        _checked_at = 0.0


def _load(row: TrainedRouter) -> ActiveRouter | None:
    path = router_directory() / row.file_name
    try:
        model = RouterModel.load(path)
    except RoutingError as error:
        logger.warning("Active router %s cannot be used: %s", row.pk, error.message)
        return None
    metrics = row.metrics if isinstance(row.metrics, dict) else {}
    catalogue = metrics.get("catalogue_confidence")
    departments = {
        code: DepartmentInfo(code, short_name or name, is_active)
        for code, name, short_name, is_active in Department.objects.filter(
            code__in=model.labels
        ).values_list("code", "name", "short_name", "is_active")
    }
    return ActiveRouter(
        router_id=row.pk,
        model=model,
        calibration=Calibration.from_dict(metrics.get("calibration")),
        catalogue_confidence=(
            float(catalogue) if isinstance(catalogue, int | float) else DEFAULT_CATALOGUE_CONFIDENCE
        ),
        departments=departments,
    )


def get_active_router() -> ActiveRouter | None:
    """The process-wide active router, or ``None`` when no usable router is active."""
    global _cached, _cached_key, _checked_at
    interval = float(getattr(settings, "CIVICGRID_ROUTER_CHECK_SECONDS", DEFAULT_CHECK_SECONDS))
    with _lock:
        now = time.monotonic()
        if _cached_key is not None and interval > 0 and now - _checked_at < interval:
            return _cached
        found = TrainedRouter.objects.filter(is_active=True).values_list("pk", "file_name").first()
        key: tuple[Any, ...] = tuple(found) if found else ()
        _checked_at = now
        if key != _cached_key:
            row = TrainedRouter.objects.filter(pk=found[0]).first() if found else None
            _cached = _load(row) if row is not None else None
            _cached_key = key
        return _cached
