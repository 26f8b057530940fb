"""More workbench pages: the citizen's "my appeals" (我的诉求) and the hotline operator's intake
helpers (来电历史 by phone, 分类推荐 while typing), both htmx fragments of the intake page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicgrid.accounts.models import Role
from civicgrid.accounts.selectors import scope_of
from civicgrid.appeals import services
from civicgrid.appeals.models import AppealStatus
from civicgrid.appeals.selectors import workbenches as selectors
from civicgrid.appeals.selectors.callers import caller_history, normalised_phone
from civicgrid.appeals.selectors.category_suggestions import suggest_categories
from civicgrid.core.audit import audit_record
from civicgrid.core.masking import mask_name, mask_phone

from ..views import staff_required
from .exports import workbench_listing
from .listing import list_context


@login_required
@require_GET
def my_appeals(request: HttpRequest) -> HttpResponse:
    """我的诉求: the appeals the signed-in citizen filed; the reply once it reached them."""
    user: Any = request.user
    if user.role != Role.CITIZEN or user.is_superuser:
        raise PermissionDenied
    listing = workbench_listing(request, "mine")
    context = list_context(request, listing, export_workbench="mine")
    for row in context["rows"]:
        appeal = row["appeal"]
        row["status"] = AppealStatus(selectors.citizen_status(appeal))
        row["reply_visible"] = selectors.citizen_sees_reply(appeal)
    return render(request, "web/appeals/mine.html", context)


def _may_take_calls(user: Any) -> bool:
    return bool(user.is_superuser or user.role in services.INTAKE_ROLES)


@staff_required
@require_GET
def caller_history_fragment(request: HttpRequest) -> HttpResponse:
    """来电历史 (htmx): the caller's earlier appeals in the operator's scope, name masked.

    The operator already has the number from the call, but the lookup shows personal history,
    so each lookup of a valid number is audited (``appeals.caller_history``)."""
    user: Any = request.user
    if not _may_take_calls(user):
        raise PermissionDenied
    phone = normalised_phone(request.GET.get("citizen_phone", ""))
    rows: list[dict[str, Any]] = []
    if phone:
        appeals = list(caller_history(user, phone))
        rows = [
            {"appeal": appeal, "masked_name": mask_name(appeal.citizen_name)} for appeal in appeals
        ]
        audit_record(
            actor=user,
            action="appeals.caller_history",
            target_type="appeals.appeal",
            target_repr=mask_phone(phone),
            admin_unit_code=scope_of(user).code or "",
            purpose="hotline intake",
            details={"phone": mask_phone(phone), "found": [row["appeal"].number for row in rows]},
        )
    return render(
        request,
        "web/appeals/_caller_history.html",
        {"rows": rows, "phone": mask_phone(phone) if phone else "", "looked_up": bool(phone)},
    )


@staff_required
@require_GET
def category_suggestions_fragment(request: HttpRequest) -> HttpResponse:
    """分类推荐 (htmx): categories for the title and text typed so far; click to choose."""
    user: Any = request.user
    if not _may_take_calls(user):
        raise PermissionDenied
    text = " ".join([request.GET.get("title", ""), request.GET.get("text", "")])[:2000]
    suggestions = suggest_categories(text)
    return render(request, "web/appeals/_category_suggestions.html", {"suggestions": suggestions})
