"""Menu entries of the plans pages (registered from WebConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as lazy


def register_navigation() -> None:
    """Register the plans pages' menu entries; each page adds its own NavItem here."""
    from civicgrid.core.navigation import NavItem, register_nav_item

    from .assessment import ASSESSMENT_ROLES
    from .common import OVERVIEW_ROLES, TASK_ROLES
    from .waiting import WAITING_ROLES

    # 政策文件 (import and review), 政策任务 (supervision), 督办月报, 考核.
    register_nav_item(
        NavItem(
            "plans_documents", lazy("Policy documents"), "web:plans_documents", OVERVIEW_ROLES, 70
        )
    )
    register_nav_item(
        NavItem("plans_tasks", lazy("Policy tasks"), "web:plans_tasks", TASK_ROLES, 71)
    )
    register_nav_item(
        NavItem(
            "plans_reports_waiting",
            lazy("Reports to review"),
            "web:plans_reports_waiting",
            WAITING_ROLES,
            71,
            description=lazy(
                "Submitted progress reports waiting for you: the leads' for the programme "
                "office, the cooperating units' for a lead department."
            ),
        )
    )
    register_nav_item(
        NavItem("plans_monthly", lazy("Monthly report"), "web:plans_monthly", OVERVIEW_ROLES, 72)
    )
    register_nav_item(
        NavItem(
            "plans_assessment", lazy("Assessment"), "web:plans_assessment", ASSESSMENT_ROLES, 73
        )
    )
