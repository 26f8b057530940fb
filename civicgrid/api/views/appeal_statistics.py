"""Statistics endpoints (统计分析): figures per grouping with totals, hot topics and rising
categories; the grid density map as GeoJSON. Same parameters as the web page
(/appeals/statistics/); definitions in :mod:`civicgrid.appeals.selectors.statistics`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from civicgrid.appeals import clock
from civicgrid.appeals.selectors import (
    STATISTICS_GROUPS,
    grid_density,
    hot_topics,
    rising_categories,
    statistics_table,
)

from ..base import ScopedAPIView
from ..serializers import GeoJSONFeatureCollectionSerializer
from .territory import ERRORS, parse_query


class StatisticsQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False,
        help_text="First acceptance day (YYYY-MM-DD), included. Default: 1st of the end's month.",
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    end = serializers.DateField(
        required=False,
        help_text="Last acceptance day (YYYY-MM-DD), included. Default: today.",
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    group_by = serializers.ChoiceField(
        choices=STATISTICS_GROUPS,
        default="district",
        help_text="Grouping of the rows.",
        error_messages={"invalid_choice": _("Choose how to group the statistics.")},
    )


class GridDensityQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False,
        help_text="First acceptance day (YYYY-MM-DD). Default: first day of the end's month.",
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    end = serializers.DateField(
        required=False,
        help_text="Last acceptance day (YYYY-MM-DD). Default: today.",
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )


class StatisticsRowSerializer(serializers.Serializer):
    key = serializers.JSONField(help_text="Group key (division code, id, value or month).")
    label = serializers.CharField()  # type: ignore[assignment]
    received = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    merged = serializers.IntegerField()
    replied = serializers.IntegerField()
    replied_on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    overdue = serializers.IntegerField()
    replied_late = serializers.IntegerField()
    overdue_open = serializers.IntegerField()
    average_handling_working_days = serializers.FloatField(allow_null=True)
    rated = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    satisfaction_rate = serializers.FloatField(allow_null=True)
    replied_ever = serializers.IntegerField()
    reopened = serializers.IntegerField()
    reopen_rate = serializers.FloatField(allow_null=True)


class HotTopicSerializer(serializers.Serializer):
    word = serializers.CharField()
    count = serializers.IntegerField()
    previous = serializers.IntegerField()
    excess = serializers.FloatField()


class RisingCategorySerializer(serializers.Serializer):
    key = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    received = serializers.IntegerField()
    previous = serializers.IntegerField()
    growth = serializers.FloatField(allow_null=True, help_text="null: none in the previous period")


class StatisticsSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    group_by = serializers.CharField()
    source = serializers.ChoiceField(choices=["rollup", "records"])  # type: ignore[assignment]
    refreshed_at = serializers.DateTimeField(allow_null=True)
    rows = StatisticsRowSerializer(many=True)
    total = StatisticsRowSerializer()
    hot_topics = HotTopicSerializer(many=True)
    rising_categories = RisingCategorySerializer(many=True)


def period_of(params: dict[str, Any]) -> tuple[dt.date, dt.date]:
    end = params.get("end") or clock.today()
    start = params.get("start") or end.replace(day=1)
    return start, end


class AppealStatisticsView(ScopedAPIView):
    """统计分析: figures per group for the appeals the caller may see (see the definitions in
    docs/adr/0004-statistics.md), with totals, hot topics and rising categories."""

    @extend_schema(
        operation_id="appeals_statistics",
        tags=["appeals"],
        parameters=[StatisticsQuerySerializer],
        responses={200: StatisticsSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        params = parse_query(StatisticsQuerySerializer, request)
        start, end = period_of(params)
        user = request.user
        table = statistics_table(user, start=start, end=end, group_by=params["group_by"])
        data = {
            "start": start,
            "end": end,
            "group_by": table.group_by,
            "source": table.source,
            "refreshed_at": table.refreshed_at,
            "rows": table.rows,
            "total": table.total,
            "hot_topics": hot_topics(user, start=start, end=end),
            "rising_categories": rising_categories(user, start=start, end=end),
        }
        return Response(StatisticsSerializer(data).data)


class AppealStatisticsGridsView(ScopedAPIView):
    """网格密度: the visible grids with the number of appeals received in the period (GeoJSON;
    simplified geometry; ``is_demo_geometry`` marks 示意 boundaries)."""

    @extend_schema(
        operation_id="appeals_statistics_grids",
        tags=["appeals"],
        parameters=[GridDensityQuerySerializer],
        responses={
            200: OpenApiResponse(GeoJSONFeatureCollectionSerializer, description="GeoJSON."),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> HttpResponse:
        params = parse_query(GridDensityQuerySerializer, request)
        start, end = period_of(params)
        collection = grid_density(request.user, start=start, end=end)
        body = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
        return HttpResponse(body, content_type="application/geo+json; charset=utf-8")
