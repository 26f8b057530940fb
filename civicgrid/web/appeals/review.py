"""Reply review on the staff pages (答复审核): the reviewers' work list, the approve / send back
steps of the appeal detail page, and the reply templates offered in the department's reply
form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as lazy
from django.views.decorators.http import require_GET

from civicgrid.accounts.models import Role
from civicgrid.appeals import services
from civicgrid.appeals.models import Appeal, AppealStatus
from civicgrid.appeals.selectors.replies import (
    fill_reply_template,
    replies_to_review,
    reply_templates_for,
)

from ..forms import AppealReasonForm
from ..views import staff_required


class AppealReviewApproveForm(forms.Form):
    """审核通过: the reply as it will reach the citizen (the reviewer may edit it lightly)."""

    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reply = forms.CharField(
        label=lazy("Reply to the citizen"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


def _is_reviewer(user: Any, appeal: Appeal) -> bool:
    return bool(user.is_superuser or user.role in services.REVIEW_ROLES)


def _call_approve(user: Any, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    return services.appeal_reply_approve(
        actor=user, appeal=appeal, expected_version=data["expected_version"], reply=data["reply"]
    )


def _call_reject(user: Any, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    return services.appeal_reply_reject(
        actor=user, appeal=appeal, expected_version=data["expected_version"], reason=data["reason"]
    )


def steps(step_class: Any) -> list[Any]:
    """The review steps for the detail page's registry (``staff._steps``)."""
    return [
        step_class(
            "reply_approve",
            lazy("Approve the reply"),
            AppealReviewApproveForm,
            {AppealStatus.REVIEWING},
            _is_reviewer,
            _call_approve,
            lazy("The reply was approved and reached the citizen."),
            initial=lambda appeal: {"reply": appeal.reply},
        ),
        step_class(
            "reply_reject",
            lazy("Send the reply back"),
            AppealReasonForm,
            {AppealStatus.REVIEWING},
            _is_reviewer,
            _call_reject,
            lazy("The reply was sent back to the department."),
        ),
    ]


def reply_template_choices(appeal: Appeal) -> list[dict[str, Any]]:
    """The templates for the department's reply form, their placeholders filled in."""
    return [
        {
            "pk": template.pk,
            "name": template.name,
            "text": fill_reply_template(template.body, appeal),
        }
        for template in reply_templates_for(appeal)
    ]


@staff_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    """待审核答复: replies in the reviewer's scope waiting for review, oldest first."""
    from .staff import _list_page  # the staff lists share one renderer

    user: Any = request.user
    return _list_page(
        request,
        replies_to_review(user),
        template="web/appeals/review_list.html",
        filters=False,
        extra={"is_reviewer": bool(user.is_superuser or user.role in REVIEWER_ROLES)},
    )


REVIEWER_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR})
