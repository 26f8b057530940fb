from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .views import (
    accounts,
    appeal_statistics,
    appeals,
    auth,
    departments,
    indicators,
    registry,
    territory,
)

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
    path("territory/geojson/", territory.TerritoryGeoJSONView.as_view(), name="territory-geojson"),
    path("territory/locate/", territory.TerritoryLocateView.as_view(), name="territory-locate"),
    path("territory/units/", territory.UnitListView.as_view(), name="territory-units"),
    path(
        "territory/units/<str:code>/",
        territory.UnitDetailView.as_view(),
        name="territory-unit-detail",
    ),
    path("territory/tree/", territory.UnitTreeView.as_view(), name="territory-tree"),
    path("departments/", departments.DepartmentListView.as_view(), name="departments"),
    path(
        "departments/<str:code>/",
        departments.DepartmentDetailView.as_view(),
        name="department-detail",
    ),
    path("accounts/me/", accounts.MeView.as_view(), name="accounts-me"),
    path("accounts/users/", accounts.UserListView.as_view(), name="accounts-users"),
    path(
        "accounts/users/<str:username>/",
        accounts.UserDetailView.as_view(),
        name="accounts-user-detail",
    ),
    path(
        "accounts/users/<str:username>/reveal/",
        accounts.UserRevealView.as_view(),
        name="accounts-user-reveal",
    ),
    path("registry/persons/", registry.PersonListView.as_view(), name="registry-persons"),
    path(
        "registry/persons/lookup/",
        registry.PersonLookupView.as_view(),
        name="registry-person-lookup",
    ),
    path(
        "registry/persons/<int:pk>/",
        registry.PersonDetailView.as_view(),
        name="registry-person-detail",
    ),
    path(
        "registry/persons/<int:pk>/reveal/",
        registry.PersonRevealView.as_view(),
        name="registry-person-reveal",
    ),
    path("registry/entities/", registry.EntityListView.as_view(), name="registry-entities"),
    path(
        "registry/entities/<int:pk>/",
        registry.EntityDetailView.as_view(),
        name="registry-entity-detail",
    ),
    path("registry/figures/", registry.FiguresView.as_view(), name="registry-figures"),
    path(
        "registry/figures/residents/",
        registry.ResidentsByUnitView.as_view(),
        name="registry-residents-by-unit",
    ),
    path("appeals/", appeals.AppealListView.as_view(), name="appeals"),
    path(
        "appeals/statistics/",
        appeal_statistics.AppealStatisticsView.as_view(),
        name="appeals-statistics",
    ),
    path(
        "appeals/statistics/grids/",
        appeal_statistics.AppealStatisticsGridsView.as_view(),
        name="appeals-statistics-grids",
    ),
    path("appeals/<str:number>/", appeals.AppealDetailView.as_view(), name="appeal-detail"),
    path("appeals/<str:number>/reveal/", appeals.AppealRevealView.as_view(), name="appeal-reveal"),
    *[
        path(
            f"appeals/<str:number>/{action}/",
            appeals.action_view(action).as_view(),
            name=f"appeal-{action}",
        )
        for action in appeals.ACTIONS
    ],
    path("indicators/", indicators.IndicatorListView.as_view(), name="indicators"),
    path("indicators/targets/", indicators.TargetListView.as_view(), name="indicators-targets"),
    path("indicators/scores/", indicators.ScoreListView.as_view(), name="indicators-scores"),
    path(
        "indicators/data-values/",
        indicators.DataValueSetView.as_view(),
        name="indicators-data-values",
    ),
    path(
        "indicators/<str:code>/series/",
        indicators.IndicatorSeriesView.as_view(),
        name="indicators-series",
    ),
]
