"""Territory endpoints: admin units as list / detail / tree, GeoJSON for the map, point → grid."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.db.models import F, TextField
from django.db.models.functions import Cast
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from civicgrid.accounts.selectors import (
    root_units_visible_to,
    unit_breadcrumb,
    unit_visible_to,
    units_visible_to,
)
from civicgrid.core.errors import NotFoundError
from civicgrid.territory.models import CODE_LENGTH, LEVEL_ORDER, AdminLevel
from civicgrid.territory.selectors import locate_point

from ..base import ScopedAPIView
from ..serializers import (
    ErrorSerializer,
    GeoJSONFeatureCollectionSerializer,
    GeoJSONQuerySerializer,
    LocateQuerySerializer,
    LocateSerializer,
    TreeNodeSerializer,
    TreeQuerySerializer,
    UnitDetailSerializer,
    UnitListQuerySerializer,
    UnitListSerializer,
)

LEVEL_BY_CODE_LENGTH = {length: level for level, length in CODE_LENGTH.items()}
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad parameter (named in `fields`)."),
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed."),
}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="Not found or not in your scope.")}


def child_level(level: str) -> str:
    """The level one below ``level`` (a grid has no children: the grid level itself)."""
    index = LEVEL_ORDER.index(AdminLevel(level))
    return str(LEVEL_ORDER[min(index + 1, len(LEVEL_ORDER) - 1)])


def default_root_code(user: Any) -> str | None:
    """The top of the user's visible tree: their scope unit, or the city for city-wide users."""
    return root_units_visible_to(user).order_by("code").values_list("code", flat=True).first()


def unit_not_found() -> NotFoundError:
    return NotFoundError(_("No such admin unit in your scope."), code="not_found")


def parse_query(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class TerritoryGeoJSONView(ScopedAPIView):
    """GeoJSON FeatureCollection of the visible units of one level inside an area (for the map).

    One query; the stored boundary JSON is passed through as text, never parsed.
    """

    @extend_schema(
        operation_id="territory_geojson",
        tags=["territory"],
        parameters=[GeoJSONQuerySerializer],
        responses={
            200: OpenApiResponse(GeoJSONFeatureCollectionSerializer, description="GeoJSON."),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> HttpResponse:
        params = parse_query(GeoJSONQuerySerializer, request)
        within = params.get("within") or default_root_code(request.user)
        level = params.get("level")
        if level is None and within:
            within_level = LEVEL_BY_CODE_LENGTH.get(len(within))
            level = child_level(within_level) if within_level else None
        rows = (
            units_visible_to(request.user)
            .filter(boundary__isnull=False)
            .order_by("code")
            .annotate(boundary_text=Cast("boundary", TextField()), parent_code=F("parent__code"))
        )
        rows = rows.filter(code__startswith=within) if within else rows.none()
        if level:
            rows = rows.filter(level=level)
        values = rows.values_list(
            "code", "name", "level", "parent_code", "is_demo_geometry", "boundary_text"
        )
        parts = []
        for code, name, unit_level, parent_code, is_demo, boundary_text in values:
            properties = json.dumps(
                {
                    "code": code,
                    "name": name,
                    "level": unit_level,
                    "parent_code": parent_code,
                    "is_demo_geometry": is_demo,
                },
                ensure_ascii=False,
            )
            parts.append(
                '{"type":"Feature","id":'
                + json.dumps(code)
                + ',"geometry":'
                + boundary_text
                + ',"properties":'
                + properties
                + "}"
            )
        body = '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"
        return HttpResponse(body, content_type="application/geo+json; charset=utf-8")


class TerritoryLocateView(ScopedAPIView):
    """点位定位: which district, street, community and grid a point lies in."""

    @extend_schema(
        operation_id="territory_locate",
        tags=["territory"],
        parameters=[LocateQuerySerializer],
        responses={
            200: LocateSerializer,
            **ERRORS,
            404: OpenApiResponse(
                ErrorSerializer,
                description="`outside_city`: not inside any grid of the city; "
                "`outside_scope`: inside a grid you may not see.",
            ),
        },
    )
    def get(self, request: Request) -> Response:
        params = parse_query(LocateQuerySerializer, request)
        lon, lat = params["lon"], params["lat"]
        result = locate_point(lon, lat)
        if result is None:
            raise NotFoundError(
                _("The point is outside the city: it lies in no grid."), code="outside_city"
            )
        # The smallest unit found: the grid wherever grids have boundaries.
        grid = unit_visible_to(request.user, result.unit.code)
        if grid is None:
            raise NotFoundError(
                _("The point lies outside your area of responsibility."), code="outside_scope"
            )
        chain = {unit.level: unit for unit in unit_breadcrumb(request.user, grid)}

        def ref(level: str) -> dict[str, str] | None:
            unit = chain.get(level)
            return {"code": unit.code, "name": unit.name} if unit else None

        data = {
            "district": ref(AdminLevel.DISTRICT),
            "street": ref(AdminLevel.STREET),
            "community": ref(AdminLevel.COMMUNITY),
            "grid": ref(AdminLevel.GRID),
            "lon": lon,
            "lat": lat,
        }
        return Response(LocateSerializer(data).data)


class UnitListView(ScopedAPIView):
    """行政区划列表: visible admin units, without boundaries."""

    serializer_class = UnitListSerializer

    def get_queryset(self) -> Any:
        params = parse_query(UnitListQuerySerializer, self.request)
        units = (
            units_visible_to(self.request.user, search=params.get("q") or "")
            .defer("boundary")
            .annotate(parent_code=F("parent__code"))
            .order_by("code")
        )
        if params.get("level"):
            units = units.filter(level=params["level"])
        if params.get("parent"):
            units = units.filter(parent__code=params["parent"])
        return units

    @extend_schema(
        operation_id="territory_units_list",
        tags=["territory"],
        parameters=[UnitListQuerySerializer],
        responses={200: UnitListSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(UnitListSerializer(page, many=True).data)


class UnitDetailView(ScopedAPIView):
    """One admin unit with boundary, breadcrumb and visible children."""

    serializer_class = UnitDetailSerializer

    @extend_schema(
        operation_id="territory_units_retrieve",
        tags=["territory"],
        responses={200: UnitDetailSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, code: str) -> Response:
        unit = unit_visible_to(request.user, code)
        if unit is None:
            raise unit_not_found()
        children = (
            units_visible_to(request.user)
            .filter(parent=unit)
            .defer("boundary")
            .annotate(parent_code=F("parent__code"))
            .order_by("code")
        )
        data = {
            "code": unit.code,
            "name": unit.name,
            "level": unit.level,
            "parent_code": unit.parent.code if unit.parent else None,
            "centroid_lon": unit.centroid_lon,
            "centroid_lat": unit.centroid_lat,
            "is_demo_geometry": unit.is_demo_geometry,
            "boundary": unit.boundary,
            "breadcrumb": unit_breadcrumb(request.user, unit),
            "children": list(children),
        }
        return Response(UnitDetailSerializer(data).data)


class UnitTreeView(ScopedAPIView):
    """区划树: the visible units below a root, nested, at most three levels deep."""

    @extend_schema(
        operation_id="territory_tree",
        tags=["territory"],
        parameters=[TreeQuerySerializer],
        responses={200: TreeNodeSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        params = parse_query(TreeQuerySerializer, request)
        root_code = params.get("root") or default_root_code(request.user)
        root = unit_visible_to(request.user, root_code) if root_code else None
        if root is None:
            raise unit_not_found()
        root_index = LEVEL_ORDER.index(AdminLevel(root.level))
        below = LEVEL_ORDER[root_index + 1 : root_index + 1 + params["depth"]]
        levels = [str(level) for level in below]
        descendants = (
            units_visible_to(request.user)
            .filter(code__startswith=root.code, level__in=levels)
            .order_by("code")
            .values("id", "parent_id", "code", "name", "level")
        )
        children_of: dict[int, list[Any]] = defaultdict(list)
        for row in descendants:
            children_of[row["parent_id"]].append(row)

        def node(unit_id: int, code: str, name: str, level: str) -> dict[str, Any]:
            return {
                "code": code,
                "name": name,
                "level": level,
                "children": [
                    node(child["id"], child["code"], child["name"], child["level"])
                    for child in children_of.get(unit_id, [])
                ],
            }

        return Response(node(root.pk, root.code, root.name, root.level))
