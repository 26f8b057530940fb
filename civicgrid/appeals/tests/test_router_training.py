"""Training, storing and activating department routers on tiny invented appeals."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicgrid.accounts.models import Role, User
from civicgrid.appeals.models import TrainedRouter
from civicgrid.appeals.routing import RoutingError
from civicgrid.appeals.routing.active import get_active_router, router_directory
from civicgrid.appeals.services.routing import router_activate, router_train
from civicgrid.core.errors import PermissionDeniedError
from civicgrid.core.models import AuditRecord

from .routing_data import make_answered_appeals, var_dir  # noqa: F401

pytestmark = pytest.mark.usefixtures("var_dir")


def _run(*args: str) -> dict[str, Any]:
    stdout = StringIO()
    call_command("appeals", "train-router", *args, stdout=stdout)
    lines = stdout.getvalue().splitlines()
    assert len(lines) == 1
    result: dict[str, Any] = json.loads(lines[0])
    return result


def test_refuses_too_little_data_and_stores_nothing(territory: Any, tmp_path: Path) -> None:
    make_answered_appeals(territory, per_department=9)  # 27 appeals
    with pytest.raises(RoutingError) as caught:
        router_train(actor=None, min_per_department=5)
    assert str(caught.value.message) == (
        "Too little data to train the router: 27 answered appeals of 3 departments with at "
        "least 5 appeals each; at least 30 appeals of two such departments are needed."
    )
    assert TrainedRouter.objects.count() == 0
    assert not (tmp_path / "models").exists()


def test_departments_below_the_minimum_are_left_out(territory: Any) -> None:
    make_answered_appeals(territory)  # 12 per department
    with pytest.raises(RoutingError) as caught:
        router_train(actor=None, min_per_department=13)
    assert "0 answered appeals of 0 departments" in str(caught.value.message)


def test_command_trains_measures_on_the_newest_and_activates(
    territory: Any, tmp_path: Path
) -> None:
    make_answered_appeals(territory)
    report = _run("--min-per-department", "10")
    router = TrainedRouter.objects.get()
    assert report["router"] == router.pk
    assert report["is_new"] is True
    assert report["is_active"] is True
    # 36 appeals: the oldest 31 train the measuring router, the newest 5 test it.
    assert (report["n_train"], report["n_test"], report["labels"], report["n_final"]) == (
        31,
        5,
        3,
        36,
    )
    assert report["top1"] == 1.0
    assert report["top3"] == 1.0
    assert report["queue_refreshed"] == 0
    assert router.is_active
    assert (router.n_train, router.labels) == (36, 3)
    assert router.metrics["held_out_from"] == "2026-01-15"
    assert router.metrics["catalogue_answered"] == 0
    assert router.metrics["catalogue_precision"] is None
    assert router.metrics["catalogue_confidence"] == 0.8
    assert router.metrics["departments_left_out"] == []
    calibration = router.metrics["calibration"]
    assert len(calibration["margins"]) == len(calibration["confidences"]) >= 2
    assert max(calibration["confidences"]) <= 5 / 6  # capped at n / (n + 1)
    path = tmp_path / "models" / "routers" / router.file_name
    assert path.is_file()
    assert router_directory() == tmp_path / "models" / "routers"
    audit = AuditRecord.objects.get(action="appeals.router.train")
    assert audit.actor_username == "system"
    assert audit.target_id == str(router.pk)
    assert audit.details["n_test"] == 5


def test_unchanged_data_keep_the_active_router_and_force_retrains(territory: Any) -> None:
    make_answered_appeals(territory)
    first = _run()
    again = _run()
    assert (again["router"], again["is_new"]) == (first["router"], False)
    assert TrainedRouter.objects.count() == 1
    forced = _run("--force")
    assert forced["is_new"] is True
    assert list(TrainedRouter.objects.filter(is_active=True).values_list("pk", flat=True)) == [
        forced["router"]
    ]
    assert TrainedRouter.objects.get(pk=first["router"]).is_active is False


def test_no_activate_keeps_the_previous_router_active(territory: Any) -> None:
    make_answered_appeals(territory)
    first = _run()
    stored = _run("--no-activate", "--force")
    assert stored["is_active"] is False
    assert list(TrainedRouter.objects.filter(is_active=True).values_list("pk", flat=True)) == [
        first["router"]
    ]
    active = get_active_router()
    assert active is not None
    assert active.router_id == first["router"]


def test_command_reports_too_little_data_as_a_command_error(territory: Any) -> None:
    with pytest.raises(CommandError, match="Too little data to train the router: 0 answered"):
        _run()


def test_activation_switches_the_cached_router_and_is_audited(
    territory: Any, make_user: Callable[..., User]
) -> None:
    make_answered_appeals(territory)
    first = router_train(actor=None).router
    second = router_train(actor=None, force=True).router
    assert get_active_router().router_id == second.pk  # type: ignore[union-attr]
    admin = make_user(Role.ADMINISTRATOR, scope_unit=territory.city, username="root")
    router_activate(actor=admin, router=first)
    assert get_active_router().router_id == first.pk  # type: ignore[union-attr]
    assert list(TrainedRouter.objects.filter(is_active=True).values_list("pk", flat=True)) == [
        first.pk
    ]
    audit = AuditRecord.objects.get(action="appeals.router.activate")
    assert (audit.actor_username, audit.details) == ("root", {"deactivated": [second.pk]})


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.HOTLINE_OPERATOR, Role.SUPERVISOR])
def test_only_administrators_train_or_activate(
    territory: Any, make_user: Callable[..., User], role: str
) -> None:
    make_answered_appeals(territory)
    first = router_train(actor=None).router
    second = router_train(actor=None, force=True).router
    user = make_user(role, scope_unit=territory.city, username="someone")
    with pytest.raises(PermissionDeniedError):
        router_train(actor=user, force=True)
    with pytest.raises(PermissionDeniedError):
        router_activate(actor=user, router=first)
    assert TrainedRouter.objects.count() == 2
    assert list(TrainedRouter.objects.filter(is_active=True).values_list("pk", flat=True)) == [
        second.pk
    ]


def test_a_missing_router_file_means_no_router(territory: Any, tmp_path: Path) -> None:
    make_answered_appeals(territory)
    router = router_train(actor=None).router
    (tmp_path / "models" / "routers" / router.file_name).unlink()
    assert get_active_router() is None
