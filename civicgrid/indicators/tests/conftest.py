"""Fixtures of the indicators tests (ind-core): ``catalogue`` and ``people``, see core_setup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from civicgrid.accounts.models import Role, User

from .core_setup import Catalogue, People, build_catalogue


@pytest.fixture
def catalogue(territory: Any) -> Catalogue:
    return build_catalogue()


@pytest.fixture
def people(territory: Any, make_user: Callable[..., User]) -> People:
    t = territory
    return People(
        xz_reporter=make_user(Role.DEPARTMENT_STAFF, scope_unit=t.xz_community, username="xz-c"),
        dm_reporter=make_user(Role.DEPARTMENT_STAFF, scope_unit=t.dm_community, username="dm-c"),
        xz_street=make_user(Role.DEPARTMENT_STAFF, scope_unit=t.xz_street, username="xz-s"),
        dm_street=make_user(Role.DEPARTMENT_STAFF, scope_unit=t.dm_street, username="dm-s"),
        xz_district=make_user(Role.DEPARTMENT_STAFF, scope_unit=t.xiangzhou, username="xz-d"),
        city=make_user(Role.PROGRAMME_OFFICE, username="city-po"),
        citizen=make_user(Role.CITIZEN, username="citizen"),
    )


@pytest.fixture
def english() -> Any:
    """Messages in English, so assertions on them hold whatever translations are merged."""
    from django.utils import translation

    with translation.override("en"):
        yield
