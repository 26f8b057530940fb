"""Account endpoints: who am I, the staff directory (phones masked), revealing a phone."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from civicgrid.accounts.models import User
from civicgrid.accounts.selectors import may_reveal_personal_data, users_visible_to
from civicgrid.accounts.services import user_reveal_personal_data
from civicgrid.core.errors import NotFoundError, PermissionDeniedError

from ..base import ScopedAPIView
from ..serializers import (
    ErrorSerializer,
    MeSerializer,
    RevealRequestSerializer,
    RevealResponseSerializer,
    UserListQuerySerializer,
    UserSerializer,
)
from .territory import ERRORS, NOT_FOUND, parse_query


def visible_user_or_404(actor: Any, username: str) -> User:
    user = users_visible_to(actor).filter(username=username).first()
    if user is None:
        raise NotFoundError(_("No such user in your scope."))
    return user


class MeView(ScopedAPIView):
    serializer_class = MeSerializer

    @extend_schema(operation_id="accounts_me", tags=["accounts"], responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        user = User.objects.select_related("scope_unit", "department").get(
            username=request.user.get_username()
        )
        return Response(MeSerializer(user).data)


class UserListView(ScopedAPIView):
    """Staff directory (人员名录): accounts in the actor's scope, phones masked."""

    serializer_class = UserSerializer

    def get_queryset(self) -> Any:
        params = parse_query(UserListQuerySerializer, self.request)
        users = users_visible_to(self.request.user, search=params.get("q") or "").order_by(
            "username"
        )
        if params.get("role"):
            users = users.filter(role=params["role"])
        return users

    @extend_schema(
        operation_id="accounts_users_list",
        tags=["accounts"],
        parameters=[UserListQuerySerializer],
        responses={200: UserSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(UserSerializer(page, many=True).data)


class UserDetailView(ScopedAPIView):
    serializer_class = UserSerializer

    @extend_schema(
        operation_id="accounts_users_retrieve",
        tags=["accounts"],
        responses={200: UserSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, username: str) -> Response:
        return Response(UserSerializer(visible_user_or_404(request.user, username)).data)


class UserRevealView(ScopedAPIView):
    """查看完整手机号: the full phone, for an entitled actor, with a purpose; always audited."""

    serializer_class = RevealRequestSerializer

    @extend_schema(
        operation_id="accounts_users_reveal",
        tags=["accounts"],
        request=RevealRequestSerializer,
        responses={
            200: RevealResponseSerializer,
            **ERRORS,
            403: OpenApiResponse(ErrorSerializer, description="You may not see this data."),
            **NOT_FOUND,
        },
    )
    def post(self, request: Request, username: str) -> Response:
        subject = visible_user_or_404(request.user, username)
        if not may_reveal_personal_data(request.user, subject):
            raise PermissionDeniedError(_("You may not see this person's personal data."))
        serializer = RevealRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        revealed = user_reveal_personal_data(
            actor=request.user, subject=subject, purpose=serializer.validated_data["purpose"]
        )
        return Response(RevealResponseSerializer(revealed).data)
