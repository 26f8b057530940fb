"""Language choice for the web interface."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ChineseFirstMiddleware:
    """界面默认简体中文: ignore the browser's ``Accept-Language`` header.

    The interface is Simplified Chinese (``LANGUAGE_CODE``) until the person picks English with
    the language switch, which sets the language cookie that ``LocaleMiddleware`` honours. An
    English-language browser alone does not switch a Chinese government platform to English.
    API clients (``/api/``, ``/open311/``) keep ``Accept-Language``: a program asks for the
    language it wants.
    Must be listed before ``django.middleware.locale.LocaleMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(("/api/", "/open311/")):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
