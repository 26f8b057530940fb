"""Reads for grid collection (动态采集): the grid worker's grid, its addresses and current
residents, change requests a user submitted or may decide, and who may decide them.

Who may do what with a change request (the rule the services enforce and the pages show):

* **submit**: an active grid worker (网格员) whose scope unit is a grid, for records inside that
  grid only;
* **confirm / reject**: the community (社区) the grid belongs to, that is
  (a) department staff (社区工作人员, role ``department_staff``) whose effective scope unit *is*
  that community, or
  (b) the programme office (社工委) or an administrator (or a superuser) whose data scope covers
  the grid. Dispatchers, supervisors, hotline operators and leaders do no registry work (see the
  registry's field access, :mod:`civicgrid.registry.selectors.access`) and do not decide; a grid
  worker never decides, and nobody decides a request they submitted;
* **withdraw**: the submitter, while the request waits for the community.

Every query here applies the user's data scope through
:func:`civicgrid.accounts.selectors.scope_of`.
Personal data are not masked here: the pages mask them (see :mod:`civicgrid.core.masking`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from civicgrid.accounts.models import Role
from civicgrid.accounts.selectors import scope_of
from civicgrid.territory.models import CODE_LENGTH, AdminLevel, AdminUnit

from ..models import Address, ChangeRequest, ChangeStatus, LegalEntity, Residence

# Roles that decide change requests of any grid inside their data scope.
DECIDE_ROLES_BY_SCOPE = frozenset({Role.PROGRAMME_OFFICE, Role.ADMINISTRATOR})
# Role that decides the change requests of the grids of its own community only.
COMMUNITY_STAFF_ROLE = Role.DEPARTMENT_STAFF
COMMUNITY_CODE_LENGTH = CODE_LENGTH[AdminLevel.COMMUNITY]


def _is_active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def collecting_grid_of(user: Any) -> AdminUnit | None:
    """The grid a grid worker collects in, or ``None`` (not a grid worker, or no grid)."""
    if not _is_active(user) or user.role != Role.GRID_WORKER:
        return None
    unit = user.effective_scope_unit
    if unit is None or unit.level != AdminLevel.GRID:
        return None
    return unit


def community_code_of_grid(grid_code: str) -> str:
    """The division code of the community a grid (or any finer code) belongs to."""
    return grid_code[:COMMUNITY_CODE_LENGTH]


def _community_staff_unit(user: Any) -> AdminUnit | None:
    if not _is_active(user) or user.role != COMMUNITY_STAFF_ROLE:
        return None
    unit = user.effective_scope_unit
    if unit is None or unit.level != AdminLevel.COMMUNITY:
        return None
    return unit


def may_decide_change_requests(user: Any) -> bool:
    """Whether ``user``'s role and scope let them confirm change requests of some grid."""
    if not _is_active(user):
        return False
    if user.is_superuser or user.role in DECIDE_ROLES_BY_SCOPE:
        return not scope_of(user).is_nothing
    return _community_staff_unit(user) is not None


def may_decide(user: Any, change_request: ChangeRequest) -> bool:
    """Whether ``user`` may confirm or reject ``change_request`` (see the module docstring)."""
    if not _is_active(user) or user.pk == change_request.submitted_by_id:
        return False
    code = change_request.admin_unit_code
    if user.is_superuser or user.role in DECIDE_ROLES_BY_SCOPE:
        return scope_of(user).covers_code(code)
    unit = _community_staff_unit(user)
    return unit is not None and unit.code == community_code_of_grid(code)


def _decidable_filter(user: Any) -> Q | None:
    """The filter of the change requests ``user`` may decide (``None``: none at all)."""
    if not _is_active(user):
        return None
    if user.is_superuser or user.role in DECIDE_ROLES_BY_SCOPE:
        scope = scope_of(user)
        if scope.is_everything:
            return ~Q(submitted_by_id=user.pk)
        if scope.code is None:
            return None
        return Q(admin_unit_code__startswith=scope.code) & ~Q(submitted_by_id=user.pk)
    unit = _community_staff_unit(user)
    if unit is None:
        return None
    return Q(admin_unit_code__startswith=unit.code) & ~Q(submitted_by_id=user.pk)


def _with_relations(requests: QuerySet[ChangeRequest]) -> QuerySet[ChangeRequest]:
    return requests.select_related(
        "admin_unit", "submitted_by", "decided_by", "person", "address", "entity"
    )


def change_requests_to_decide(
    user: Any, *, status: str | None = ChangeStatus.SUBMITTED
) -> QuerySet[ChangeRequest]:
    """The community's confirmation queue: requests ``user`` may decide, oldest first
    (``status=None``: every status, newest first)."""
    condition = _decidable_filter(user)
    if condition is None:
        return ChangeRequest.objects.none()
    requests = _with_relations(ChangeRequest.objects.filter(condition))
    if status is None:
        return requests.order_by("-created_at", "-pk")
    return requests.filter(status=status).order_by("created_at", "pk")


def change_requests_submitted_by(user: Any) -> QuerySet[ChangeRequest]:
    """The grid worker's own submissions (我的采集), newest first."""
    if not _is_active(user):
        return ChangeRequest.objects.none()
    return _with_relations(ChangeRequest.objects.filter(submitted_by_id=user.pk)).order_by(
        "-created_at", "-pk"
    )


def change_request_for(user: Any, pk: int) -> ChangeRequest | None:
    """One change request if ``user`` submitted it or may decide it (else ``None``: 404)."""
    if not _is_active(user):
        return None
    condition = Q(submitted_by_id=user.pk)
    decidable = _decidable_filter(user)
    if decidable is not None:
        condition |= decidable
    return _with_relations(ChangeRequest.objects.filter(condition, pk=pk)).first()


def _current_residences() -> QuerySet[Residence]:
    return (
        Residence.objects.filter(moved_out__isnull=True)
        .select_related("person")
        .order_by("moved_in", "pk")
    )


def grid_addresses(user: Any, *, search: str = "") -> QuerySet[Address]:
    """Addresses in the grid worker's grid with their current residents
    (``current_residences``), in address order; ``search`` matches the address text."""
    grid = collecting_grid_of(user)
    if grid is None or not scope_of(user).covers_code(grid.code):
        return Address.objects.none()
    addresses = Address.objects.filter(admin_unit_code__startswith=grid.code)
    search = search.strip()
    if search:
        addresses = addresses.filter(full_text__icontains=search)
    return (
        addresses.select_related("building")
        .prefetch_related(
            Prefetch("residences", queryset=_current_residences(), to_attr="current_residences")
        )
        .order_by("full_text", "pk")
    )


def grid_address(user: Any, pk: int) -> Address | None:
    """One address of the grid worker's grid, with its current residents, or ``None``."""
    return grid_addresses(user).filter(pk=pk).first()


def grid_entities(user: Any, *, search: str = "") -> QuerySet[LegalEntity]:
    """Legal entities placed in the grid worker's grid, by name."""
    grid = collecting_grid_of(user)
    if grid is None or not scope_of(user).covers_code(grid.code):
        return LegalEntity.objects.none()
    entities = LegalEntity.objects.filter(admin_unit_code__startswith=grid.code)
    search = search.strip()
    if search:
        entities = entities.filter(name__icontains=search)
    return entities.select_related("actual_address").order_by("name", "pk")


def grid_entity(user: Any, pk: int) -> LegalEntity | None:
    return grid_entities(user).filter(pk=pk).first()


def grid_residence(user: Any, pk: int) -> Residence | None:
    """A current residence at an address of the grid worker's grid, or ``None``."""
    grid = collecting_grid_of(user)
    if grid is None or not scope_of(user).covers_code(grid.code):
        return None
    return (
        Residence.objects.filter(
            pk=pk, moved_out__isnull=True, admin_unit_code__startswith=grid.code
        )
        .select_related("person", "address")
        .first()
    )
