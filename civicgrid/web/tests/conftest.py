"""Fixtures of the web tests: more roles on top of the shared territory fixtures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from civicgrid.accounts.models import Role, User


@pytest.fixture
def citizen(make_user: Callable[..., User]) -> User:
    return make_user(Role.CITIZEN, username="citizen-1", full_name="张市民")


@pytest.fixture
def dm_dispatcher(territory: Any, make_user: Callable[..., User]) -> User:
    """A dispatcher of 斗门区 (scope: the district)."""
    return make_user(
        Role.DISPATCHER,
        scope_unit=territory.doumen,
        username="dm-dispatcher",
        full_name="斗门派单员",
        phone="13900001111",
    )


@pytest.fixture
def dm_street_staff(territory: Any, make_user: Callable[..., User]) -> User:
    """Department staff of 白藤街道: sees 斗门区's grid worker but may not reveal phones."""
    return make_user(
        Role.DEPARTMENT_STAFF, scope_unit=territory.dm_street, username="dm-street-staff"
    )
