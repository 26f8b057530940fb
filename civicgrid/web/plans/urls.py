"""URL patterns of the plans pages: each page module adds its own here."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
