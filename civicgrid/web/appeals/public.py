"""Public appeal pages (市民端), no account needed: submit an appeal on the web, follow it with
its number and query code, and rate the reply.

Submissions are rate limited per client address (cache counter, see :mod:`.common`); a form
carries an idempotency key, so submitting it twice registers one appeal and shows the same
number and query code both times.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.appeals import services
from civicgrid.appeals.models import Appeal, AppealStatus, Channel
from civicgrid.appeals.selectors import appeal_for_citizen
from civicgrid.appeals.selectors.attachments import attachments_of
from civicgrid.appeals.selectors.replies import reply_for_citizen
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError

from ..forms import AppealRateForm, AppealSubmitForm, AppealTrackForm
from . import attachments, common, duplicates

RECEIPT_SECONDS = 600  # how long a double submit still shows the query code


def _receipt_key(request: HttpRequest, idempotency_key: str) -> str:
    """The receipt of a submission, for a double submit from the same form and address."""
    return f"civicgrid:appeal-receipt:{common.client_ip(request)}:{idempotency_key}"


def add_domain_error(form: Any, error: DomainError) -> None:
    """Put a service's message on the form field it names (or on the form as a whole)."""
    field = error.field if error.field in form.fields else None
    if error.field == "location":
        field = None
    form.add_error(field, str(error.message))


@require_http_methods(["GET", "POST"])
def appeal_new(request: HttpRequest) -> HttpResponse:
    """网上提交诉求: the public form; after submitting, the number and query code."""
    if request.method != "POST":
        form = AppealSubmitForm(initial={"idempotency_key": uuid.uuid4().hex})
        return render(request, "web/public/appeal_new.html", {"form": form})
    if common.limit_reached(request, "submit", common.submit_limit()):
        return _too_many(request)
    form = AppealSubmitForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        # Namespaced so a public form can never name a key given out elsewhere.
        key = f"web:{data['idempotency_key']}"
        try:
            # Every file is checked before anything is created: one bad file refuses all.
            files = services.attachments_check(data["attachments"])
            appeal, query_code = services.appeal_accept_with_files(
                files=files,
                is_from_citizen=True,
                actor=None,
                channel=Channel.WEB,
                appeal_type=data["appeal_type"],
                title=data["title"],
                text=data["text"],
                address=data["address"],
                lon=data["lon"],
                lat=data["lat"],
                citizen_name=data["citizen_name"],
                citizen_phone=data["citizen_phone"],
                is_confidential=data["is_confidential"],
                is_public_consent=data["is_public_consent"],
                idempotency_key=key,
                citizen=request.user if request.user.is_authenticated else None,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if query_code is not None:
                common.count_one(request, "submit")
                cache.set(_receipt_key(request, key), query_code, RECEIPT_SECONDS)
            else:
                query_code = cache.get(_receipt_key(request, key))
            attachments.remember_tracked(request, appeal)
            return render(
                request,
                "web/public/appeal_submitted.html",
                {"appeal": appeal, "query_code": query_code},
            )
    return render(request, "web/public/appeal_new.html", {"form": form}, status=400)


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/public/rate_limited.html",
        {"minutes": common.WINDOW_SECONDS // 60},
        status=429,
    )


def _wrong_number_or_code(request: HttpRequest, form: AppealTrackForm) -> HttpResponse:
    """The one answer for an unknown number and a wrong code (counted against guessing)."""
    common.count_one(request, "lookup-failure")
    form.is_valid()
    form.add_error(None, _("The appeal number or query code is wrong."))
    return render(request, "web/public/appeal_track.html", {"form": form}, status=404)


def _track_context(appeal: Appeal, query_code: str) -> dict[str, Any]:
    events = list(appeal.events.select_related("department").order_by("at", "id"))
    context: dict[str, Any] = {
        "appeal": appeal,
        "timeline": common.timeline_rows(events, for_citizen=True),
        "light": common.light_of(appeal),
        "citizen_reply": reply_for_citizen(appeal),  # none while the reply is under review
        "attachments": attachments_of(appeal, citizen_view=True),
        "attachments_citizen_view": True,
    }
    if appeal.status == AppealStatus.REPLIED:
        context["rate_form"] = AppealRateForm(
            initial={"number": appeal.number, "query_code": query_code}
        )
    context.update(duplicates.merged_track_context(appeal, query_code))
    return context


@require_http_methods(["GET", "POST"])
def appeal_track(request: HttpRequest) -> HttpResponse:
    """诉求查询: number + query code → status, timeline, deadline, reply (and rating)."""
    data = request.POST if request.method == "POST" else None
    form = AppealTrackForm(data)
    context: dict[str, Any] = {"form": form}
    if form.is_bound:
        if common.limit_reached(request, "lookup-failure", common.lookup_failure_limit()):
            return _too_many(request)
        if form.is_valid():
            appeal = appeal_for_citizen(
                form.cleaned_data["number"], form.cleaned_data["query_code"]
            )
            if appeal is None:
                return _wrong_number_or_code(request, form)
            attachments.remember_tracked(request, appeal)
            context.update(_track_context(appeal, form.cleaned_data["query_code"]))
    return render(request, "web/public/appeal_track.html", context)


@require_POST
def appeal_rate(request: HttpRequest) -> HttpResponse:
    """评价答复: the citizen's rating; 不满意 may ask for the appeal to be handled again."""
    rate_form = AppealRateForm(request.POST)
    track_form = AppealTrackForm(request.POST)
    context: dict[str, Any] = {"form": track_form}
    if common.limit_reached(request, "lookup-failure", common.lookup_failure_limit()):
        return _too_many(request)
    number = request.POST.get("number", "")
    query_code = request.POST.get("query_code", "")
    appeal = appeal_for_citizen(number, query_code)
    if appeal is None:
        return _wrong_number_or_code(request, track_form)
    attachments.remember_tracked(request, appeal)
    status = 200
    if rate_form.is_valid():
        data = rate_form.cleaned_data
        try:
            appeal = services.appeal_rate_by_citizen(
                number=number,
                query_code=query_code,
                satisfaction=data["satisfaction"],
                comment=data["comment"],
                reopen=data["reopen"],
            )
        except PermissionDeniedError:
            return _wrong_number_or_code(request, track_form)
        except ConflictError as error:
            context["conflict"] = str(error.message)
            status = 409
        except DomainError as error:
            add_domain_error(rate_form, error)
            status = 400
        else:
            context.update(_track_context(appeal, query_code))
            context["rated"] = True
            return render(request, "web/public/appeal_track.html", context)
    else:
        status = 400
    appeal.refresh_from_db()
    context.update(_track_context(appeal, query_code))
    if "rate_form" in context:
        context["rate_form"] = rate_form
    if "merged_rate_form" in context:
        context["merged_rate_form"] = rate_form
    return render(request, "web/public/appeal_track.html", context, status=status)
