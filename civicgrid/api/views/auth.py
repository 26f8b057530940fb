"""POST /api/auth/token/: exchange a username and password for an API token (签发令牌)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from civicgrid.accounts.services import token_issue_record
from civicgrid.core.errors import DomainError

from ..serializers import ErrorSerializer, TokenRequestSerializer, TokenResponseSerializer


class LockedOutError(DomainError):
    code = "locked_out"
    http_status = 429


class TokenView(GenericAPIView):
    """Failed attempts are counted by django-axes; too many lock the username from this address.

    Requests are throttled by the ``token`` rate (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``).
    """

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    serializer_class = TokenRequestSerializer

    @extend_schema(
        operation_id="auth_token",
        tags=["auth"],
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Missing field or wrong password."),
            429: OpenApiResponse(ErrorSerializer, description="Throttled or locked out."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The DRF request is passed so django-axes can count the attempt; its lockout flag
        # stays on this request object and our error body is kept.
        user = authenticate(
            request=request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            raise LockedOutError(
                _("Too many failed sign-in attempts. The account is locked for a while.")
            )
        if user is None or not user.is_active:
            raise DomainError(
                _("Wrong username or password."), code="invalid_credentials", field="password"
            )
        token, _created = Token.objects.get_or_create(user=user)
        token_issue_record(user=user)
        return Response({"token": token.key})
