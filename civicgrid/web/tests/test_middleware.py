"""The interface stays Chinese for English browsers until the person switches language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

LOCALE = "django.middleware.locale.LocaleMiddleware"


def _with_chinese_first() -> list[str]:
    middleware = [
        m for m in settings.MIDDLEWARE if m != "civicgrid.web.middleware.ChineseFirstMiddleware"
    ]
    index = middleware.index(LOCALE)
    return [
        *middleware[:index],
        "civicgrid.web.middleware.ChineseFirstMiddleware",
        *middleware[index:],
    ]


def test_english_browser_gets_chinese_until_it_switches(db: Any) -> None:
    with override_settings(MIDDLEWARE=_with_chinese_first()):
        client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        html = client.get(reverse("login")).content.decode()
        assert '<html lang="zh-hans"' in html
        assert "<h1>登录</h1>" in html
        client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
        html = client.get(reverse("login")).content.decode()
        assert '<html lang="en"' in html
        assert "<h1>Sign in</h1>" in html


def test_without_the_middleware_the_browser_language_wins(db: Any) -> None:
    middleware = [m for m in settings.MIDDLEWARE if not m.endswith("ChineseFirstMiddleware")]
    with override_settings(MIDDLEWARE=middleware):
        html = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("login")).content.decode()
    assert '<html lang="en"' in html
