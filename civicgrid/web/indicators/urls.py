"""URL patterns of the indicators pages: each page module adds its own here."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import assessment, cockpit, equalisation, equalisation_groups, pivot, reporting

urlpatterns: list[URLPattern] = [
    path("indicators/", cockpit.cockpit, name="indicators_cockpit"),
    path("indicators/units/<str:code>/", cockpit.cockpit, name="indicators_unit"),
    path("indicators/pivot/", pivot.pivot, name="indicators_pivot"),
    path(
        "indicators/pivot/export.<str:file_format>",
        pivot.pivot_export,
        name="indicators_pivot_export",
    ),
    path("indicators/equalisation/", equalisation.equalisation, name="indicators_equalisation"),
    path(
        "indicators/equalisation/export.<str:file_format>",
        equalisation.equalisation_export,
        name="indicators_equalisation_export",
    ),
    path(
        "indicators/equalisation/groups/",
        equalisation_groups.equalisation_groups,
        name="indicators_equalisation_groups",
    ),
    path(
        "indicators/equalisation/groups/export.<str:file_format>",
        equalisation_groups.equalisation_groups_export,
        name="indicators_equalisation_groups_export",
    ),
    path(
        "indicators/equalisation/population/",
        equalisation_groups.equalisation_population,
        name="indicators_equalisation_population",
    ),
    path(
        "indicators/equalisation/population/export.<str:file_format>",
        equalisation_groups.equalisation_population_export,
        name="indicators_equalisation_population_export",
    ),
    path("indicators/reporting/", reporting.reporting, name="indicators_reporting"),
    path("indicators/approvals/", reporting.approvals, name="indicators_approvals"),
    path(
        "indicators/reporting/<str:data_set>/<str:unit_code>/<str:period>/",
        reporting.entry,
        name="indicators_entry",
    ),
    path("indicators/assessment/", assessment.assessment, name="indicators_assessment"),
    path(
        "indicators/assessment/<str:code>/",
        assessment.assessment,
        name="indicators_assessment_scheme",
    ),
    path(
        "indicators/assessment/<str:code>/action/",
        assessment.assessment_action,
        name="indicators_assessment_action",
    ),
    path(
        "indicators/assessment/<str:code>/export.xlsx",
        assessment.assessment_export,
        name="indicators_assessment_export",
    ),
    path(
        "indicators/assessment/<str:code>/export.pdf",
        assessment.assessment_pdf,
        name="indicators_assessment_pdf",
    ),
]
