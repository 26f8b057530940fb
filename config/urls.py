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

# MEDIA_ROOT is never served as such, not even with DEBUG: appeal attachments are personal
# data and go through civicgrid.web.appeals.attachments.attachment_file, which checks access.

handler404 = "civicgrid.api.errors.not_found_handler"
