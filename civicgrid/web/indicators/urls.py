"""URL patterns of the indicators pages: each page module adds its own here."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
