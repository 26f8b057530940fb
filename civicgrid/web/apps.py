from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "civicgrid.web"
    label = "web"
    verbose_name = _("web interface")

    def ready(self) -> None:
        """Register the menu entries of the pages this app serves (网页菜单)."""
        from civicgrid.core.navigation import NavItem, register_nav_item

        self._register_nav_groups()
        register_nav_item(NavItem("home", _("Home"), "web:home", order=10, staff_only=False))
        register_nav_item(
            NavItem(
                "territory",
                _("Territory"),
                "web:territory",
                order=20,
                description=_(
                    "Browse the admin units of your scope on a tree and a map, and find which "
                    "grid a place belongs to."
                ),
            )
        )
        register_nav_item(
            NavItem(
                "departments",
                _("Departments"),
                "web:departments",
                order=30,
                description=_(
                    "Look up the departments you work with: full names, short names and aliases."
                ),
            )
        )
        register_nav_item(
            NavItem(
                "staff",
                _("Staff directory"),
                "web:staff",
                order=40,
                description=_(
                    "Find colleagues in your scope; phone numbers are masked and revealing one "
                    "is recorded."
                ),
            )
        )
        self._register_appeal_nav(NavItem, register_nav_item)
        from .registry import collection, imports, linkage, people_menu

        collection.register_navigation()  # 我的网格、采集确认
        people_menu.register_navigation()  # 人口、法人、冲突审核、人口统计
        imports.register_navigation()
        linkage.register_navigation()
        from .indicators import navigation as indicators_navigation
        from .plans import navigation as plans_navigation

        plans_navigation.register_navigation()
        indicators_navigation.register_navigation()

    @staticmethod
    def _register_nav_groups() -> None:
        """菜单分组: the drop-downs of the menu, each holding one app's pages."""
        from civicgrid.core.navigation import NavGroup, register_nav_group

        register_nav_group(
            NavGroup(
                "organisation",
                _("Organisation"),
                keys=frozenset({"territory", "departments", "staff"}),
            )
        )
        register_nav_group(
            NavGroup("appeals", _("Appeals"), ("appeal_",), keys=frozenset({"appeals"}))
        )
        register_nav_group(NavGroup("registry", _("Base registry"), ("registry_",)))
        register_nav_group(NavGroup("plans", _("Policy plans"), ("plans_", "plans")))
        register_nav_group(NavGroup("indicators", _("Indicators"), ("indicators",)))

    @staticmethod
    def _register_appeal_nav(nav_item: Any, register: Any) -> None:
        """诉求菜单: each workbench for the roles that work there."""
        from civicgrid.accounts.models import Role

        register(
            nav_item(
                "appeals",
                _("Appeal list"),
                "web:appeal_list",
                order=50,
                description=_(
                    "Every appeal of your scope with its state, deadline light and history."
                ),
            )
        )
        register(
            nav_item(
                "appeal_intake",
                _("Register an appeal"),
                "web:appeal_intake",
                roles=frozenset(
                    {Role.HOTLINE_OPERATOR, Role.DISPATCHER, Role.GRID_WORKER, Role.ADMINISTRATOR}
                ),
                order=51,
                description=_(
                    "Register a call or a visit: the category, the place and the suggested "
                    "department."
                ),
            )
        )
        register(
            nav_item(
                "appeal_grid_report",
                _("Report an event"),
                "web:appeal_grid_report",
                roles=frozenset({Role.GRID_WORKER}),
                order=51,
                description=_(
                    "Report an event found on patrol, with photos and the place on the map."
                ),
            )
        )
        register(
            nav_item(
                "appeal_queue",
                _("Dispatch queue"),
                "web:appeal_queue",
                roles=frozenset({Role.DISPATCHER, Role.ADMINISTRATOR}),
                order=52,
                description=_(
                    "Appeals waiting to be dispatched, with the suggested department for each."
                ),
            )
        )
        register(
            nav_item(
                "appeal_inbox",
                _("Department inbox"),
                "web:appeal_inbox",
                roles=frozenset({Role.DEPARTMENT_STAFF}),
                order=53,
                description=_(
                    "Appeals sent to your department: sign for them, handle, reply or return."
                ),
            )
        )
        register(
            nav_item(
                "appeal_review",
                _("Replies to review"),
                "web:appeal_review_list",
                roles=frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR}),
                order=54,
                description=_("Check departments' replies before they go to the citizen."),
            )
        )
        register(
            nav_item(
                "appeal_supervision",
                _("Supervision board"),
                "web:appeal_supervision",
                roles=frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR}),
                order=55,
                description=_("Appeals close to or past their deadline; urge and escalate."),
            )
        )
        register(
            nav_item(
                "appeal_mine",
                _("My appeals"),
                "web:appeal_mine",
                roles=frozenset({Role.CITIZEN}),
                order=56,
                description=_("The appeals you submitted and their answers."),
                staff_only=False,
            )
        )
        register(
            nav_item(
                "appeal_statistics",
                _("Statistics"),
                "web:appeal_statistics",
                roles=frozenset(
                    {
                        Role.DISPATCHER,
                        Role.SUPERVISOR,
                        Role.PROGRAMME_OFFICE,
                        Role.LEADER,
                        Role.ADMINISTRATOR,
                    }
                ),
                order=58,
                description=_(
                    "Appeals received, closed on time and satisfaction, by department, place and "
                    "period."
                ),
            )
        )
