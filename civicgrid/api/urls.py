from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .views import territory

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path(
        "territory/geojson/",
        territory.TerritoryGeoJSONView.as_view(),
        name="territory-geojson",
    ),
    path("territory/locate/", territory.TerritoryLocateView.as_view(), name="territory-locate"),
    path("territory/units/", territory.UnitListView.as_view(), name="territory-units"),
    path(
        "territory/units/<str:code>/",
        territory.UnitDetailView.as_view(),
        name="territory-unit-detail",
    ),
    path("territory/tree/", territory.UnitTreeView.as_view(), name="territory-tree"),
]
