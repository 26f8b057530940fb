"""Menu entries of the registry's sharing pages (人口、法人、冲突审核、人口统计).

Called from :meth:`civicgrid.web.apps.WebConfig.ready`. The roles are those the built-in field
access defaults let in (:mod:`civicgrid.registry.selectors.access`); a role given access by a
FieldPolicy row reaches the pages by their address, the pages themselves decide.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import Role
from civicgrid.core.navigation import NavItem, register_nav_item

REGISTRY_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.PROGRAMME_OFFICE, Role.GRID_WORKER, Role.DEPARTMENT_STAFF}
)
REVIEW_ROLES = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_OFFICE, Role.DEPARTMENT_STAFF})
FIGURE_ROLES = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.PROGRAMME_OFFICE,
        Role.LEADER,
        Role.GRID_WORKER,
        Role.DEPARTMENT_STAFF,
        Role.SUPERVISOR,
    }
)


def register_navigation() -> None:
    register_nav_item(
        NavItem(
            "registry_people",
            _("Residents"),
            "web:registry_person_list",
            REGISTRY_ROLES,
            61,
            description=_(
                "Search the residents of your scope; personal data is masked, and showing it "
                "in full is recorded."
            ),
        )
    )
    register_nav_item(
        NavItem(
            "registry_entities",
            _("Legal entities"),
            "web:registry_entity_list",
            REGISTRY_ROLES,
            62,
            description=_(
                "Companies, institutions and social organisations by unified social credit code."
            ),
        )
    )
    register_nav_item(
        NavItem(
            "registry_conflicts",
            _("Source conflicts"),
            "web:registry_conflict_list",
            REVIEW_ROLES,
            63,
            description=_(
                "Where two departments disagree about a field, decide which value stands."
            ),
        )
    )
    register_nav_item(
        NavItem(
            "registry_figures",
            _("Population figures"),
            "web:registry_figures",
            FIGURE_ROLES,
            64,
            description=_(
                "Residents by status and age, the elderly, households and entities, per unit."
            ),
        )
    )
