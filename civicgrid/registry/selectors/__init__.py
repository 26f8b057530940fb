"""Reads of the base registry. :mod:`.access` is the gatekeeper (whom, which fields, how);
:mod:`.people` lists and details persons, entities and conflicts already masked for the reader;
:mod:`.figures` counts by admin unit and period."""

from .access import (
    RegistryAccess,
    conflicts_visible_to,
    entities_visible_to,
    persons_visible_to,
    registry_access,
)
from .figures import figures_visible_to, registry_figures, residents_by_unit
from .people import (
    entities_search,
    entity_detail,
    person_by_id_number,
    person_detail,
    persons_search,
)

__all__ = [
    "RegistryAccess",
    "conflicts_visible_to",
    "entities_search",
    "entities_visible_to",
    "entity_detail",
    "figures_visible_to",
    "person_by_id_number",
    "person_detail",
    "persons_search",
    "persons_visible_to",
    "registry_access",
    "registry_figures",
    "residents_by_unit",
]
