from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("civicgrid.api.urls")),
    path("open311/v2/", include("civicgrid.api.open311.urls")),
    path("", include("civicgrid.accounts.urls")),
    path("", include("civicgrid.web.urls")),
]

if settings.DEBUG:  # pragma: no cover - development convenience only
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "civicgrid.api.errors.not_found_handler"
