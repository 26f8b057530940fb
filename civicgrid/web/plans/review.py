"""审核 (review screen): the document text beside the plan proposed from it.

Every extracted field is highlighted in the text through its character offsets (the item's
passage, number and title, lead and cooperating units, deadline words, targets); picking an item
shows and scrolls to its passage, and picking a highlight shows its item. Staff of the
programme office correct fields, add, split and merge items, resolve a unit to a department (or
mark it as no department), confirm and publish. Edits are made in place with htmx (the item's
card, or the whole plan when items are added, split, merged or a unit name is resolved
everywhere); without JavaScript the same forms post and come back to the page. Every change is
a call of a :mod:`civicgrid.plans.services` function, which checks role and plan state.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.accounts.selectors import departments_visible_to
from civicgrid.core.errors import DomainError, PermissionDeniedError
from civicgrid.plans import selectors, services
from civicgrid.plans.models import Resolution, UnitRole

from ..views import staff_required
from .common import OFFICE_ROLES, OVERVIEW_ROLES, has_role, is_htmx, require_roles
from .forms import (
    ItemAddForm,
    ItemForm,
    ItemSplitForm,
    TargetForm,
    UnitAddForm,
    UnitResolveForm,
)
from .sourcetext import Mark, segments

EDITABLE_FIELDS = ("number", "title", "body", "is_task", "deadline_text", "deadline_date")


# --- Reading the plan ------------------------------------------------------------------------


def _plan(request: HttpRequest, pk: int) -> Any:
    require_roles(request.user, OVERVIEW_ROLES)
    plan = selectors.plan_visible_to(request.user, pk)
    if plan is None:
        raise Http404
    return plan


def _find_in(passage: str, needle: str, offset: int) -> tuple[int, int] | None:
    needle = (needle or "").strip()
    if not needle:
        return None
    found = passage.find(needle)
    if found < 0:
        return None
    return offset + found, offset + found + len(needle)


def _marks(text: str, items: list[Any], targets: list[Any]) -> list[Mark]:
    """Highlights of every extracted field, from the offsets the plan keeps."""
    marks: list[Mark] = []
    for item in items:
        if item.span_start is None or item.span_end is None:
            continue
        label = f"{item.number} {item.title}".strip()
        marks.append(Mark(item.span_start, item.span_end, "item", item.pk, label))
        passage = text[item.span_start : item.span_end]
        head = passage[:300]
        number = _find_in(head, item.number, item.span_start)
        if number:
            marks.append(Mark(*number, "number", item.pk, _("Number")))
        title = _find_in(head, item.title, item.span_start)
        if title:
            marks.append(Mark(*title, "title", item.pk, _("Title")))
        if item.deadline_span_start is not None and item.deadline_span_end is not None:
            marks.append(
                Mark(
                    item.deadline_span_start,
                    item.deadline_span_end,
                    "deadline",
                    item.pk,
                    _("Deadline: %(text)s") % {"text": item.deadline_text},
                )
            )
        for unit in item.units.all():
            if unit.span_start is None or unit.span_end is None:
                continue
            kind = "lead" if unit.role == UnitRole.LEAD else "cooperating"
            label = _("Lead unit") if kind == "lead" else _("Cooperating unit")
            marks.append(Mark(unit.span_start, unit.span_end, kind, item.pk, label))
            if not unit.is_resolved:
                marks.append(
                    Mark(unit.span_start, unit.span_end, "unresolved", item.pk, _("Unknown unit"))
                )
    for target in targets:
        if target.span_start is not None and target.span_end is not None:
            marks.append(
                Mark(
                    target.span_start,
                    target.span_end,
                    "target",
                    target.item_id,
                    _("Target: %(subject)s") % {"subject": target.subject},
                )
            )
    return marks


def _unit_groups(item: Any) -> dict[str, list[dict[str, Any]]]:
    """An item's units by role; the rows of one collective name (各区) make one entry."""
    groups: dict[str, list[dict[str, Any]]] = {UnitRole.LEAD: [], UnitRole.COOPERATING: []}
    collective: dict[tuple[str, int, str], dict[str, Any]] = {}
    for unit in item.units.all():
        entry: dict[str, Any]
        if unit.is_collective:
            key = (unit.role, unit.group, unit.name)
            if key in collective:
                collective[key]["rows"].append(unit)
                continue
            entry = {"name": unit.name, "rows": [unit], "is_collective": True}
            collective[key] = entry
        else:
            entry = {"name": unit.name, "rows": [unit], "is_collective": False}
        groups.setdefault(unit.role, []).append(entry)
    for entries in groups.values():
        for entry in entries:
            rows = entry["rows"]
            entry["unresolved"] = [row for row in rows if not row.is_resolved]
            entry["departments"] = [row.department for row in rows if row.department_id]
            entry["is_guess"] = any(row.resolution == Resolution.FUZZY for row in rows)
            entry["is_not_department"] = all(
                row.resolution == Resolution.NOT_A_DEPARTMENT for row in rows
            )
            entry["is_main_lead"] = any(row.is_main_lead for row in rows)
    return groups


def _diff_marks(diff: dict[str, Any]) -> dict[str, str]:
    marks: dict[str, str] = {}
    for entry in diff.get("added", []) or []:
        marks[str(entry.get("key", ""))] = "added"
    for entry in diff.get("changed", []) or []:
        marks[str(entry.get("key", ""))] = "changed"
    for key in diff.get("needs_review", []) or []:
        marks.setdefault(str(key), "needs_review")
    return marks


def _cards(review: Any, diff_marks: dict[str, str]) -> list[dict[str, Any]]:
    targets_by_item: dict[int, list[Any]] = {}
    for target in review.targets:
        if target.item_id is not None:
            targets_by_item.setdefault(target.item_id, []).append(target)
    cards = []
    items = list(review.items)
    for index, item in enumerate(items):
        cards.append(
            {
                "item": item,
                "units": _unit_groups(item),
                "targets": targets_by_item.get(item.pk, []),
                "change": diff_marks.get(item.key, ""),
                "next": items[index + 1] if index + 1 < len(items) else None,
            }
        )
    return cards


def _context(request: HttpRequest, plan: Any, **extra: Any) -> dict[str, Any]:
    user: Any = request.user
    review = selectors.plan_review_data(user, plan)
    if review is None:
        raise Http404
    plan = review.plan  # as it is now, after the change just made
    items = list(review.items)
    targets = list(review.targets)
    diff = review.diff or {}
    may_edit = has_role(user, OFFICE_ROLES) and plan.is_editable
    departments = list(departments_visible_to(user).order_by("kind", "name")) if may_edit else []
    unresolved = list(review.unresolved)
    return {
        "plan": plan,
        "version": plan.version,
        "document": plan.document,
        "segments": segments(review.text, _marks(review.text, items, targets)),
        "cards": _cards(review, _diff_marks(diff)),
        "orphan_targets": [target for target in targets if target.item_id is None],
        "unresolved": unresolved,
        "task_count": sum(1 for item in items if item.is_task),
        "confirmed_count": sum(1 for item in items if item.is_task and item.is_confirmed),
        "diff": diff,
        "may_edit": may_edit,
        "may_publish": has_role(user, OFFICE_ROLES),
        "departments": departments,
        "resolve_form": UnitResolveForm(departments=departments),
        "unit_add_form": UnitAddForm(departments=departments),
        "add_form": ItemAddForm(),
        "split_form": ItemSplitForm(),
        **extra,
    }


@staff_required
@require_GET
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The review screen."""
    plan = _plan(request, pk)
    return render(request, "web/plans/review.html", _context(request, plan))


# --- Answers -----------------------------------------------------------------------------------


def _panel(request: HttpRequest, plan: Any, **extra: Any) -> HttpResponse:
    """The whole plan panel (htmx) or back to the page."""
    if is_htmx(request):
        return render(request, "web/plans/_review_panel.html", _context(request, plan, **extra))
    return redirect("web:plans_review", pk=plan.pk)


def _refused(request: HttpRequest, plan: Any, error: DomainError) -> HttpResponse:
    if isinstance(error, PermissionDeniedError):
        raise PermissionDenied(str(error.message)) from error
    if is_htmx(request):
        return _panel(request, plan, error=str(error.message), error_details=error.details)
    messages.error(request, str(error.message))
    return redirect("web:plans_review", pk=plan.pk)


def _item(plan: Any, item_pk: int) -> Any:
    item = next((i for i in plan.items.all() if i.pk == item_pk), None)
    if item is None:
        raise Http404
    return item


def _unit(plan: Any, unit_pk: int) -> Any:
    units = (unit for item in plan.items.prefetch_related("units") for unit in item.units.all())
    unit = next((unit for unit in units if unit.pk == unit_pk), None)
    if unit is None:
        raise Http404
    return unit


def _editor(request: HttpRequest) -> None:
    if not has_role(request.user, OFFICE_ROLES):
        raise PermissionDenied


# --- Forms loaded when opened (htmx) --------------------------------------------------------
# The review screen of a long document has hundreds of items and units; their correction forms
# (with the department list) are fetched when a person opens one, not rendered with the page.


def _form_answer(
    request: HttpRequest, plan: Any, fragment: str, heading: str, **context: Any
) -> HttpResponse:
    departments = list(departments_visible_to(request.user).order_by("kind", "name"))
    context.update(
        {
            "plan": plan,
            "resolve_form": UnitResolveForm(departments=departments),
            "unit_add_form": UnitAddForm(departments=departments),
            "split_form": ItemSplitForm(),
        }
    )
    if is_htmx(request):
        return render(request, fragment, context)
    context.update({"fragment": fragment, "heading": heading})
    return render(request, "web/plans/form_page.html", context)


@staff_required
@require_GET
def item_form(request: HttpRequest, pk: int, item_pk: int, kind: str) -> HttpResponse:
    """The split form or the add-a-unit form of an item."""
    plan = _plan(request, pk)
    _editor(request)
    if kind not in ("split", "unit"):
        raise Http404
    item = _item(plan, item_pk)
    heading = _("Split") if kind == "split" else _("Add a unit")
    return _form_answer(request, plan, "web/plans/_item_forms.html", heading, item=item, kind=kind)


@staff_required
@require_GET
def unit_form(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    """The forms that correct one unit: its department, remove it, make it the main lead."""
    plan = _plan(request, pk)
    _editor(request)
    unit = _unit(plan, unit_pk)
    return _form_answer(request, plan, "web/plans/_unit_forms.html", unit.name, row=unit)


def _target(plan: Any, target_pk: int) -> Any:
    target = next((t for t in plan.targets.all() if t.pk == target_pk), None)
    if target is None:
        raise Http404
    return target


TARGET_FIELDS = ("subject", "comparator", "value", "low", "high", "unit", "year", "indicator_code")


@staff_required
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    """Correct a target: GET gives the form (opened in place), POST saves it."""
    plan = _plan(request, pk)
    _editor(request)
    target = _target(plan, target_pk)
    if request.method == "GET":
        form = TargetForm(initial={name: getattr(target, name) for name in TARGET_FIELDS})
        return _form_answer(
            request,
            plan,
            "web/plans/_target_form.html",
            target.subject,
            target=target,
            target_form=form,
        )
    form = TargetForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else ""
        return _refused(request, plan, DomainError(f"{target.subject} · {label}: {errors[0]}"))
    try:
        services.target_update(actor=request.user, target=target, **form.cleaned_data)
    except DomainError as error:
        return _refused(request, plan, error)
    return _panel(request, plan, focus=target.item_id or "")


@staff_required
@require_POST
def target_remove(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    _editor(request)
    target = _target(plan, target_pk)
    try:
        services.target_remove(actor=request.user, target=target)
    except DomainError as error:
        return _refused(request, plan, error)
    return _panel(request, plan, focus=target.item_id or "")


@staff_required
@require_POST
def target_add(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Add a target the extractor missed to an item."""
    plan = _plan(request, pk)
    _editor(request)
    item = _item(plan, item_pk)
    form = TargetForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else ""
        return _refused(request, plan, DomainError(f"{label}: {errors[0]}"))
    data = {name: value for name, value in form.cleaned_data.items() if name != "indicator_code"}
    try:
        services.target_add(actor=request.user, plan=plan, item=item, **data)
    except DomainError as error:
        return _refused(request, plan, error)
    return _panel(request, plan, focus=item.pk)


# --- Item edits --------------------------------------------------------------------------------


def _item_form(request: HttpRequest, plan: Any, item: Any, form: ItemForm) -> HttpResponse:
    template = "web/plans/_item_form.html" if is_htmx(request) else "web/plans/item_edit.html"
    return render(request, template, {"plan": plan, "item": item, "form": form})


@staff_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Correct an item's fields: GET gives the form in the item's card, POST saves it."""
    plan = _plan(request, pk)
    _editor(request)
    item = _item(plan, item_pk)
    if request.method == "GET":
        form = ItemForm(initial={name: getattr(item, name) for name in EDITABLE_FIELDS})
        form.initial["deadline_kind"] = item.deadline_kind
        return _item_form(request, plan, item, form)
    form = ItemForm(request.POST)
    if not form.is_valid():
        return _item_form(request, plan, item, form)
    changes = {
        name: value
        for name, value in form.cleaned_data.items()
        if getattr(item, name) != value and not (name == "deadline_kind" and value is None)
    }
    if changes:
        try:
            services.item_update(actor=request.user, item=item, **changes)
        except DomainError as error:
            return _refused(request, plan, error)
    return _panel(request, plan, focus=item.pk)


@staff_required
@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    _editor(request)
    form = ItemAddForm(request.POST)
    if not form.is_valid():
        return _refused(request, plan, DomainError(_("Give the new item a title."), field="title"))
    data = form.cleaned_data
    after = _item(plan, data["after"]) if data.get("after") else None
    try:
        item = services.item_add(
            actor=request.user,
            plan=plan,
            title=data["title"],
            body=data["body"],
            number=data["number"],
            after=after,
            deadline_date=data["deadline_date"],
            deadline_text=data["deadline_text"],
        )
    except DomainError as error:
        return _refused(request, plan, error)
    return _panel(request, plan, focus=item.pk)


@staff_required
@require_POST
def item_split(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Split an item where the given words start in its text."""
    plan = _plan(request, pk)
    _editor(request)
    item = _item(plan, item_pk)
    form = ItemSplitForm(request.POST)
    words = form.cleaned_data["starts_with"].strip() if form.is_valid() else ""
    offset = item.body.find(words) if words else -1
    if offset <= 0:
        return _refused(
            request,
            plan,
            DomainError(
                _("Item %(number)s: copy words from the middle of its text to split it there.")
                % {"number": item.number or item.title[:20]},
                field="starts_with",
            ),
        )
    try:
        _first, second = services.item_split(actor=request.user, item=item, offset=offset)
    except DomainError as error:
        return _refused(request, plan, error)
    return _panel(request, plan, focus=second.pk)


@staff_required
@require_POST
def item_merge(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Merge an item with the items picked (or the next one) into the first of them."""
    plan = _plan(request, pk)
    _editor(request)
    item = _item(plan, item_pk)
    others = [_item(plan, int(value)) for value in request.POST.getlist("with") if value.isdigit()]
    if not others:
        return _refused(request, plan, DomainError(_("Pick the item to merge with.")))
    try:
        merged = services.items_merge(actor=request.user, items=[item, *others])
    except DomainError as error:
        return _refused(request, plan, error)
    return _panel(request, plan, focus=merged.pk)


@staff_required
@require_POST
def item_confirm(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    _editor(request)
    item = _item(plan, item_pk)
    try:
        services.item_confirm(
            actor=request.user, item=item, confirmed=request.POST.get("confirmed") != "0"
        )
    except DomainError as error:
        return _refused(request, plan, error)
    return _panel(request, plan, focus=item.pk)


# --- Units -------------------------------------------------------------------------------------


def _department(request: HttpRequest, value: str) -> Any:
    if not value.isdigit():
        return None
    department = departments_visible_to(request.user).filter(pk=int(value)).first()
    if department is None:
        raise Http404
    return department


@staff_required
@require_POST
def unit_resolve(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    """Say which department a name stands for (or that it is no department)."""
    plan = _plan(request, pk)
    _editor(request)
    unit = _unit(plan, unit_pk)
    choice = request.POST.get("department", "")
    if not choice:
        return _refused(
            request,
            plan,
            DomainError(_("%(name)s: pick a department.") % {"name": unit.name}),
        )
    department = (
        None if choice == UnitResolveForm.NOT_A_DEPARTMENT else _department(request, choice)
    )
    try:
        services.unit_resolve(
            actor=request.user,
            unit=unit,
            department=department,
            remember=bool(request.POST.get("remember")),
        )
    except DomainError as error:
        return _refused(request, plan, error)
    return _panel(request, plan, focus=unit.item_id)


@staff_required
@require_POST
def unit_add(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    _editor(request)
    item = _item(plan, item_pk)
    form = UnitAddForm(request.POST, departments=departments_visible_to(request.user))
    if not form.is_valid():
        return _refused(
            request, plan, DomainError(_("Write the unit's name or pick a department."))
        )
    department = _department(request, form.cleaned_data["department"] or "")
    name = form.cleaned_data["name"] or (department.short_name or department.name)
    try:
        services.unit_add(
            actor=request.user,
            item=item,
            role=form.cleaned_data["role"],
            name=name,
            department=department,
        )
    except DomainError as error:
        return _refused(request, plan, error)
    return _panel(request, plan, focus=item.pk)


def _on_unit(request: HttpRequest, pk: int, unit_pk: int, write: Any) -> HttpResponse:
    """Run the unit service ``write`` (remove, make main lead) and show the item again."""
    plan = _plan(request, pk)
    _editor(request)
    unit = _unit(plan, unit_pk)
    try:
        write(actor=request.user, unit=unit)
    except DomainError as error:
        return _refused(request, plan, error)
    return _panel(request, plan, focus=unit.item_id)


@staff_required
@require_POST
def unit_remove(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    return _on_unit(request, pk, unit_pk, services.unit_remove)


@staff_required
@require_POST
def unit_main_lead(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    return _on_unit(request, pk, unit_pk, services.unit_set_main_lead)


# --- The plan as a whole -----------------------------------------------------------------------


@staff_required
@require_POST
def plan_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Confirm (待发布), reopen, publish (creates the tasks) or close the plan."""
    plan = _plan(request, pk)
    _editor(request)
    calls = {
        "confirm": services.plan_confirm,
        "reopen": services.plan_reopen,
        "publish": services.plan_publish,
        "close": services.plan_close,
    }
    call = calls.get(step)
    if call is None:
        raise Http404
    try:
        result = call(actor=request.user, plan=plan)
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error.message)) from error
    except DomainError as error:
        context = _context(
            request, plan, error=str(error.message), error_details=error.details or {}
        )
        return render(request, "web/plans/review.html", context, status=409)
    if step == "publish":
        messages.success(
            request,
            _("The plan is published: %(count)s tasks were assigned to the departments.")
            % {"count": len(result) if isinstance(result, list) else 0},
        )
        return redirect(f"{reverse('web:plans_tasks')}?plan={plan.pk}")
    labels = {
        "confirm": _("The plan is confirmed and waits to be published."),
        "reopen": _("The plan is open for corrections again."),
        "close": _("The plan is closed."),
    }
    messages.success(request, labels[step])
    return redirect("web:plans_review", pk=plan.pk)


urlpatterns: list[URLPattern] = [
    path("plans/<int:pk>/review/", plan_review, name="plans_review"),
    path("plans/<int:pk>/items/add/", item_add, name="plans_item_add"),
    path("plans/<int:pk>/items/<int:item_pk>/edit/", item_edit, name="plans_item_edit"),
    path(
        "plans/<int:pk>/items/<int:item_pk>/forms/<slug:kind>/",
        item_form,
        name="plans_item_form",
    ),
    path("plans/<int:pk>/units/<int:unit_pk>/form/", unit_form, name="plans_unit_form"),
    path("plans/<int:pk>/targets/<int:target_pk>/edit/", target_edit, name="plans_target_edit"),
    path(
        "plans/<int:pk>/targets/<int:target_pk>/remove/",
        target_remove,
        name="plans_target_remove",
    ),
    path("plans/<int:pk>/items/<int:item_pk>/targets/add/", target_add, name="plans_target_add"),
    path("plans/<int:pk>/items/<int:item_pk>/split/", item_split, name="plans_item_split"),
    path("plans/<int:pk>/items/<int:item_pk>/merge/", item_merge, name="plans_item_merge"),
    path("plans/<int:pk>/items/<int:item_pk>/confirm/", item_confirm, name="plans_item_confirm"),
    path("plans/<int:pk>/items/<int:item_pk>/units/add/", unit_add, name="plans_unit_add"),
    path("plans/<int:pk>/units/<int:unit_pk>/resolve/", unit_resolve, name="plans_unit_resolve"),
    path("plans/<int:pk>/units/<int:unit_pk>/remove/", unit_remove, name="plans_unit_remove"),
    path(
        "plans/<int:pk>/units/<int:unit_pk>/main-lead/", unit_main_lead, name="plans_unit_main_lead"
    ),
    path("plans/<int:pk>/<slug:step>/", plan_step, name="plans_step"),
]
