"""Staff appeal workbenches (工作台): intake, dispatcher queue, department inbox, the list of
all visible appeals and the appeal detail with its workflow steps.

Every page starts from :func:`civicgrid.appeals.selectors.appeals_visible_to`; every step calls
one service with the version the person saw. A ConflictError (someone was faster, or the step
no longer fits the status) re-renders the page with HTTP 409 and the typed text kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.accounts.models import Role
from civicgrid.accounts.selectors import departments_visible_to
from civicgrid.appeals import services
from civicgrid.appeals.models import Appeal, AppealStatus, Channel
from civicgrid.appeals.selectors import appeal_visible_to
from civicgrid.appeals.selectors import workbenches as workbench_selectors
from civicgrid.appeals.selectors.attachments import attachments_of
from civicgrid.appeals.selectors.replies import last_review_rejection, with_review_rejection
from civicgrid.appeals.services import suspension
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError
from civicgrid.core.masking import mask_name, mask_phone
from civicgrid.territory.models import Department

from ..forms import (
    AppealDispatchForm,
    AppealFollowUpForm,
    AppealIntakeForm,
    AppealReasonForm,
    AppealReplyForm,
    AppealStepForm,
    RevealCitizenForm,
)
from ..views import staff_required
from . import common, duplicates, routing
from . import review as review_steps
from . import supervision as supervision_steps
from .listing import list_context, plain_headers, read_listing
from .public import add_domain_error

PAGE_SIZE = 30
OPEN_FOR_LIGHTS = (AppealStatus.ACCEPTED, AppealStatus.DISPATCHED, AppealStatus.SIGNED)


def _is_admin(user: Any) -> bool:
    return bool(user.is_superuser or user.role == Role.ADMINISTRATOR)


def _has_role(user: Any, roles: Any) -> bool:
    return bool(user.is_superuser or user.role in roles)


# --- Lists -------------------------------------------------------------------------------------


def _list_page(
    request: HttpRequest,
    appeals: QuerySet[Appeal],
    *,
    template: str,
    default_order: tuple[str, ...] | None = None,
    workbench: str | None = None,
    extra: dict[str, Any] | None = None,
    filters: bool = True,
    with_duplicates: bool = False,
) -> HttpResponse:
    """One workbench list page: filters, sortable columns, pagination, export link (see
    :mod:`.listing`; the export reads the same workbench and filters). Without
    ``default_order`` the queryset's own order is the default; ``filters=False`` ignores the
    request's filters and sort (a fixed list)."""
    order = default_order or tuple(str(item) for item in appeals.query.order_by)
    data = request.GET if filters else QueryDict()
    listing = read_listing(data, appeals, user=request.user, default_order=order)
    context = {**list_context(request, listing, export_workbench=workbench), **(extra or {})}
    if not filters:
        context["filter_form"] = None
        context["sort_headers"] = plain_headers()
    if with_duplicates:  # 可能重复 N per row, one pass for the page
        counts = duplicates.duplicate_counts(request.user, [r["appeal"] for r in context["rows"]])
        for row in context["rows"]:
            row["duplicates"] = counts.get(row["appeal"].pk, 0)
    return render(request, template, context)


@staff_required
@require_GET
def appeal_list(request: HttpRequest) -> HttpResponse:
    """全部诉求: every appeal the user may see, newest first, with filters."""
    return _list_page(
        request,
        workbench_selectors.all_appeals_for(request.user),
        template="web/appeals/list.html",
        default_order=("-created_at", "-id"),
        workbench="list",
    )


@staff_required
@require_GET
def appeal_queue(request: HttpRequest) -> HttpResponse:
    """待派单: accepted appeals in the dispatcher's scope, oldest first."""
    return _list_page(
        request,
        workbench_selectors.queue_for(request.user),
        template="web/appeals/queue.html",
        default_order=("created_at", "id"),
        workbench="queue",
        with_duplicates=True,
        extra={"show_routing": True, "may_dispatch_suggestion": routing.may_dispatch(request.user)},
    )


INBOX_STATUSES = workbench_selectors.INBOX_STATUSES


@staff_required
@require_GET
def appeal_inbox(request: HttpRequest) -> HttpResponse:
    """部门待办: appeals the user's department leads (dispatched or signed for by default)."""
    user = request.user
    department_id = getattr(user, "department_id", None)
    appeals = with_review_rejection(
        workbench_selectors.inbox_for(user, all_statuses=bool(request.GET.get("status")))
    )
    return _list_page(
        request,
        appeals,
        template="web/appeals/inbox.html",
        default_order=("created_at", "id"),
        workbench="inbox",
        extra={"has_department": bool(department_id)},
    )


# --- Intake ------------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def appeal_intake(request: HttpRequest) -> HttpResponse:
    """热线受理 / 网格上报: register an appeal for a caller (or an event a grid worker found)."""
    user: Any = request.user
    if not _has_role(user, services.INTAKE_ROLES):
        raise PermissionDenied
    channel = Channel.GRID if user.role == Role.GRID_WORKER else Channel.HOTLINE
    if request.method != "POST":
        form = AppealIntakeForm(initial={"idempotency_key": uuid.uuid4().hex})
        return render(request, "web/appeals/intake.html", {"form": form, "channel": channel})
    form = AppealIntakeForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            # Every file is checked before anything is created: one bad file refuses all.
            files = services.attachments_check(data["attachments"])
            appeal, query_code = services.appeal_accept_with_files(
                files=files,
                is_from_citizen=False,
                actor=user,
                channel=channel,
                appeal_type=data["appeal_type"],
                title=data["title"],
                text=data["text"],
                category=data["category"],
                urgency=data["urgency"],
                address=data["address"],
                lon=data["lon"],
                lat=data["lat"],
                citizen_name=data["citizen_name"],
                citizen_phone=data["citizen_phone"],
                is_confidential=data["is_confidential"],
                is_public_consent=data["is_public_consent"],
                idempotency_key=f"staff:{user.pk}:{data['idempotency_key']}",
            )
        except PermissionDeniedError as error:
            form.add_error(None, str(error.message))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if query_code:
                messages.success(
                    request,
                    _("Appeal %(number)s registered. Query code for the citizen: %(code)s")
                    % {"number": appeal.number, "code": query_code},
                )
            if appeal_visible_to(user, appeal.number) is None:
                return redirect("web:appeal_intake")
            return redirect("web:appeal_detail", number=appeal.number)
    return render(
        request, "web/appeals/intake.html", {"form": form, "channel": channel}, status=400
    )


# --- Detail and workflow steps -----------------------------------------------------------------


def _visible_appeal_or_404(user: Any, number: str) -> Appeal:
    appeal = appeal_visible_to(user, number)
    if appeal is None:
        raise Http404
    return appeal


def _is_lead_staff(user: Any, appeal: Appeal) -> bool:
    if _is_admin(user):
        return True
    return bool(
        user.role == Role.DEPARTMENT_STAFF
        and appeal.lead_department_id is not None
        and user.department_id == appeal.lead_department_id
    )


def _dispatch_form(user: Any, appeal: Appeal, data: Any = None) -> AppealDispatchForm:
    lead, cooperating = services.suggest_departments(appeal)
    initial: dict[str, Any] = {"expected_version": appeal.version}
    if lead is not None:
        initial["department"] = lead.pk
        initial["cooperating"] = [dep.pk for dep in cooperating]
    departments = departments_visible_to(user).filter(is_active=True).order_by("code")
    return AppealDispatchForm(data, initial=initial, departments=departments)


StepCall = Callable[[Any, Appeal, dict[str, Any]], Appeal]


def _call_dispatch(user: Any, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    return services.appeal_dispatch(
        actor=user,
        appeal=appeal,
        expected_version=data["expected_version"],
        department=data["department"],
        cooperating=list(data["cooperating"]),
        note=data["note"],
    )


def _call_sign_for(user: Any, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    return services.appeal_sign_for(
        actor=user, appeal=appeal, expected_version=data["expected_version"]
    )


def _call_return(user: Any, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    return services.appeal_return(
        actor=user, appeal=appeal, expected_version=data["expected_version"], reason=data["reason"]
    )


def _call_reply(user: Any, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    return services.appeal_reply(
        actor=user, appeal=appeal, expected_version=data["expected_version"], reply=data["reply"]
    )


def _call_follow_up(user: Any, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    return services.appeal_follow_up(
        actor=user,
        appeal=appeal,
        expected_version=data["expected_version"],
        satisfaction=data["satisfaction"],
        note=data["note"],
    )


def _call_close(user: Any, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    return services.appeal_close(
        actor=user, appeal=appeal, expected_version=data["expected_version"]
    )


def _call_reopen(user: Any, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    return services.appeal_reopen(
        actor=user, appeal=appeal, expected_version=data["expected_version"], reason=data["reason"]
    )


def _call_cancel(user: Any, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    return services.appeal_cancel(
        actor=user, appeal=appeal, expected_version=data["expected_version"], reason=data["reason"]
    )


def _call_suspend(user: Any, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    return services.appeal_suspend(
        actor=user, appeal=appeal, expected_version=data["expected_version"], reason=data["reason"]
    )


def _call_resume(user: Any, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    return services.appeal_resume(
        actor=user, appeal=appeal, expected_version=data["expected_version"]
    )


class Step:
    """One workflow step offered on the detail page (a form posting to its own URL)."""

    def __init__(
        self,
        name: str,
        label: Any,
        form_class: type[forms.Form],
        statuses: set[str],
        may: Callable[[Any, Appeal], bool],
        call: StepCall,
        done: Any,
        initial: Callable[[Appeal], dict[str, Any]] | None = None,
    ) -> None:
        self.initial = initial
        self.name = name
        self.label = label
        self.form_class = form_class
        self.statuses = statuses
        self.may = may
        self.call = call
        self.done = done

    def offered_to(self, user: Any, appeal: Appeal) -> bool:
        return appeal.status in self.statuses and self.may(user, appeal)

    def form(self, user: Any, appeal: Appeal, data: Any = None) -> forms.Form:
        if self.form_class is AppealDispatchForm:
            return _dispatch_form(user, appeal, data)
        initial = {
            "expected_version": appeal.version,
            **(self.initial(appeal) if self.initial else {}),
        }
        return self.form_class(data, initial=initial)


def _steps() -> dict[str, Step]:
    dispatchers = services.DISPATCH_ROLES
    closers = services.DISPATCH_ROLES | {Role.SUPERVISOR}
    followers = services.FOLLOW_UP_ROLES
    reopeners = services.FOLLOW_UP_ROLES | {Role.SUPERVISOR}
    steps = [
        Step(
            "dispatch",
            lazy("Dispatch"),
            AppealDispatchForm,
            {AppealStatus.ACCEPTED},
            lambda user, appeal: _has_role(user, dispatchers),
            _call_dispatch,
            lazy("The appeal was dispatched."),
        ),
        Step(
            "sign_for",
            lazy("Sign for"),
            AppealStepForm,
            {AppealStatus.DISPATCHED},
            _is_lead_staff,
            _call_sign_for,
            lazy("You signed for the appeal."),
        ),
        Step(
            "reply",
            lazy("Reply"),
            AppealReplyForm,
            {AppealStatus.SIGNED},
            _is_lead_staff,
            _call_reply,
            lazy("The reply was saved."),
            initial=lambda appeal: {"reply": appeal.reply},  # a draft sent back by the reviewer
        ),
        *review_steps.steps(Step),
        Step(
            "return",
            lazy("Return to the dispatcher"),
            AppealReasonForm,
            {AppealStatus.DISPATCHED, AppealStatus.SIGNED},
            _is_lead_staff,
            _call_return,
            lazy("The appeal was returned to the dispatcher."),
        ),
        Step(
            "follow_up",
            lazy("Record the follow-up"),
            AppealFollowUpForm,
            {AppealStatus.REPLIED},
            lambda user, appeal: _has_role(user, followers),
            _call_follow_up,
            lazy("The follow-up was recorded."),
        ),
        Step(
            "close",
            lazy("Close"),
            AppealStepForm,
            {AppealStatus.REPLIED, AppealStatus.FOLLOWED_UP},
            lambda user, appeal: _has_role(user, closers),
            _call_close,
            lazy("The appeal was closed."),
        ),
        Step(
            "reopen",
            lazy("Reopen"),
            AppealReasonForm,
            {AppealStatus.REPLIED, AppealStatus.FOLLOWED_UP, AppealStatus.CLOSED},
            lambda user, appeal: _has_role(user, reopeners),
            _call_reopen,
            lazy("The appeal was reopened."),
        ),
        Step(
            "suspend",
            lazy("Suspend (stop the clock)"),
            AppealReasonForm,
            {AppealStatus.SIGNED},
            lambda user, appeal: _has_role(user, suspension.SUSPEND_ROLES),
            _call_suspend,
            lazy("The appeal was suspended; its deadline is paused."),
        ),
        Step(
            "resume",
            lazy("Resume handling"),
            AppealStepForm,
            {AppealStatus.SUSPENDED},
            lambda user, appeal: (
                _has_role(user, suspension.SUSPEND_ROLES) or _is_lead_staff(user, appeal)
            ),
            _call_resume,
            lazy("Handling resumed; the deadline moved by the working days suspended."),
        ),
        Step(
            "extension",
            lazy("Request an extension"),
            supervision_steps.ExtensionRequestForm,
            {AppealStatus.SIGNED},
            _is_lead_staff,
            supervision_steps.call_extension_request,
            lazy("The extension request was sent for a decision."),
        ),
        Step(
            "urge",
            lazy("Urge"),
            supervision_steps.UrgeForm,
            {AppealStatus.ACCEPTED, AppealStatus.DISPATCHED, AppealStatus.SIGNED},
            supervision_steps.may_urge,
            supervision_steps.call_urge,
            lazy("The appeal was urged."),
        ),
        Step(
            "cancel",
            lazy("Cancel as invalid"),
            AppealReasonForm,
            {AppealStatus.ACCEPTED, AppealStatus.DISPATCHED},
            lambda user, appeal: _has_role(user, dispatchers),
            _call_cancel,
            lazy("The appeal was cancelled."),
        ),
    ]
    return {step.name: step for step in steps}


STEPS = _steps()


def _detail_context(
    user: Any, appeal: Appeal, bound: dict[str, forms.Form] | None = None
) -> dict[str, Any]:
    bound = bound or {}
    events = list(appeal.events.select_related("actor", "department").order_by("at", "id"))
    assignments = list(appeal.assignments.select_related("department").order_by("created_at"))
    actions = [
        {
            "name": step.name,
            "label": step.label,
            "form": bound.get(step.name) or step.form(user, appeal),
            "url": reverse("web:appeal_step", kwargs={"number": appeal.number, "step": step.name}),
        }
        for step in STEPS.values()
        if step.offered_to(user, appeal) or step.name in bound
    ]
    for action in actions:
        if action["name"] == "reply":  # 答复模板, placeholders filled in
            action["templates"] = review_steps.reply_template_choices(appeal)
    suggested_lead: Department | None = None
    suggested_cooperating: list[Department] = []
    if any(action["name"] == "dispatch" for action in actions):
        suggested_lead, suggested_cooperating = services.suggest_departments(appeal)
    return {
        "appeal": appeal,
        "masked_name": mask_name(appeal.citizen_name) if appeal.citizen_name else "",
        "masked_phone": mask_phone(appeal.citizen_phone) if appeal.citizen_phone else "",
        "may_reveal": bool(appeal.citizen_name or appeal.citizen_phone)
        and (not appeal.is_confidential or _has_role(user, {Role.DISPATCHER, Role.ADMINISTRATOR}))
        and _has_role(
            user,
            {
                Role.HOTLINE_OPERATOR,
                Role.DISPATCHER,
                Role.DEPARTMENT_STAFF,
                Role.SUPERVISOR,
                Role.ADMINISTRATOR,
            },
        ),
        "reveal_form": RevealCitizenForm(),
        "timeline": common.timeline_rows(events, for_citizen=False),
        "attachments": attachments_of(appeal),
        "assignments": assignments,
        "review_rejection": last_review_rejection(appeal),
        "light": common.light_of(appeal),
        "actions": actions,
        "suggested_lead": suggested_lead,
        "suggested_cooperating": suggested_cooperating,
        **routing.routing_context(user, appeal),
    }


@staff_required
@require_GET
def appeal_detail(request: HttpRequest, number: str) -> HttpResponse:
    """诉求详情: fields (citizen masked), timeline, assignments, deadlines and the steps."""
    appeal = _visible_appeal_or_404(request.user, number)
    context = _detail_context(request.user, appeal)
    routing.prefill_dispatch(context, request.GET.get("dispatch_to"))
    return render(request, "web/appeals/detail.html", context)


@staff_required
@require_POST
def appeal_step(request: HttpRequest, number: str, step: str) -> HttpResponse:
    """Run one workflow step; on success back to the detail page (post/redirect/get)."""
    user = request.user
    appeal = _visible_appeal_or_404(user, number)
    action = STEPS.get(step)
    if action is None:
        raise Http404
    form = action.form(user, appeal, request.POST)
    status = 400
    conflict = ""
    if form.is_valid():
        try:
            action.call(user, appeal, form.cleaned_data)
        except PermissionDeniedError as error:
            raise PermissionDenied(str(error.message)) from error
        except ConflictError as error:
            conflict = str(error.message)
            status = 409
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, str(action.done))
            if appeal_visible_to(user, number) is None:  # e.g. a department returned it
                return redirect("web:appeal_list")
            return redirect("web:appeal_detail", number=number)
    appeal.refresh_from_db()
    if conflict:
        # Keep what the person typed, now against the current version: they have seen the
        # message and the page shows the appeal as it is now.
        data = request.POST.copy()
        data["expected_version"] = str(appeal.version)
        form = action.form(user, appeal, data)
        form.is_valid()
    context = _detail_context(user, appeal, bound={step: form})
    context["conflict"] = conflict
    context["failed_step"] = step
    return render(request, "web/appeals/detail.html", context, status=status)


@staff_required
@require_POST
def appeal_reveal(request: HttpRequest, number: str) -> HttpResponse:
    """Show the citizen's full name and phone after asking why (audited by the service)."""
    user = request.user
    appeal = _visible_appeal_or_404(user, number)
    form = RevealCitizenForm(request.POST)
    revealed: dict[str, str] | None = None
    status = 400
    if form.is_valid():
        try:
            revealed = services.appeal_reveal_citizen(
                actor=user, appeal=appeal, purpose=form.cleaned_data["purpose"]
            )
        except PermissionDeniedError as error:
            raise PermissionDenied(str(error.message)) from error
        except DomainError as error:
            add_domain_error(form, error)
        else:
            status = 200
    context = _detail_context(user, appeal)
    context["reveal_form"] = form
    context["revealed"] = revealed
    return render(request, "web/appeals/detail.html", context, status=status)
