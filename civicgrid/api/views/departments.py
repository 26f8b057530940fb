"""Department endpoints (部门): list with search and detail, scoped by departments_visible_to."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from civicgrid.accounts.selectors import departments_visible_to
from civicgrid.core.errors import NotFoundError

from ..base import ScopedAPIView
from ..serializers import (
    DepartmentDetailSerializer,
    DepartmentListQuerySerializer,
    DepartmentSerializer,
)
from .territory import ERRORS, NOT_FOUND, parse_query


class DepartmentListView(ScopedAPIView):
    serializer_class = DepartmentSerializer

    def get_queryset(self) -> Any:
        params = parse_query(DepartmentListQuerySerializer, self.request)
        departments = departments_visible_to(
            self.request.user, search=params.get("q") or ""
        ).order_by("admin_unit__code", "code")
        if params.get("unit"):
            departments = departments.filter(admin_unit__code=params["unit"])
        return departments

    @extend_schema(
        operation_id="departments_list",
        tags=["departments"],
        parameters=[DepartmentListQuerySerializer],
        responses={200: DepartmentSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DepartmentSerializer(page, many=True).data)


class DepartmentDetailView(ScopedAPIView):
    serializer_class = DepartmentDetailSerializer

    @extend_schema(
        operation_id="departments_retrieve",
        tags=["departments"],
        responses={200: DepartmentDetailSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, code: str) -> Response:
        department = (
            departments_visible_to(request.user)
            .select_related("parent")
            .prefetch_related("aliases")
            .filter(code=code)
            .first()
        )
        if department is None:
            raise NotFoundError(_("No such department in your scope."))
        return Response(DepartmentDetailSerializer(department).data)
