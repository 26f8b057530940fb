"""Likely duplicates on the staff pages (疑似重复): live suggestions while an operator types an
appeal, the panel of candidates on an appeal's page, and merging / unmerging.

The suggestions and the panel are htmx fragments (GET, no side effects); merging is a plain
form POST that goes back to the primary appeal's page (post/redirect/get).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy
from django.views.decorators.http import require_GET, require_POST

from civicgrid.appeals import services
from civicgrid.appeals.models import Appeal, AppealStatus
from civicgrid.appeals.selectors import appeal_visible_to
from civicgrid.appeals.selectors.duplicates import (
    Candidate,
    duplicate_candidates,
    duplicates_for,
    duplicates_for_many,
    merged_outcome_for_citizen,
    place_code_for,
)
from civicgrid.appeals.services.duplicates import MERGEABLE_STATUSES, PRIMARY_REFUSED_STATUSES
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError

from ..forms import AppealRateForm
from ..views import staff_required
from . import common

SUGGEST_ROLES = services.INTAKE_ROLES | services.DISPATCH_ROLES
SUGGEST_TEXT_MAX = 2000  # what the live suggestion reads of the typed text
SUGGEST_TEXT_MIN = 4  # characters typed before anything is looked up


class AppealMergeForm(forms.Form):
    """合并: ``duplicate`` (at the version the dispatcher saw) into ``primary``."""

    duplicate = forms.CharField(max_length=24)
    primary = forms.CharField(max_length=24)
    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(label=lazy("Note"), max_length=500, required=False)


class AppealUnmergeForm(forms.Form):
    """撤销合并: the merged appeal goes back to the dispatcher queue."""

    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(label=lazy("Reason"), max_length=500)


def _has_role(user: Any, roles: Any) -> bool:
    return bool(user.is_superuser or user.role in roles)


def may_merge(user: Any) -> bool:
    return _has_role(user, services.DISPATCH_ROLES)


def _param(request: HttpRequest, name: str, limit: int = 200) -> str:
    return str(request.GET.get(name, "")).replace("\x00", "").strip()[:limit]


@staff_required
@require_GET
def duplicate_suggestions(request: HttpRequest) -> HttpResponse:
    """The intake form's live list of likely duplicates (an htmx fragment)."""
    user: Any = request.user
    if not _has_role(user, SUGGEST_ROLES):
        raise PermissionDenied
    title = _param(request, "title", services.TITLE_MAX)
    text = _param(request, "text", SUGGEST_TEXT_MAX)
    lon, lat = _param(request, "lon", 40), _param(request, "lat", 40)
    category = _param(request, "category", 20)
    candidates: list[Candidate] = []
    asked = len(title) + len(text) >= SUGGEST_TEXT_MIN
    if asked:
        candidates = duplicate_candidates(
            user=user,
            title=title,
            text=text,
            lon=lon,
            lat=lat,
            admin_unit_code=place_code_for(lon, lat, user),
            category=int(category) if category.isdigit() else None,
        )
    return render(
        request,
        "web/appeals/_duplicates.html",
        {"candidates": candidates, "asked": asked},
    )


def _visible_or_404(user: Any, number: str) -> Appeal:
    appeal = appeal_visible_to(user, number)
    if appeal is None:
        raise Http404
    return appeal


def _panel_rows(user: Any, appeal: Appeal, candidates: list[Candidate]) -> list[dict[str, Any]]:
    """Each candidate with the merge directions the user may offer."""
    merger = may_merge(user)
    rows = []
    for candidate in candidates:
        other = candidate.appeal
        rows.append(
            {
                "candidate": candidate,
                # the other appeal into this one (this one is the primary)
                "merge_here": merger
                and other.status in MERGEABLE_STATUSES
                and appeal.status not in PRIMARY_REFUSED_STATUSES,
                # this appeal into the other one
                "merge_there": merger
                and appeal.status in MERGEABLE_STATUSES
                and other.status not in PRIMARY_REFUSED_STATUSES,
            }
        )
    return rows


@staff_required
@require_GET
def duplicate_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The appeal page's panel of likely duplicates (an htmx fragment, loaded with the page)."""
    user: Any = request.user
    appeal = _visible_or_404(user, number)
    candidates: list[Candidate] = []
    if appeal.status not in PRIMARY_REFUSED_STATUSES:
        candidates = duplicates_for(user, appeal)
    return render(
        request,
        "web/appeals/_duplicate_panel.html",
        {
            "appeal": appeal,
            "rows": _panel_rows(user, appeal, candidates),
            "may_unmerge": appeal.status == AppealStatus.MERGED and may_merge(user),
            "unmerge_form": AppealUnmergeForm(initial={"expected_version": appeal.version}),
        },
    )


def duplicate_counts(user: Any, appeals: list[Appeal]) -> dict[int, int]:
    """可能重复 N for a page of the dispatcher queue (one pass, see duplicates_for_many)."""
    return {pk: len(found) for pk, found in duplicates_for_many(user, appeals).items()}


def _failed(request: HttpRequest, appeal: Appeal, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "web/appeals/merge_failed.html",
        {"appeal": appeal, "message": message},
        status=status,
    )


@staff_required
@require_POST
def appeal_merge(request: HttpRequest, number: str) -> HttpResponse:
    """Merge one appeal into another; ``number`` is the appeal whose page the form is on."""
    user: Any = request.user
    appeal = _visible_or_404(user, number)
    form = AppealMergeForm(request.POST)
    if not form.is_valid():
        return _failed(request, appeal, _("The merge form is incomplete."), 400)
    data = form.cleaned_data
    if number not in {data["duplicate"], data["primary"]}:
        return _failed(request, appeal, _("The merge form is incomplete."), 400)
    duplicate = _visible_or_404(user, data["duplicate"])
    primary = _visible_or_404(user, data["primary"])
    try:
        services.appeal_merge(
            actor=user,
            duplicate=duplicate,
            primary=primary,
            expected_version=data["expected_version"],
            reason=data["reason"],
        )
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error.message)) from error
    except ConflictError as error:
        return _failed(request, appeal, str(error.message), 409)
    except DomainError as error:
        return _failed(request, appeal, str(error.message), 400)
    messages.success(
        request,
        _("Appeal %(duplicate)s was merged into %(primary)s.")
        % {"duplicate": duplicate.number, "primary": primary.number},
    )
    return redirect("web:appeal_detail", number=primary.number)


@staff_required
@require_POST
def appeal_unmerge(request: HttpRequest, number: str) -> HttpResponse:
    """Undo a merge: the appeal goes back to the dispatcher queue."""
    user: Any = request.user
    appeal = _visible_or_404(user, number)
    form = AppealUnmergeForm(request.POST)
    if not form.is_valid():
        return _failed(request, appeal, _("Give a reason (at least 2 characters)."), 400)
    try:
        services.appeal_unmerge(
            actor=user,
            appeal=appeal,
            expected_version=form.cleaned_data["expected_version"],
            reason=form.cleaned_data["reason"],
        )
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error.message)) from error
    except ConflictError as error:
        return _failed(request, appeal, str(error.message), 409)
    except DomainError as error:
        return _failed(request, appeal, str(error.message), 400)
    messages.success(request, _("The merge was undone; the appeal is back in the queue."))
    return redirect("web:appeal_detail", number=appeal.number)


def merged_track_context(appeal: Appeal, query_code: str) -> dict[str, Any]:
    """The citizen's tracking page of a merged appeal: the primary's status, deadline,
    department, reply (once visible) and timeline, and the rating form once there is a reply
    to rate (no reopen box: see :mod:`civicgrid.appeals.services.duplicates`)."""
    outcome = merged_outcome_for_citizen(appeal)
    if outcome is None:
        return {}
    timeline = common.timeline_rows(outcome.events, for_citizen=True)
    for row in timeline:  # the other citizen's comments and ratings are theirs
        row["note"] = ""
        row["satisfaction"] = ""
    context: dict[str, Any] = {
        "merged": outcome,
        "merged_timeline": timeline,
        "merged_light": common.light_of(outcome.primary),
    }
    if outcome.is_reply_visible and not appeal.satisfaction:
        context["merged_rate_form"] = AppealRateForm(
            initial={"number": appeal.number, "query_code": query_code}
        )
    return context
