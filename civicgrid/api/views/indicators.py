"""Indicators endpoints (指标): definitions, aggregated values per unit and period, target
statuses, assessment scores, and data values in / out in the shape a DHIS2 user knows
(``dataElement, period, orgUnit, value``) as JSON (``{"dataValues": [...]}``) or CSV.

Reads go through :mod:`civicgrid.indicators.selectors` (scoped to the user), writes through the
import service (all or nothing, row-level errors, nothing saved on any error).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from civicgrid.accounts.selectors import root_units_visible_to, scope_of, unit_visible_to
from civicgrid.core.audit import audit_record
from civicgrid.core.errors import NotFoundError, PermissionDeniedError
from civicgrid.indicators.selectors import assessment as assessment_selectors
from civicgrid.indicators.selectors import definitions as definition_selectors
from civicgrid.indicators.selectors import reporting as reporting_selectors
from civicgrid.indicators.selectors import targets as target_selectors
from civicgrid.indicators.selectors import values as value_selectors
from civicgrid.indicators.selectors.access import may_view
from civicgrid.indicators.services import imports as import_services
from civicgrid.indicators.services.errors import ImportRejected

from ..base import ScopedAPIView
from .territory import ERRORS, NOT_FOUND, parse_query

MAX_IMPORT_ROWS = 50_000
CSV_BODY = "__csv__"  # the key under which the CSV parser hands the body text to the view


def _require_view(user: Any) -> None:
    if not may_view(user):
        raise PermissionDeniedError(_("You may not use the indicators."))


class CSVTextParser(BaseParser):
    """``text/csv`` request bodies: rows with a header line, kept as text for the view."""

    media_type = "text/csv"

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> dict[str, str]:
        return {CSV_BODY: stream.read().decode("utf-8-sig")}


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    unit_label = serializers.CharField()
    numerator = serializers.CharField()
    denominator = serializers.CharField()
    direction = serializers.CharField()
    theme = serializers.CharField()
    description = serializers.CharField()
    source_document = serializers.CharField()
    source_passage = serializers.CharField()
    plans_target_id = serializers.IntegerField(allow_null=True)


class IndicatorListView(ScopedAPIView):
    """指标: the indicators the user may see, with formula and source passage."""

    serializer_class = IndicatorSerializer

    @extend_schema(
        operation_id="indicators_list",
        tags=["indicators"],
        responses={200: IndicatorSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        _require_view(request.user)
        indicators = definition_selectors.indicators_visible_to(request.user)
        return Response(IndicatorSerializer(indicators, many=True).data)


class SeriesQuerySerializer(serializers.Serializer):
    unit = serializers.CharField(
        required=False, max_length=20, help_text="Admin unit code (default: your top unit)."
    )
    period_type = serializers.ChoiceField(
        choices=["yearly", "quarterly", "monthly"], default="yearly"
    )


class PointSerializer(serializers.Serializer):
    period = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)


class SeriesSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    unit = serializers.CharField()
    points = PointSerializer(many=True)


def _unit_code(request: Request, params: dict[str, Any]) -> str:
    code = params.get("unit")
    if not code:
        scope = scope_of(request.user)
        root = root_units_visible_to(request.user).order_by("code").first()
        code = scope.code or (root.code if root is not None else "")
    if not code or unit_visible_to(request.user, code) is None:
        raise NotFoundError(_("No such admin unit in your scope."))
    return str(code)


class IndicatorSeriesView(ScopedAPIView):
    """Values of one indicator at one unit per period (precomputed aggregates)."""

    serializer_class = SeriesSerializer

    @extend_schema(
        operation_id="indicators_series",
        tags=["indicators"],
        parameters=[SeriesQuerySerializer],
        responses={200: SeriesSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, code: str) -> Response:
        _require_view(request.user)
        params = parse_query(SeriesQuerySerializer, request)
        indicator = definition_selectors.indicator_for(request.user, code)
        if indicator is None:
            raise NotFoundError(_("No such indicator."))
        unit_code = _unit_code(request, params)
        points = value_selectors.aggregate_series(
            request.user,
            indicator=indicator,
            unit_code=unit_code,
            period_type=params["period_type"],
        )
        return Response(
            {
                "indicator": indicator.code,
                "unit": unit_code,
                "points": [
                    {
                        "period": point.period,
                        "value": point.value,
                        "numerator": point.numerator,
                        "denominator": point.denominator,
                    }
                    for point in points
                ],
            }
        )


class TargetQuerySerializer(serializers.Serializer):
    unit = serializers.CharField(required=False, max_length=20, help_text="Admin unit code.")
    indicator = serializers.CharField(required=False, max_length=40, help_text="Indicator code.")


class TargetListView(ScopedAPIView):
    """目标: every target and unit it applies to with status, progress, forecast and source."""

    @extend_schema(
        operation_id="indicators_targets",
        tags=["indicators"],
        parameters=[TargetQuerySerializer],
        responses={200: OpenApiResponse(description="List of target statuses."), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        _require_view(request.user)
        params = parse_query(TargetQuerySerializer, request)
        indicator = None
        if params.get("indicator"):
            indicator = definition_selectors.indicator_for(request.user, params["indicator"])
            if indicator is None:
                raise NotFoundError(_("No such indicator."))
        rows = target_selectors.target_statuses(
            request.user, indicator=indicator, unit_code=params.get("unit") or None
        )
        return Response([_target_row(row) for row in rows])


def _target_row(row: Any) -> dict[str, Any]:
    """The status row with the source falling back to the indicator's (a target entered by hand
    for an indicator defined from a policy keeps pointing at the policy)."""
    data: dict[str, Any] = row.as_dict()
    indicator = row.target.indicator
    data["source_document"] = data["source_document"] or indicator.source_document
    data["source_passage"] = data["source_passage"] or indicator.source_passage
    data["plans_target_id"] = data["plans_target_id"] or indicator.plans_target_id
    return data


class ScoreListView(ScopedAPIView):
    """考核: the assessment schemes the user may see with the scores, ranks and traces."""

    @extend_schema(
        operation_id="indicators_scores",
        tags=["indicators"],
        responses={200: OpenApiResponse(description="Schemes with their ranking."), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        _require_view(request.user)
        schemes = []
        for scheme in assessment_selectors.schemes_visible_to(request.user).order_by("-year"):
            results = assessment_selectors.scheme_results(request.user, scheme)
            schemes.append(
                {
                    "code": scheme.code,
                    "name": scheme.name,
                    "year": scheme.year,
                    "status": scheme.status,
                    "scores": [row.as_dict() for row in results],
                }
            )
        return Response(schemes)


class DataValueQuerySerializer(serializers.Serializer):
    dataElement = serializers.CharField(
        required=False, max_length=400, help_text="Data element codes, comma-separated."
    )
    period = serializers.CharField(
        required=False, max_length=400, help_text="Periods (2015, 2015Q1, 201503), comma-separated."
    )
    orgUnit = serializers.CharField(
        required=False, max_length=20, help_text="Admin unit code (its subtree)."
    )
    output = serializers.ChoiceField(
        choices=["json", "csv"], default="json", help_text="json (default) or csv."
    )


class DataValueSerializer(serializers.Serializer):
    dataElement = serializers.CharField()
    period = serializers.CharField()
    orgUnit = serializers.CharField()
    value = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(required=False)


class DataValueSetSerializer(serializers.Serializer):
    dataValues = DataValueSerializer(many=True)


class ImportResultSerializer(serializers.Serializer):
    values = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    submissions = serializers.ListField(child=serializers.IntegerField())


def _split(text: str | None) -> list[str] | None:
    if not text:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


CSV_COLUMNS = ("dataElement", "period", "orgUnit", "value", "comment", "status")


class DataValueSetView(ScopedAPIView):
    """数据值: export (GET, JSON or CSV) and import (POST JSON ``{"dataValues": [...]}`` or a
    CSV body with the header ``dataElement,period,orgUnit,value[,comment]``)."""

    parser_classes = [JSONParser, CSVTextParser]
    serializer_class = DataValueSetSerializer

    @extend_schema(
        operation_id="indicators_data_values_export",
        tags=["indicators"],
        parameters=[DataValueQuerySerializer],
        responses={200: DataValueSetSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Any:
        _require_view(request.user)
        params = parse_query(DataValueQuerySerializer, request)
        rows = reporting_selectors.data_values_export(
            request.user,
            element_codes=_split(params.get("dataElement")),
            periods=_split(params.get("period")),
            unit_code=params.get("orgUnit") or None,
        )
        audit_record(
            actor=request.user,
            action="indicators.data_values_export",
            target_type="indicators.datavalue",
            target_repr=f"{len(rows)} values",
            details={key: params.get(key) for key in ("dataElement", "period", "orgUnit")},
        )
        if params["output"] == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="dataValues.csv"'
            return response
        return Response({"dataValues": rows})

    @extend_schema(
        operation_id="indicators_data_values_import",
        tags=["indicators"],
        request=DataValueSetSerializer,
        responses={
            200: ImportResultSerializer,
            **ERRORS,
            409: OpenApiResponse(description="A value belongs to a submitted or approved report."),
        },
    )
    def post(self, request: Request) -> Response:
        _require_view(request.user)
        rows = self._rows(request)
        if rows is None:
            return Response(
                {
                    "error": {
                        "code": "invalid",
                        "message": _(
                            'Send JSON {"dataValues": [...]} or CSV with the header '
                            "dataElement,period,orgUnit,value."
                        ),
                        "fields": {},
                    }
                },
                status=400,
            )
        if len(rows) > MAX_IMPORT_ROWS:
            return Response(
                {
                    "error": {
                        "code": "too_many",
                        "message": _("At most %(count)s values per import.")
                        % {"count": MAX_IMPORT_ROWS},
                        "fields": {},
                    }
                },
                status=400,
            )
        submit = str(request.query_params.get("submit", "")).lower() in {"1", "true", "yes"}
        try:
            result = import_services.data_values_import(
                actor=request.user, rows=rows, submit=submit
            )
        except ImportRejected as error:
            return Response(
                {
                    "error": {
                        "code": error.code,
                        "message": str(error.message),
                        "fields": {},
                        "rows": [row.as_dict() for row in error.errors],
                    }
                },
                status=400,
            )
        return Response(
            {
                "values": result.values,
                "created": result.created,
                "updated": result.updated,
                "submissions": result.submissions,
            }
        )

    @staticmethod
    def _rows(request: Request) -> list[dict[str, Any]] | None:
        data = request.data
        if isinstance(data, dict) and isinstance(data.get(CSV_BODY), str):
            reader = csv.DictReader(io.StringIO(data[CSV_BODY]))
            if not reader.fieldnames or "dataElement" not in reader.fieldnames:
                return None
            return [dict(row) for row in reader]
        if isinstance(data, dict) and isinstance(data.get("dataValues"), list):
            values = data["dataValues"]
            if all(isinstance(row, dict) for row in values):
                return [dict(row) for row in values]
        return None
