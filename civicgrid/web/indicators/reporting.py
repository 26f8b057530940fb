"""数据填报与审核: what the user must report, the entry form of one data set × unit × period
(save, submit, comment) and the approval queue (approve one level up, or return with a reason).

The entry page is the same for reporter and approver: the selector says what the user may do
(``can_edit``, ``can_submit``, ``can_approve``, ``can_return``); the services refuse anything
else with a Chinese-first message, shown on the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.core.errors import DomainError
from civicgrid.indicators.models import SubmissionStatus
from civicgrid.indicators.selectors import definitions as definition_selectors
from civicgrid.indicators.selectors import reporting as reporting_selectors
from civicgrid.indicators.services import reporting as reporting_services

from .common import indicators_view


def _status_label(status: str) -> str:
    try:
        return str(SubmissionStatus(status).label)
    except ValueError:
        return status


@indicators_view
@require_GET
def reporting(request: HttpRequest) -> HttpResponse:
    """我的填报任务: data sets × units × periods the user must report, with due dates."""
    tasks = [
        {"task": task, "status_label": _status_label(task.status)}
        for task in reporting_selectors.reporting_tasks(request.user)
    ]
    return render(request, "web/indicators/reporting.html", {"tasks": tasks})


@indicators_view
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """待审核: submissions waiting for the user's approval level."""
    queue = reporting_selectors.approval_queue(request.user)
    return render(request, "web/indicators/approvals.html", {"queue": queue})


def _entry_url(data_set_code: str, unit_code: str, period: str) -> str:
    return reverse(
        "web:indicators_entry",
        kwargs={"data_set": data_set_code, "unit_code": unit_code, "period": period},
    )


@indicators_view
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, data_set: str, unit_code: str, period: str) -> HttpResponse:
    """填报表: one data set × unit × period; POST ``action`` = save | submit | approve | return |
    comment."""
    user = request.user
    data_set_object = definition_selectors.data_sets_visible_to(user).filter(code=data_set).first()
    if data_set_object is None:
        raise Http404(_("No such data set."))
    form = reporting_selectors.entry_form(
        user, data_set=data_set_object, unit_code=unit_code, period=period
    )
    if form is None:
        raise Http404(_("No such admin unit in your scope."))
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            done = _act(request, action, data_set_object, form)
        except DomainError as error:
            messages.error(request, str(error.message))
            status = 400
        else:
            if done:
                messages.success(request, done)
                return redirect(_entry_url(data_set, unit_code, period))
        form = reporting_selectors.entry_form(
            user, data_set=data_set_object, unit_code=unit_code, period=period
        )
        if form is None:
            raise Http404(_("No such admin unit in your scope."))
    posted = request.POST if request.method == "POST" else None
    rows = []
    for row in form.rows:
        code = row.element.code
        if posted is not None and status == 400:
            value, comment = posted.get(f"value-{code}", ""), posted.get(f"comment-{code}", "")
        else:
            value, comment = ("" if row.value is None else _plain(row.value)), row.comment
        rows.append({"element": row.element, "value": value, "comment": comment})
    context = {
        "data_set": data_set_object,
        "form": form,
        "rows": rows,
        "period": period,
        "status_label": _status_label(form.status),
    }
    return render(request, "web/indicators/entry.html", context, status=status)


def _plain(value: Any) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _act(request: HttpRequest, action: str, data_set: Any, form: Any) -> str:
    user = request.user
    if action == "save" or action == "submit":
        codes = [row.element.code for row in form.rows]
        values = {code: request.POST.get(f"value-{code}", "") for code in codes}
        comments = {
            code: request.POST.get(f"comment-{code}", "").strip()
            for code in codes
            if request.POST.get(f"comment-{code}", "").strip()
        }
        if form.can_edit:
            submission = reporting_services.values_save(
                actor=user,
                data_set=data_set,
                unit=form.unit,
                period=form.period,
                values=values,
                comments=comments,
            )
        else:
            submission = form.submission
        if action == "save":
            return _("Values saved.")
        if submission is None:
            raise DomainError(_("Enter at least one value before submitting."))
        reporting_services.submission_submit(actor=user, submission=submission)
        return _("Values submitted for approval.")
    submission = form.submission
    if submission is None:
        raise DomainError(_("Nothing has been reported here yet."))
    if action == "approve":
        reporting_services.submission_approve(
            actor=user, submission=submission, note=request.POST.get("note", "").strip()
        )
        return _("Approved.")
    if action == "return":
        reporting_services.submission_return(
            actor=user, submission=submission, reason=request.POST.get("reason", "").strip()
        )
        return _("Returned to the reporter.")
    if action == "comment":
        reporting_services.submission_comment(
            actor=user, submission=submission, text=request.POST.get("text", "").strip()
        )
        return _("Comment added.")
    raise DomainError(_("Unknown action."))
