"""URL patterns of the plans pages: each page module adds its own here."""

from __future__ import annotations

from django.urls import URLPattern

from . import assessment, documents, reports, review, tasks, waiting

urlpatterns: list[URLPattern] = [
    *documents.urlpatterns,
    *review.urlpatterns,
    *tasks.urlpatterns,
    *reports.urlpatterns,
    *assessment.urlpatterns,
    *waiting.urlpatterns,
]
