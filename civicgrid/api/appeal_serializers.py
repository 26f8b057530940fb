"""Serializers of the appeal endpoints (诉求/工单): requests, responses and query parameters.

Citizen names and phones are always masked here; the full values come only from the audited
reveal action.
"""

from __future__ import annotations

import math
import threading
from functools import cached_property
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from civicgrid.appeals.models import (
    AppealStatus,
    AppealType,
    Channel,
    Satisfaction,
    Urgency,
)
from civicgrid.appeals.selectors.replies import is_internal_review_step, reply_for_citizen
from civicgrid.core.masking import mask_name, mask_phone

LIGHTS = [("red", "red"), ("yellow", "yellow"), ("green", "green"), ("none", "none")]
STAFF_CHANNELS = frozenset({Channel.HOTLINE.value, Channel.GRID.value})


class AppealListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AppealStatus.choices, required=False)
    type = serializers.ChoiceField(choices=AppealType.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    light = serializers.ChoiceField(
        choices=LIGHTS,
        required=False,
        help_text="红黄灯: the light of the deadline that runs now; `none` when none runs.",
    )


class NamedRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


def _ref(obj: Any) -> dict[str, str] | None:
    return {"code": obj.code, "name": obj.name} if obj is not None else None


class AppealSerializer(serializers.Serializer):
    """One appeal in a list. ``light`` and the masked citizen data are computed per row."""

    number = serializers.CharField()
    version = serializers.IntegerField(help_text="Send it back as `expected_version`.")
    status = serializers.ChoiceField(choices=AppealStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    appeal_type = serializers.ChoiceField(choices=AppealType.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    title = serializers.CharField()
    category = serializers.SerializerMethodField()
    admin_unit = serializers.SerializerMethodField()
    lead_department = serializers.SerializerMethodField()
    is_confidential = serializers.BooleanField()
    citizen_name_masked = serializers.SerializerMethodField()
    citizen_phone_masked = serializers.SerializerMethodField()
    accepted_on = serializers.DateField()
    sign_for_deadline = serializers.DateField(allow_null=True)
    handling_deadline = serializers.DateField(allow_null=True)
    light = serializers.SerializerMethodField(
        help_text="red / yellow / green, or an empty string when no deadline runs."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_category(self, appeal: Any) -> dict[str, str] | None:
        return _ref(appeal.category)

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_admin_unit(self, appeal: Any) -> dict[str, str] | None:
        return _ref(appeal.admin_unit)

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_lead_department(self, appeal: Any) -> dict[str, str] | None:
        return _ref(appeal.lead_department)

    def get_citizen_name_masked(self, appeal: Any) -> str:
        if appeal.is_confidential:
            return "***" if appeal.citizen_name else ""
        return mask_name(appeal.citizen_name)

    def get_citizen_phone_masked(self, appeal: Any) -> str:
        if appeal.is_confidential:
            return "***" if appeal.citizen_phone else ""
        return mask_phone(appeal.citizen_phone) if appeal.citizen_phone else ""

    def get_light(self, appeal: Any) -> str:
        lights: dict[int, str] = self.context.get("lights", {})
        return lights.get(appeal.pk, "")


class AssignmentSerializer(serializers.Serializer):
    department = NamedRefSerializer()
    # A CharField: an enum named "role" exists already (the accounts' roles).
    role = serializers.CharField(help_text="`lead` (主办) or `cooperating` (协办).")
    is_open = serializers.BooleanField()
    closed_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class AppealEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()
    note = serializers.CharField()

    def get_actor(self, event: Any) -> str | None:
        return event.actor.get_username() if event.actor_id else None

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_department(self, event: Any) -> dict[str, str] | None:
        return _ref(event.department)


class RoutingSuggestionSerializer(serializers.Serializer):
    # "department" / "source" as in Appeal.routing_suggestions (a plain dict per suggestion).
    department = serializers.CharField(help_text="Department code.")
    name = serializers.CharField()
    confidence = serializers.FloatField(help_text="0…1, calibrated on held-out appeals.")
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="`model` (router) or `catalogue` (权责清单)."
    )


class AppealDetailSerializer(AppealSerializer):
    """With ``context["citizen_view"]`` (the caller is the citizen): the reply only once it
    reached them (not while under review, not a draft sent back) and no internal review steps
    in the timeline."""

    text = serializers.CharField()
    address = serializers.CharField()
    lon = serializers.FloatField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    reply = serializers.SerializerMethodField()
    satisfaction = serializers.CharField()
    reopen_count = serializers.IntegerField()
    signed_at = serializers.DateTimeField(allow_null=True)
    replied_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    assignments = AssignmentSerializer(many=True, source="assignments.all")
    timeline = serializers.SerializerMethodField()
    routing_suggestions = serializers.SerializerMethodField(
        help_text="分拨建议: the top departments at intake, surest first (staff only)."
    )
    is_auto_dispatched = serializers.BooleanField(read_only=True)

    # Built once per serializer (see represent()): many=True gives a ListSerializer.
    @cached_property
    def _suggestions(self) -> Any:
        return RoutingSuggestionSerializer(many=True)

    @cached_property
    def _events(self) -> Any:
        return AppealEventSerializer(many=True)

    @extend_schema_field(RoutingSuggestionSerializer(many=True))
    def get_routing_suggestions(self, appeal: Any) -> list[dict[str, Any]]:
        if self.context.get("citizen_view"):
            return []
        return list(self._suggestions.to_representation(appeal.routing_suggestions or []))

    def get_reply(self, appeal: Any) -> str:
        if self.context.get("citizen_view"):
            return reply_for_citizen(appeal)
        return str(appeal.reply)

    @extend_schema_field(AppealEventSerializer(many=True))
    def get_timeline(self, appeal: Any) -> list[dict[str, Any]]:
        events = list(appeal.events.all())
        if self.context.get("citizen_view"):
            events = [event for event in events if not is_internal_review_step(event)]
        return list(self._events.to_representation(events))


class AppealCreatedSerializer(AppealDetailSerializer):
    query_code = serializers.CharField(
        allow_null=True,
        help_text="The citizen's query code (查询码); null when the Idempotency-Key was seen "
        "before and the earlier appeal is returned.",
    )


_kept = threading.local()


def represent(
    serializer_class: type[serializers.Serializer], instance: Any, context: dict[str, Any]
) -> dict[str, Any]:
    """What ``serializer_class(instance, context=context).data`` gives, without building the
    serializer again: a new serializer deep-copies every declared field (for the appeal detail
    about as long as the rest of the answer). One serializer per thread and class is kept; its
    context is replaced for each call and emptied after it."""
    kept: dict[Any, serializers.Serializer] = _kept.__dict__
    serializer = kept.get(serializer_class)
    if serializer is None:
        serializer = kept[serializer_class] = serializer_class(context={})
    serializer.context.update(context)
    try:
        return dict(serializer.to_representation(instance))
    finally:
        serializer.context.clear()


def _finite(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise serializers.ValidationError(_("A valid number is required."))
    return value


class AppealCreateSerializer(serializers.Serializer):
    # A CharField, not a ChoiceField: an enum named "channel" exists already with all channels.
    channel = serializers.CharField(
        max_length=12, help_text="Intake channel: `hotline` (12345 热线) or `grid` (网格员上报)."
    )
    appeal_type = serializers.ChoiceField(choices=AppealType.choices)
    title = serializers.CharField(max_length=100)
    text = serializers.CharField(max_length=5000)
    category = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="Category code."
    )
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    citizen_name = serializers.CharField(required=False, allow_blank=True, max_length=60)
    citizen_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    is_confidential = serializers.BooleanField(required=False, default=False)
    urgency = serializers.ChoiceField(
        choices=Urgency.choices, required=False, default=Urgency.NORMAL
    )

    def validate_channel(self, value: str) -> str:
        if value not in STAFF_CHANNELS:
            raise serializers.ValidationError(_("Choose the hotline or grid channel."))
        return value

    def validate_lon(self, value: float | None) -> float | None:
        return _finite(value)

    def validate_lat(self, value: float | None) -> float | None:
        return _finite(value)


class VersionedActionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(
        min_value=1, max_value=2_000_000_000, help_text="The `version` you last saw."
    )


class DispatchSerializer(VersionedActionSerializer):
    department = serializers.CharField(max_length=40, help_text="Lead department code.")
    cooperating = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        max_length=20,
        help_text="Codes of the cooperating departments.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReasonActionSerializer(VersionedActionSerializer):
    reason = serializers.CharField(max_length=500)


class ReplyActionSerializer(VersionedActionSerializer):
    reply = serializers.CharField(max_length=5000)


class ReplyApproveSerializer(VersionedActionSerializer):
    reply = serializers.CharField(
        max_length=5000,
        required=False,
        default=None,
        allow_null=True,
        help_text="The reply as the citizen will see it, if the reviewer edits it.",
    )


class FollowUpActionSerializer(VersionedActionSerializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class AppealRevealSerializer(serializers.Serializer):
    citizen_name = serializers.CharField()
    citizen_phone = serializers.CharField()
