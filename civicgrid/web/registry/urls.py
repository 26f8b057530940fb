"""The registry's web URLs (mounted under /registry/ in the ``web`` namespace)."""

from __future__ import annotations

from django.urls import URLPattern

from . import collection, imports, linkage, people, tags

urlpatterns: list[URLPattern] = [
    *people.urlpatterns,
    *imports.urlpatterns,
    *collection.urlpatterns,
    *linkage.urlpatterns,
    *tags.urlpatterns,
]
