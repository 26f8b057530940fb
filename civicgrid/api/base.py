"""Shared pieces of the API views: authentication order and the error body helper."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated

from civicgrid.core.errors import DomainError


class ScopedAPIView(GenericAPIView):
    """Token first, so an anonymous client gets 401 with ``WWW-Authenticate: Token``.

    Every view of the API reads scoped data only through :mod:`civicgrid.accounts.selectors`.
    """

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]


class InvalidParameterError(DomainError):
    """A query parameter is malformed; the message names the parameter (``field``)."""

    code = "invalid"
    http_status = 400


def error_body(code: str, message: Any, fields: dict[str, list[str]] | None = None) -> dict:
    """The consistent error body ``{"error": {"code", "message", "fields"}}``."""
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}
