"""Registry endpoints (一库共享): persons and legal entities, masked unless the reader is entitled
and states a purpose; figures by admin unit.

The same gatekeeper as the pages decides (:mod:`civicgrid.registry.selectors.access`). ID
numbers never travel in a URL (server logs, proxies): they are looked up with
``POST /api/registry/persons/lookup/``, and a list query with one is refused.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from civicgrid.core.errors import NotFoundError, PermissionDeniedError
from civicgrid.registry.selectors import access as gate
from civicgrid.registry.selectors import figures as figures_selectors
from civicgrid.registry.selectors import people as selectors
from civicgrid.registry.services import access as services

from ..base import ScopedAPIView
from ..registry_serializers import (
    EntityDetailSerializer,
    EntityListItemSerializer,
    EntityListQuerySerializer,
    FiguresQuerySerializer,
    FiguresSerializer,
    PersonDetailSerializer,
    PersonListItemSerializer,
    PersonListQuerySerializer,
    PersonLookupSerializer,
    PersonRevealSerializer,
    ResidentsByUnitQuerySerializer,
    RevealedValuesSerializer,
)
from ..serializers import ErrorSerializer
from .territory import ERRORS, NOT_FOUND, parse_query

FORBIDDEN = {403: OpenApiResponse(ErrorSerializer, description="You may not see this data.")}


class RegistryLookupThrottle(UserRateThrottle):
    """Per user: ID-number lookups are for finding a person, not for enumerating numbers."""

    scope = "registry_lookup"
    rate = "300/minute"


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDeniedError(_("You may not see this part of the registry."))


def _person_or_404(user: Any, pk: int) -> Any:
    person = selectors.person_visible(user, pk)
    if person is None:
        raise NotFoundError(_("No such person in your scope."))
    return person


class PersonListView(ScopedAPIView):
    """人口列表: persons placed in a unit (``grid``) or found by name, masked per field access."""

    serializer_class = PersonListItemSerializer

    @extend_schema(
        operation_id="registry_persons_list",
        tags=["registry"],
        parameters=[PersonListQuerySerializer],
        responses={200: PersonListItemSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        _require(gate.registry_access(request.user).may_list_persons)
        params = parse_query(PersonListQuerySerializer, request)
        persons = selectors.persons_search(
            request.user,
            query=params.get("q") or "",
            unit_code=params.get("grid") or "",
            residence_status=params.get("status") or "",
        )
        page = self.paginate_queryset(persons)
        rows = selectors.person_rows(request.user, page or [])
        return self.get_paginated_response(PersonListItemSerializer(rows, many=True).data)


class PersonLookupView(ScopedAPIView):
    """按身份证号查询: one index probe on the keyed hash; 404 when not found in your scope."""

    serializer_class = PersonLookupSerializer
    throttle_classes = [RegistryLookupThrottle]

    @extend_schema(
        operation_id="registry_persons_lookup",
        tags=["registry"],
        request=PersonLookupSerializer,
        responses={200: PersonListItemSerializer, **ERRORS, **NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        _require(gate.registry_access(request.user).person_access("id_number") != gate.HIDDEN)
        serializer = PersonLookupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = selectors.person_by_id_number(request.user, serializer.validated_data["id_number"])
        if person is None:
            raise NotFoundError(_("No such person in your scope."))
        rows = selectors.person_rows(request.user, [person])
        return Response(PersonListItemSerializer(rows[0]).data)


class PersonDetailView(ScopedAPIView):
    """人口详情: every visible field with its value (masked as for the pages), source and time."""

    serializer_class = PersonDetailSerializer

    @extend_schema(
        operation_id="registry_persons_retrieve",
        tags=["registry"],
        responses={200: PersonDetailSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        _require(gate.registry_access(request.user).may_list_persons)
        detail = selectors.person_detail(request.user, pk)
        if detail is None:
            raise NotFoundError(_("No such person in your scope."))
        return Response(PersonDetailSerializer(detail).data)


class PersonRevealView(ScopedAPIView):
    """查看完整信息: plain values of revealable fields, for an entitled reader with a purpose;
    always written to the audit trail."""

    serializer_class = PersonRevealSerializer

    @extend_schema(
        operation_id="registry_persons_reveal",
        tags=["registry"],
        request=PersonRevealSerializer,
        responses={200: RevealedValuesSerializer, **ERRORS, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        person = _person_or_404(request.user, pk)
        serializer = PersonRevealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = services.person_reveal(
            actor=request.user,
            person=person,
            fields=serializer.validated_data["fields"],
            purpose=serializer.validated_data["purpose"],
        )
        return Response({"values": values})


class EntityListView(ScopedAPIView):
    """法人列表."""

    serializer_class = EntityListItemSerializer

    @extend_schema(
        operation_id="registry_entities_list",
        tags=["registry"],
        parameters=[EntityListQuerySerializer],
        responses={200: EntityListItemSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        _require(gate.registry_access(request.user).may_list_entities)
        params = parse_query(EntityListQuerySerializer, request)
        entities = selectors.entities_search(
            request.user,
            query=params.get("q") or "",
            unit_code=params.get("grid") or "",
            kind=params.get("kind") or "",
        )
        page = self.paginate_queryset(entities)
        rows = selectors.entity_rows(request.user, page or [])
        return self.get_paginated_response(EntityListItemSerializer(rows, many=True).data)


class EntityDetailView(ScopedAPIView):
    serializer_class = EntityDetailSerializer

    @extend_schema(
        operation_id="registry_entities_retrieve",
        tags=["registry"],
        responses={200: EntityDetailSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        _require(gate.registry_access(request.user).may_list_entities)
        detail = selectors.entity_detail(request.user, pk)
        if detail is None:
            raise NotFoundError(_("No such legal entity in your scope."))
        return Response(EntityDetailSerializer(detail).data)


class FiguresView(ScopedAPIView):
    """人口统计: counts per child unit of ``unit`` as at the end of ``period``."""

    serializer_class = FiguresSerializer

    @extend_schema(
        operation_id="registry_figures",
        tags=["registry"],
        parameters=[FiguresQuerySerializer],
        responses={200: FiguresSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        _require(gate.registry_access(request.user).may_see_figures)
        params = parse_query(FiguresQuerySerializer, request)
        on = figures_selectors.period_end(params["period"]) if params.get("period") else None
        table = figures_selectors.figures_visible_to(
            request.user, parent_code=params.get("unit") or None, on=on
        )
        if table is None:
            raise NotFoundError(_("No such admin unit in your scope."))
        return Response(FiguresSerializer(table).data)


class ResidentsByUnitView(ScopedAPIView):
    """Living residents per unit of a level (grids by default) by residence status."""

    @extend_schema(
        operation_id="registry_residents_by_unit",
        tags=["registry"],
        parameters=[ResidentsByUnitQuerySerializer],
        responses={200: OpenApiResponse(description="{code: {status: count, total: count}}")},
    )
    def get(self, request: Request) -> Response:
        _require(gate.registry_access(request.user).may_see_figures)
        params = parse_query(ResidentsByUnitQuerySerializer, request)
        counts = figures_selectors.residents_by_unit(
            request.user, level=params["level"], parent_code=params.get("unit") or None
        )
        if counts is None:
            raise NotFoundError(_("No such admin unit in your scope."))
        return Response(counts)
