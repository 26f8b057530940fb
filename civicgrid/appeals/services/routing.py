"""Routing services (诉求智能分拨): train and activate routers, suggest departments at intake and
dispatch automatically when the router is sure enough.

* :func:`router_train` learns from the city's own answered appeals, measures the router on the
  most recent ~15% (held out), calibrates its confidences there, refits on everything and stores
  the file under ``VAR_DIR`` with a :class:`TrainedRouter` row (the new one active, the previous
  one deactivated in the same transaction).
* :func:`routing_plan` runs in :func:`~.intake.appeal_accept` before the appeal takes its
  number: the top-3 departments (router + responsibility catalogue), stored with the appeal in
  ``Appeal.routing_suggestions``, and whether to dispatch automatically (the administrators
  allow it and the router is sure enough). :func:`route_new_appeal` then dispatches through
  :func:`~.workflow.appeal_auto_dispatch`, once the accepted appeal is written.

See docs/adr/0003-routing.md for the reasoning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.core.audit import audit_record
from civicgrid.core.errors import ConflictError, DomainError
from civicgrid.territory.models import AdminUnit, Department

from ..models import Appeal, AppealStatus, Category, TrainedRouter
from ..routing.active import (
    ActiveRouter,
    get_active_router,
    invalidate_active_router,
    router_directory,
)
from ..routing.confidence import (
    DEFAULT_CATALOGUE_CONFIDENCE,
    SOURCE_CATALOGUE,
    combine,
    fit_calibration,
)
from ..routing.evaluation import figures
from ..routing.model import RouterModel, RoutingError
from ..selectors import responsible_departments
from ..selectors.routing import TrainingAppeal, active_trained_router, routing_training_appeals
from ..settings_cache import current_appeal_settings
from .common import require_role

logger = logging.getLogger(__name__)

DEFAULT_MIN_PER_DEPARTMENT = 10
MIN_TRAINING_APPEALS = 30
HOLDOUT_SHARE = 0.15
TOP_K = 3
ROUTER_ROLES = frozenset({Role.ADMINISTRATOR})


@dataclass(frozen=True)
class RouterTraining:
    """What :func:`router_train` did: ``is_new`` is False when the data had not changed since
    the active router was trained, which was then kept."""

    router: TrainedRouter
    is_new: bool


def _require_router_admin(actor: Any) -> None:
    """Administrators; ``actor=None`` is the system (the console command, the demo)."""
    if actor is not None:
        require_role(actor, ROUTER_ROLES, _("Only administrators may train or activate routers."))


def _fit(appeals: Sequence[TrainingAppeal]) -> RouterModel:
    return RouterModel().fit(
        [appeal.text for appeal in appeals],
        [appeal.department for appeal in appeals],
        titles=[appeal.title for appeal in appeals],
        dates=[appeal.accepted_on for appeal in appeals],
    )


def _fingerprint(appeals: Sequence[TrainingAppeal], since: dt.date | None, minimum: int) -> str:
    digest = hashlib.sha256(f"{since}|{minimum}|".encode())
    for appeal in appeals:
        digest.update(f"{appeal.pk}:{appeal.department};".encode())
    return digest.hexdigest()


def _catalogue_precision(appeals: Sequence[TrainingAppeal]) -> tuple[int, int]:
    """(appeals with a catalogue answer, of which the catalogue named the final department)."""
    answers: dict[tuple[int | None, int | None], str | None] = {}
    categories = {
        category.pk: category
        for category in Category.objects.select_related("parent__parent__parent").filter(
            pk__in={appeal.category_id for appeal in appeals if appeal.category_id}
        )
    }
    units = AdminUnit.objects.in_bulk({appeal.admin_unit_id for appeal in appeals})
    answered = right = 0
    for appeal in appeals:
        key = (appeal.category_id, appeal.admin_unit_id)
        if key not in answers:
            lead, _cooperating = responsible_departments(
                categories.get(appeal.category_id or 0), units.get(appeal.admin_unit_id or 0)
            )
            answers[key] = lead.code if lead is not None else None
        if answers[key] is not None:
            answered += 1
            right += answers[key] == appeal.department
    return answered, right


def router_train(
    *,
    actor: Any,
    since: dt.date | None = None,
    min_per_department: int = DEFAULT_MIN_PER_DEPARTMENT,
    activate: bool = True,
    force: bool = False,
) -> RouterTraining:
    """训练分派模型: learn from the answered appeals (see the module docstring).

    Departments with fewer than ``min_per_department`` answered appeals are left out. Refuses
    with a RoutingError when fewer than 30 appeals of two departments remain. Without
    ``force``, returns the active router unchanged when it was trained on exactly the same
    appeals and settings.
    """
    _require_router_admin(actor)
    if min_per_department < 1:
        raise DomainError(
            _("The minimum number of appeals per department must be at least 1."),
            code="invalid",
            field="min_per_department",
        )
    appeals = routing_training_appeals(since=since)
    counts = Counter(appeal.department for appeal in appeals)
    kept = {code for code, count in counts.items() if count >= min_per_department}
    usable = [appeal for appeal in appeals if appeal.department in kept]
    if len(kept) < 2 or len(usable) < MIN_TRAINING_APPEALS:
        raise RoutingError(
            _(
                "Too little data to train the router: %(appeals)s answered appeals of "
                "%(departments)s departments with at least %(minimum)s appeals each; at least "
                "%(needed)s appeals of two such departments are needed."
            )
            % {
                "appeals": len(usable),
                "departments": len(kept),
                "minimum": min_per_department,
                "needed": MIN_TRAINING_APPEALS,
            }
        )
    fingerprint = _fingerprint(usable, since, min_per_department)
    current = active_trained_router()
    if (
        not force
        and current is not None
        and (current.metrics or {}).get("data_fingerprint") == fingerprint
        and (router_directory() / current.file_name).is_file()
    ):
        return RouterTraining(router=current, is_new=False)

    # Measure on the most recent appeals, with a router that never saw them.
    cut = min(len(usable) - 1, max(1, round(len(usable) * (1 - HOLDOUT_SHARE))))
    train, held_out = usable[:cut], usable[cut:]
    measuring = _fit(train)
    ranked = measuring.predict_top(
        [appeal.text for appeal in held_out],
        k=TOP_K,
        titles=[appeal.title for appeal in held_out],
    )
    truth = [appeal.department for appeal in held_out]
    metrics: dict[str, Any] = figures(
        truth, ranked, n_train=len(train), labels=len(measuring.labels)
    )
    answered, right = _catalogue_precision(held_out)
    metrics.update(
        {
            "held_out_from": held_out[0].accepted_on.isoformat(),
            "catalogue_answered": answered,
            "catalogue_precision": round(right / answered, 4) if answered else None,
            # Laplace-smoothed, so that a few lucky appeals do not make it certain.
            "catalogue_confidence": (
                round((right + 1) / (answered + 2), 4) if answered else DEFAULT_CATALOGUE_CONFIDENCE
            ),
            "calibration": fit_calibration(truth, ranked).as_dict(),
            "since": since.isoformat() if since else None,
            "min_per_department": min_per_department,
            "departments_left_out": sorted(set(counts) - kept)[:100],
            "data_fingerprint": fingerprint,
        }
    )

    # The saved router learns from every appeal, the held-out ones included (the newest).
    model = _fit(usable)
    directory = router_directory()
    directory.mkdir(parents=True, exist_ok=True)
    trained_on = timezone.now()
    file_name = f"router-{trained_on:%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.joblib"
    model.save(directory / file_name)
    try:
        with transaction.atomic():
            if activate:
                TrainedRouter.objects.select_for_update().filter(is_active=True).update(
                    is_active=False
                )
            router = TrainedRouter.objects.create(
                file_name=file_name,
                trained_on=trained_on,
                n_train=len(usable),
                labels=len(model.labels),
                metrics=metrics,
                is_active=activate,
                trained_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit_record(
                actor=actor,
                action="appeals.router.train",
                target=router,
                details={
                    key: metrics[key]
                    for key in (
                        "n_train",
                        "n_test",
                        "labels",
                        "top1",
                        "top3",
                        "coverage_at_precision_0.97",
                    )
                }
                | {"is_active": activate, "since": metrics["since"]},
            )
    except IntegrityError as error:
        (directory / file_name).unlink(missing_ok=True)
        raise ConflictError(
            _("Another router was activated at the same moment. Try again."),
            code="router_conflict",
        ) from error
    except BaseException:
        (directory / file_name).unlink(missing_ok=True)
        raise
    invalidate_active_router()
    return RouterTraining(router=router, is_new=True)


@transaction.atomic
def router_activate(*, actor: Any, router: TrainedRouter) -> TrainedRouter:
    """启用分派模型: make ``router`` the active one (the previous one is deactivated)."""
    _require_router_admin(actor)
    RouterModel.load(router_directory() / router.file_name)  # refuses a missing/broken file
    previous = list(
        TrainedRouter.objects.select_for_update()
        .filter(is_active=True)
        .exclude(pk=router.pk)
        .values_list("pk", flat=True)
    )
    TrainedRouter.objects.filter(pk__in=previous).update(is_active=False)
    TrainedRouter.objects.filter(pk=router.pk).update(is_active=True)
    router.refresh_from_db()
    audit_record(
        actor=actor,
        action="appeals.router.activate",
        target=router,
        details={"deactivated": previous},
    )
    transaction.on_commit(invalidate_active_router)
    invalidate_active_router()
    return router


# -- suggestions at intake ------------------------------------------------------------------


def _suggestions(
    active: ActiveRouter | None,
    catalogue_lead: Department | None,
    model_ranked: Sequence[tuple[str, float]],
) -> list[dict[str, Any]]:
    names: dict[str, str] = {}
    usable: list[tuple[str, float]] = []
    if active is not None:
        for code, confidence in model_ranked:
            info = active.departments.get(code)
            if info is not None and info.is_active:
                usable.append((code, confidence))
                names[code] = info.name
    catalogue_code: str | None = None
    if catalogue_lead is not None and catalogue_lead.is_active:
        catalogue_code = catalogue_lead.code
        names[catalogue_code] = catalogue_lead.short_name or catalogue_lead.name
    if active is None:
        if catalogue_code is None:
            return []
        return [
            {
                "department": catalogue_code,
                "name": names[catalogue_code],
                "confidence": DEFAULT_CATALOGUE_CONFIDENCE,
                "source": SOURCE_CATALOGUE,
            }
        ]
    return [
        {"department": code, "name": names[code], "confidence": round(value, 4), "source": source}
        for code, value, source in combine(
            usable, catalogue_code, active.catalogue_confidence, k=TOP_K
        )
    ]


@dataclass(frozen=True)
class RoutingPlan:
    """What intake does about routing, decided before the appeal is written: the suggestions
    stored with it and, when it is dispatched automatically, where to and why."""

    suggestions: list[dict[str, Any]] = field(default_factory=list)
    department: Department | None = None  # dispatch automatically to it
    cooperating: list[Department] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def routing_plan(
    *,
    title: str,
    text: str,
    category: Category | None,
    unit: AdminUnit | None,
    is_auto_dispatch_allowed: bool,
) -> RoutingPlan:
    """The suggestions for a new appeal and whether it is dispatched automatically: when
    allowed, enabled, sure enough and the router itself ranks that department first.

    Reads only (router, catalogue, settings, the department), so that intake does all of it
    before it takes the day's number. Without an active router only the catalogue's answer is
    suggested and nothing is dispatched.
    """
    active = get_active_router()
    lead, cooperating = responsible_departments(category, unit)
    model_ranked = active.suggest([title], [text])[0] if active else []
    suggestions = _suggestions(active, lead, model_ranked)
    if not suggestions or not is_auto_dispatch_allowed or active is None or not model_ranked:
        return RoutingPlan(suggestions=suggestions)
    top = suggestions[0]
    if model_ranked[0][0] != top["department"]:
        # the router itself must rank it first; the catalogue alone never does
        return RoutingPlan(suggestions=suggestions)
    settings_row = current_appeal_settings()
    if (
        not settings_row.is_auto_dispatch_enabled
        or top["confidence"] < settings_row.auto_dispatch_threshold
    ):
        return RoutingPlan(suggestions=suggestions)
    department = Department.objects.filter(code=top["department"], is_active=True).first()
    if department is None:
        return RoutingPlan(suggestions=suggestions)
    return RoutingPlan(
        suggestions=suggestions,
        department=department,
        cooperating=cooperating if lead is not None and lead.pk == department.pk else [],
        details={
            "confidence": top["confidence"],
            "source": top["source"],
            "router": active.router_id,
            "threshold": settings_row.auto_dispatch_threshold,
        },
    )


def route_new_appeal(*, appeal: Appeal, plan: RoutingPlan) -> Appeal:
    """Dispatch a freshly accepted appeal automatically when its :func:`routing_plan` says so
    (the suggestions were stored with the appeal).

    Runs after the accepted appeal is written, in its own transaction (a savepoint inside a
    caller's transaction). Never raises for a routing reason: a dispatch refused by the
    workflow (e.g. a department made inactive meanwhile) or failing in the database (logged)
    leaves the appeal in the queue, accepted as it was written.
    """
    if plan.department is None:
        return appeal
    from .workflow import appeal_auto_dispatch  # workflow imports intake, which imports us

    try:
        with transaction.atomic():
            return appeal_auto_dispatch(
                appeal=appeal,
                expected_version=appeal.version,
                department=plan.department,
                cooperating=plan.cooperating,
                details=plan.details,
            )
    except DatabaseError:
        logger.exception("Automatic dispatch of appeal %s failed", appeal.number)
    except DomainError:
        pass
    appeal.refresh_from_db()
    return appeal


def routing_suggestions_refresh(*, actor: Any) -> int:
    """Recompute the suggestions of the appeals waiting in the dispatch queue with the active
    router (after training); dispatches nothing. Returns how many appeals were updated."""
    _require_router_admin(actor)
    active = get_active_router()
    waiting = list(
        Appeal.objects.filter(status=AppealStatus.ACCEPTED)
        .select_related("category", "admin_unit")
        .only("pk", "title", "text", "category", "admin_unit", "routing_suggestions")
    )
    if not waiting:
        return 0
    ranked = (
        active.suggest([a.title for a in waiting], [a.text for a in waiting])
        if active is not None
        else [[] for _appeal in waiting]
    )
    catalogue: dict[tuple[Any, Any], Department | None] = {}
    changed: list[Appeal] = []
    for appeal, model_ranked in zip(waiting, ranked, strict=True):
        key = (appeal.category_id, appeal.admin_unit_id)
        if key not in catalogue:
            catalogue[key] = responsible_departments(appeal.category, appeal.admin_unit)[0]
        suggestions = _suggestions(active, catalogue[key], model_ranked)
        if suggestions != appeal.routing_suggestions:
            appeal.routing_suggestions = suggestions
            changed.append(appeal)
    with transaction.atomic():
        Appeal.objects.bulk_update(changed, ["routing_suggestions"], batch_size=500)
        audit_record(
            actor=actor,
            action="appeals.router.refresh_suggestions",
            target_type="appeals.appeal",
            details={"updated": len(changed), "router": active.router_id if active else None},
        )
    return len(changed)
