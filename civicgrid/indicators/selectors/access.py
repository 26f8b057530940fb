"""Who may see, define, report and approve indicator data (the gatekeeper of this app).

* Definitions (elements, indicators, data sets, targets, schemes) are visible to every active
  staff user; changing them needs a whole-city administrator or programme-office user (or a
  superuser). Services accept ``actor=None`` for system jobs (demo loader, console commands).
* Values and aggregates are visible for the units of the user's data scope (the subtree of their
  scope unit, everything for whole-city users): :func:`unit_codes_filter`.
* Reporting: a reporter role whose scope unit is the assigned unit or lies inside it (a
  community's staff and grid workers; whole-city definers may enter on a unit's behalf); for a
  data set assigned to departments, a member of an assigned department reporting for a unit of
  the department's area at the data set's department level.
* Approval goes up the chain street → district → city: the next approver of a submission is a
  staff user (not a citizen, hotline operator or grid worker) whose scope unit sits exactly at the
  next approval level and covers the submission's unit; the city level is whole-city users.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from civicgrid.accounts.models import STAFF_ROLES, Role
from civicgrid.accounts.selectors import Scope, scope_of
from civicgrid.territory.models import LEVEL_ORDER, AdminLevel, AdminUnit

from ..models import APPROVAL_STATUS_BY_LEVEL, DataSet, DataSubmission, SubmissionStatus

DEFINER_ROLES = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_OFFICE})
REPORTER_ROLES = frozenset(
    {Role.DEPARTMENT_STAFF, Role.GRID_WORKER, Role.PROGRAMME_OFFICE, Role.ADMINISTRATOR}
)
APPROVER_ROLES = frozenset(
    {
        Role.DEPARTMENT_STAFF,
        Role.SUPERVISOR,
        Role.DISPATCHER,
        Role.PROGRAMME_OFFICE,
        Role.LEADER,
        Role.ADMINISTRATOR,
    }
)
APPROVAL_LEVELS = (AdminLevel.STREET, AdminLevel.DISTRICT, AdminLevel.CITY)
_LEVEL_INDEX = {level: index for index, level in enumerate(LEVEL_ORDER)}
# The level whose approval a status records (SUBMITTED: the reporting unit's own level).
_REACHED_LEVEL = {
    SubmissionStatus.APPROVED_STREET: AdminLevel.STREET,
    SubmissionStatus.APPROVED_DISTRICT: AdminLevel.DISTRICT,
    SubmissionStatus.APPROVED_CITY: AdminLevel.CITY,
}


def is_active_user(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def may_view(user: Any) -> bool:
    """Any active staff user (or superuser) may use the indicators pages within their scope."""
    return is_active_user(user) and bool(user.is_superuser or user.role in STAFF_ROLES)


def may_define(user: Any) -> bool:
    """Whether ``user`` may change definitions, targets and schemes and run scoring."""
    if not is_active_user(user):
        return False
    if user.is_superuser:
        return True
    return user.role in DEFINER_ROLES and scope_of(user).is_everything


def view_scope(user: Any) -> Scope:
    """The data scope for values and aggregates (nothing for users who may not view)."""
    if not may_view(user):
        return Scope()
    return scope_of(user)


def unit_codes_filter(user: Any, field: str = "unit_code") -> Q | None:
    """A filter keeping rows of units inside ``user``'s scope; ``None`` means nothing at all."""
    scope = view_scope(user)
    if scope.is_everything:
        return Q()
    if scope.code is None:
        return None
    return Q(**{f"{field}__startswith": scope.code})


def covers(user: Any, code: str) -> bool:
    return view_scope(user).covers_code(code)


def _reports_for(user: Any, scope: Scope, code: str) -> bool:
    """A unit's own staff report for it (scope unit = the unit, or inside it, like its grid
    workers); above it only whole-city definers enter data on its behalf. Staff of the levels
    above approve instead, so nobody approves what they entered for a unit."""
    if scope.is_everything:
        return may_define(user)
    return scope.code is not None and scope.code.startswith(code)


def reporting_units(user: Any, data_set: DataSet) -> list[AdminUnit]:
    """The units ``user`` may report ``data_set`` for (assigned units in scope, or the units of
    an assigned department's area at the data set's department level)."""
    if not is_active_user(user) or not (user.is_superuser or user.role in REPORTER_ROLES):
        return []
    scope = scope_of(user)
    if scope.is_nothing:
        return []
    found: dict[str, AdminUnit] = {}
    for unit in data_set.units.all():
        if _reports_for(user, scope, unit.code):
            found[unit.code] = unit
    if user.department_id and data_set.departments.filter(pk=user.department_id).exists():
        area = user.department.admin_unit.code
        level = data_set.department_report_level
        for unit in AdminUnit.objects.filter(code__startswith=area, level=level):
            found.setdefault(unit.code, unit)
    return [found[code] for code in sorted(found)]


def may_report(user: Any, data_set: DataSet, unit: AdminUnit) -> bool:
    if not is_active_user(user) or not (user.is_superuser or user.role in REPORTER_ROLES):
        return False
    scope = scope_of(user)
    if data_set.units.filter(pk=unit.pk).exists() and _reports_for(user, scope, unit.code):
        return True
    if user.department_id and data_set.departments.filter(pk=user.department_id).exists():
        area = user.department.admin_unit.code
        return unit.level == data_set.department_report_level and unit.code.startswith(area)
    return False


def approval_level(user: Any) -> str | None:
    """The approval level ``user`` acts at: their scope unit's level, or the city for whole-city
    users; ``None`` for users who approve nothing."""
    if not is_active_user(user):
        return None
    if not (user.is_superuser or user.role in APPROVER_ROLES):
        return None
    scope = scope_of(user)
    if scope.is_everything:
        return AdminLevel.CITY
    unit = user.effective_scope_unit
    if unit is None or unit.level not in APPROVAL_LEVELS:
        return None
    return str(unit.level)


def next_approval_level(submission: DataSubmission) -> str | None:
    """The level that approves ``submission`` next; ``None`` when it is not waiting for one
    (open, returned or finally approved)."""
    if submission.status == SubmissionStatus.SUBMITTED:
        reached = str(submission.unit.level)
        if reached == AdminLevel.CITY:
            return AdminLevel.CITY
    elif submission.status in _REACHED_LEVEL:
        reached = _REACHED_LEVEL[SubmissionStatus(submission.status)]
    else:
        return None
    for level in APPROVAL_LEVELS:
        if _LEVEL_INDEX[level] < _LEVEL_INDEX[AdminLevel(reached)]:
            return level
    return None


def approval_status_for(level: str) -> SubmissionStatus:
    return APPROVAL_STATUS_BY_LEVEL[AdminLevel(level)]


def may_approve(user: Any, submission: DataSubmission) -> bool:
    """Whether ``user`` is the next approver of ``submission`` (approve or return it)."""
    level = next_approval_level(submission)
    if level is None or approval_level(user) != level:
        return False
    return scope_of(user).covers_code(submission.unit_code)
