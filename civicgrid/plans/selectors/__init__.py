"""Reads of civicgrid.plans; every selector takes the acting user and applies the data scope."""

from .assessment import assessment_ranking, assessment_scheme
from .boards import (
    BoardRow,
    MonthlyReport,
    MonthlyRow,
    board_by_department,
    board_by_district,
    month_bounds,
    monthly_report,
)
from .catalogue import UnitResolver, unit_catalogue, unit_catalogue_entries
from .lights import (
    LIGHTS,
    LightDetail,
    light_conditions,
    light_thresholds,
    task_light,
    task_light_detail,
    task_lights,
)
from .review import (
    Highlight,
    PlanReview,
    plan_review_data,
    plan_target_visible_to,
    unresolved_units,
)
from .visibility import (
    TaskPermissions,
    documents_visible_to,
    may_edit_plans,
    plan_visible_to,
    plans_visible_to,
    reports_visible_to,
    reports_waiting_for,
    task_permissions,
    task_visible_to,
    tasks_visible_to,
)

__all__ = [
    "LIGHTS",
    "BoardRow",
    "Highlight",
    "LightDetail",
    "MonthlyReport",
    "MonthlyRow",
    "PlanReview",
    "TaskPermissions",
    "UnitResolver",
    "assessment_ranking",
    "assessment_scheme",
    "board_by_department",
    "board_by_district",
    "documents_visible_to",
    "light_conditions",
    "light_thresholds",
    "may_edit_plans",
    "month_bounds",
    "monthly_report",
    "plan_review_data",
    "plan_target_visible_to",
    "plan_visible_to",
    "plans_visible_to",
    "reports_visible_to",
    "reports_waiting_for",
    "task_light",
    "task_light_detail",
    "task_lights",
    "task_permissions",
    "task_visible_to",
    "tasks_visible_to",
    "unit_catalogue",
    "unit_catalogue_entries",
    "unresolved_units",
]
