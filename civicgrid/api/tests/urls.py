"""URLconf of the API tests: only the API and the sign-in pages, independent of the web app."""

from django.urls import include, path

urlpatterns = [
    path("api/", include("civicgrid.api.urls")),
    path("", include("civicgrid.accounts.urls")),
]
