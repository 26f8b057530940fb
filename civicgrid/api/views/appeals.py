"""Appeal endpoints (诉求/工单): list, detail, staff intake and one POST per workflow step.

Every read starts from :func:`civicgrid.appeals.selectors.appeals_visible_to`; an appeal the
actor may not see is answered 404, whatever the action. Each step calls its service with the
caller's ``expected_version``: a stale version or an illegal move is a 409, a missing right a
403, in the consistent error body.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response

from civicgrid.accounts.models import Role
from civicgrid.accounts.selectors import departments_visible_to
from civicgrid.appeals import clock, services
from civicgrid.appeals.models import (
    Appeal,
    AppealEvent,
    AppealStatus,
    Assignment,
    Category,
)
from civicgrid.appeals.selectors import appeals_visible_to
from civicgrid.appeals.selectors.lights import deadline_lights, light_conditions, light_thresholds
from civicgrid.core.errors import DomainError, NotFoundError
from civicgrid.territory.models import Department

from ..appeal_serializers import (
    AppealCreatedSerializer,
    AppealCreateSerializer,
    AppealDetailSerializer,
    AppealListQuerySerializer,
    AppealRevealSerializer,
    AppealSerializer,
    DispatchSerializer,
    FollowUpActionSerializer,
    ReasonActionSerializer,
    ReplyActionSerializer,
    ReplyApproveSerializer,
    VersionedActionSerializer,
    represent,
)
from ..authentication import KeptTokenAuthentication
from ..base import ScopedAPIView
from ..serializers import ErrorSerializer, RevealRequestSerializer
from .territory import ERRORS, NOT_FOUND, parse_query

CONFLICT = {
    409: OpenApiResponse(
        ErrorSerializer,
        description="`version_conflict`: someone changed the appeal since you read it; "
        "`illegal_transition`: the step is not possible in the current status.",
    )
}
FORBIDDEN = {403: OpenApiResponse(ErrorSerializer, description="You may not take this step.")}


def today() -> dt.date:
    return clock.today()


def appeal_or_404(actor: Any, number: str) -> Appeal:
    """The appeal ``number`` if ``actor`` may see it (same 404 for unknown and invisible)."""
    # A NUL character cannot be in a number (and PostgreSQL refuses it in a query).
    appeal = None if "\x00" in number else appeals_visible_to(actor).filter(number=number).first()
    if appeal is None:
        raise NotFoundError(_("No such appeal in your scope."))
    return appeal


def _with_details(appeals: QuerySet[Appeal]) -> QuerySet[Appeal]:
    return appeals.prefetch_related(
        Prefetch("assignments", Assignment.objects.select_related("department")),
        Prefetch("events", AppealEvent.objects.select_related("actor", "department")),
    )


def _running_deadline_q(condition: Callable[[str], Q]) -> Q:
    """Appeals whose running deadline (sign-for when dispatched, handling when accepted or
    signed) meets ``condition(field)``; the same choice as deadline_light()."""
    return Q(status=AppealStatus.DISPATCHED) & condition("sign_for_deadline") | Q(
        status__in=[AppealStatus.ACCEPTED, AppealStatus.SIGNED]
    ) & condition("handling_deadline")


def filter_by_light(appeals: QuerySet[Appeal], light: str, on: dt.date) -> QuerySet[Appeal]:
    """红黄灯 as a database filter, the same rule as :func:`deadline_light` (the administrators'
    yellow-light setting, one calendar call); any other value: appeals without a running
    deadline."""
    conditions = light_conditions(light_thresholds(on))
    if light in conditions:
        return appeals.filter(conditions[light])
    return appeals.exclude(_running_deadline_q(lambda f: Q(**{f"{f}__isnull": False})))


def lights_of(appeals: list[Appeal]) -> dict[int, str]:
    return deadline_lights(appeals, today())  # one settings read and one calendar call


def detail_response(
    appeal: Appeal, *, status: int = 200, actor: Any = None, reload: bool = True, **extra: Any
) -> Response:
    """The detail body of ``appeal``, read again with its relations unless ``reload`` is False
    (an appeal that comes straight from a service with everything the body shows in hand)."""
    if reload:
        appeal = _with_details(Appeal.objects.filter(pk=appeal.pk)).select_related(
            "category", "lead_department", "admin_unit"
        )[0]
    serializer_class = AppealCreatedSerializer if "query_code" in extra else AppealDetailSerializer
    for name, value in extra.items():
        setattr(appeal, name, value)
    citizen_view = bool(
        actor is not None and getattr(actor, "role", "") == Role.CITIZEN and not actor.is_superuser
    )
    context = {"lights": lights_of([appeal]), "citizen_view": citizen_view}
    return Response(represent(serializer_class, appeal, context), status=status)


def validated(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class AppealListView(ScopedAPIView):
    """诉求列表: the appeals the actor may see, newest first; citizen data masked.

    The busiest endpoint (intake from every hotline seat and grid worker): an accepted token's
    user is kept for a few seconds (:class:`~civicgrid.api.authentication.KeptTokenAuthentication`).
    """

    authentication_classes = [KeptTokenAuthentication, SessionAuthentication]
    serializer_class = AppealSerializer

    def get_queryset(self) -> QuerySet[Appeal]:
        params = parse_query(AppealListQuerySerializer, self.request)
        appeals = appeals_visible_to(self.request.user)
        if params.get("status"):
            appeals = appeals.filter(status=params["status"])
        if params.get("type"):
            appeals = appeals.filter(appeal_type=params["type"])
        if params.get("channel"):
            appeals = appeals.filter(channel=params["channel"])
        if params.get("light"):
            appeals = filter_by_light(appeals, params["light"], today())
        return appeals.order_by("-created_at", "-id")

    @extend_schema(
        operation_id="appeals_list",
        tags=["appeals"],
        parameters=[AppealListQuerySerializer],
        responses={200: AppealSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        data = AppealSerializer(page, many=True, context={"lights": lights_of(page)}).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="appeals_create",
        tags=["appeals"],
        request=AppealCreateSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Repeat a submission safely: the same key returns the same appeal "
                "(200, query_code null) instead of registering it twice.",
            )
        ],
        responses={
            201: AppealCreatedSerializer,
            200: OpenApiResponse(AppealCreatedSerializer, description="Seen key: same appeal."),
            **ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        """受理: register an appeal from the hotline or a grid worker."""
        values = validated(AppealCreateSerializer, request)
        category = None
        if values.get("category"):
            category = Category.objects.filter(code=values["category"]).first()
            if category is None:
                raise DomainError(_("Unknown category."), code="invalid", field="category")
        key = (request.headers.get("Idempotency-Key") or "").strip() or None
        appeal, query_code = services.appeal_accept(
            actor=request.user,
            channel=values["channel"],
            appeal_type=values["appeal_type"],
            title=values["title"],
            text=values["text"],
            category=category,
            lon=values.get("lon"),
            lat=values.get("lat"),
            address=values.get("address", ""),
            citizen_name=values.get("citizen_name", ""),
            citizen_phone=values.get("citizen_phone", ""),
            is_confidential=values["is_confidential"],
            urgency=values["urgency"],
            idempotency_key=key,
        )
        if (
            query_code is None
            and not appeals_visible_to(request.user).filter(pk=appeal.pk).exists()
        ):
            # A reused key of somebody else's appeal must not show it.
            raise NotFoundError(_("No such appeal in your scope."))
        # A new appeal that was not dispatched comes back with its timeline and (no)
        # assignments known: the body is built from it without reading it back.
        is_new_and_waiting = query_code is not None and appeal.status == AppealStatus.ACCEPTED
        return detail_response(
            appeal,
            status=201 if query_code else 200,
            reload=not is_new_and_waiting,
            query_code=query_code,
        )


class AppealDetailView(ScopedAPIView):
    serializer_class = AppealDetailSerializer

    @extend_schema(
        operation_id="appeals_retrieve",
        tags=["appeals"],
        responses={200: AppealDetailSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, number: str) -> Response:
        """诉求详情: timeline (办理过程), assignments, deadlines and light."""
        return detail_response(appeal_or_404(request.user, number), actor=request.user)


def _departments(actor: Any, codes: list[str], field: str) -> list[Department]:
    """Departments by code, each of which the actor may see; names the first unknown code."""
    found = {dep.code: dep for dep in departments_visible_to(actor).filter(code__in=codes)}
    for code in codes:
        if code not in found:
            raise DomainError(
                _("Unknown department %(code)s.") % {"code": code}, code="invalid", field=field
            )
    return [found[code] for code in codes]


def _dispatch(actor: Any, appeal: Appeal, values: dict[str, Any]) -> Appeal:
    (lead,) = _departments(actor, [values["department"]], "department")
    cooperating = _departments(actor, list(dict.fromkeys(values["cooperating"])), "cooperating")
    return services.appeal_dispatch(
        actor=actor,
        appeal=appeal,
        expected_version=values["expected_version"],
        department=lead,
        cooperating=cooperating,
        note=values["note"],
    )


def _step(
    service: Callable[..., Appeal], *names: str
) -> Callable[[Any, Appeal, dict[str, Any]], Appeal]:
    def run(actor: Any, appeal: Appeal, values: dict[str, Any]) -> Appeal:
        return service(
            actor=actor,
            appeal=appeal,
            expected_version=values["expected_version"],
            **{name: values[name] for name in names},
        )

    return run


# action → (request serializer, runner, summary)
ACTIONS: dict[str, tuple[type[serializers.Serializer], Callable[..., Appeal], str]] = {
    "dispatch": (DispatchSerializer, _dispatch, "派单: send to a lead department."),
    "sign-for": (
        VersionedActionSerializer,
        _step(services.appeal_sign_for),
        "签收: the lead department acknowledges the appeal.",
    ),
    "return": (
        ReasonActionSerializer,
        _step(services.appeal_return, "reason"),
        "退单: the lead department sends it back to the dispatcher.",
    ),
    "reply": (
        ReplyActionSerializer,
        _step(services.appeal_reply, "reply"),
        "答复: the lead department answers.",
    ),
    "reply-approve": (
        ReplyApproveSerializer,
        _step(services.appeal_reply_approve, "reply"),
        "审核通过: the reviewer lets the reply reach the citizen (optionally edited).",
    ),
    "reply-reject": (
        ReasonActionSerializer,
        _step(services.appeal_reply_reject, "reason"),
        "审核退回: the reviewer sends the reply back to the department with a reason.",
    ),
    "follow-up": (
        FollowUpActionSerializer,
        _step(services.appeal_follow_up, "satisfaction", "note"),
        "回访: record the citizen's satisfaction.",
    ),
    "close": (VersionedActionSerializer, _step(services.appeal_close), "办结: close the appeal."),
    "reopen": (
        ReasonActionSerializer,
        _step(services.appeal_reopen, "reason"),
        "重办: back to the lead department.",
    ),
    "cancel": (
        ReasonActionSerializer,
        _step(services.appeal_cancel, "reason"),
        "作废: cancel an invalid appeal.",
    ),
    "suspend": (
        ReasonActionSerializer,
        _step(services.appeal_suspend, "reason"),
        "挂起: stop the handling clock of a signed appeal.",
    ),
    "resume": (
        VersionedActionSerializer,
        _step(services.appeal_resume),
        "恢复办理: restart the clock; the working days suspended extend the deadline.",
    ),
}


def action_view(action: str) -> type[ScopedAPIView]:
    """A POST-only view for one workflow step (one OpenAPI operation each)."""
    request_serializer, runner, summary = ACTIONS[action]

    class AppealActionView(ScopedAPIView):
        serializer_class = request_serializer

        @extend_schema(
            operation_id=f"appeals_{action.replace('-', '_')}",
            tags=["appeals"],
            summary=summary,
            request=request_serializer,
            responses={200: AppealDetailSerializer, **ERRORS, **FORBIDDEN, **NOT_FOUND, **CONFLICT},
        )
        def post(self, request: Request, number: str) -> Response:
            appeal = appeal_or_404(request.user, number)
            values = validated(request_serializer, request)
            return detail_response(runner(request.user, appeal, values), actor=request.user)

    AppealActionView.__name__ = AppealActionView.__qualname__ = (
        "Appeal" + action.title().replace("-", "") + "View"
    )
    return AppealActionView


class AppealRevealView(ScopedAPIView):
    """查看完整联系方式: the citizen's name and phone in full, with a purpose (audited)."""

    serializer_class = RevealRequestSerializer

    @extend_schema(
        operation_id="appeals_reveal",
        tags=["appeals"],
        request=RevealRequestSerializer,
        responses={200: AppealRevealSerializer, **ERRORS, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request, number: str) -> Response:
        appeal = appeal_or_404(request.user, number)
        values = validated(RevealRequestSerializer, request)
        revealed = services.appeal_reveal_citizen(
            actor=request.user, appeal=appeal, purpose=values["purpose"]
        )
        return Response(AppealRevealSerializer(revealed).data)
