"""Consistent error bodies for the API: ``{"error": {"code", "message", "fields"}}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from civicgrid.core.errors import DomainError


def _flatten(detail: Any) -> Any:
    if isinstance(detail, list):
        return [_flatten(d) for d in detail]
    if isinstance(detail, dict):
        return {k: _flatten(v) for k, v in detail.items()}
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        fields = {exc.field: [str(exc.message)]} if exc.field else {}
        body = {"error": {"code": exc.code, "message": str(exc.message), "fields": fields}}
        return Response(body, status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = _flatten(exc.detail)
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        message = "; ".join(
            f"{name}: {' '.join(msgs) if isinstance(msgs, list) else msgs}"
            for name, msgs in fields.items()
        )
        response.data = {"error": {"code": "invalid", "message": message, "fields": fields}}
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.APIException):
        response.data = {
            "error": {
                "code": exc.get_codes() if isinstance(exc.get_codes(), str) else "error",
                "message": str(exc.detail),
                "fields": {},
            }
        }
    return response


def not_found_handler(request: Any, exception: Exception | None = None) -> Any:
    """``handler404``: the JSON error body under ``/api/``, Django's page elsewhere."""
    from django.http import JsonResponse
    from django.utils.translation import gettext
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        body = {"error": {"code": "not_found", "message": gettext("Not found."), "fields": {}}}
        return JsonResponse(body, status=404)
    return page_not_found(request, exception or Exception())
