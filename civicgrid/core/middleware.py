"""Request middleware of the core app."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .audit import RequestOrigin, request_origin


class AuditContextMiddleware:
    """Make the client's address and user agent available to audit_record() during a request.

    ``REMOTE_ADDR`` is used unless ``CIVICGRID_TRUST_X_FORWARDED_FOR`` is on (only behind a
    proxy that overwrites the header), in which case the header's first address is taken.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        forwarded = ""
        if getattr(settings, "CIVICGRID_TRUST_X_FORWARDED_FOR", False):
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
        origin = RequestOrigin(
            ip_address=ip or None, user_agent=request.META.get("HTTP_USER_AGENT", "")[:300]
        )
        with request_origin(origin):
            return self.get_response(request)
