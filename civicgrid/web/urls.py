from django.urls import path

from . import views
from .appeals import attachments as appeals_attachments
from .appeals import board as appeals_board
from .appeals import catalogue as appeals_catalogue
from .appeals import duplicates as appeals_duplicates
from .appeals import exports as appeals_exports
from .appeals import grid as appeals_grid
from .appeals import places as appeals_places
from .appeals import public as appeals_public
from .appeals import review as appeals_review
from .appeals import routing as appeals_routing
from .appeals import staff as appeals_staff
from .appeals import statistics as appeals_statistics
from .appeals import supervision as appeals_supervision
from .appeals import workbenches as appeals_workbenches
from .indicators import urls as indicators_urls
from .plans import urls as plans_urls
from .registry import urls as registry_urls

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("territory/", views.territory, name="territory"),
    path("territory/search/", views.territory_search, name="territory_search"),
    path("territory/<str:code>/", views.territory_detail, name="territory_detail"),
    path("territory/<str:code>/children/", views.territory_children, name="territory_children"),
    path("departments/", views.departments, name="departments"),
    path("staff/", views.staff, name="staff"),
    path("staff/<str:username>/reveal/", views.staff_reveal, name="staff_reveal"),
    # Appeals: public pages (no account needed)
    path("appeals/new/", appeals_public.appeal_new, name="appeal_new"),
    path("appeals/track/", appeals_public.appeal_track, name="appeal_track"),
    path("appeals/track/rate/", appeals_public.appeal_rate, name="appeal_rate"),
    path("appeals/board/", appeals_board.board, name="appeal_board"),
    # Appeals: staff workbenches
    path("appeals/", appeals_staff.appeal_list, name="appeal_list"),
    path("appeals/intake/", appeals_staff.appeal_intake, name="appeal_intake"),
    path("appeals/places/", appeals_places.appeal_places, name="appeal_places"),
    path("appeals/queue/", appeals_staff.appeal_queue, name="appeal_queue"),
    path("appeals/inbox/", appeals_staff.appeal_inbox, name="appeal_inbox"),
    path("appeals/statistics/", appeals_statistics.statistics_page, name="appeal_statistics"),
    path(
        "appeals/statistics/export/",
        appeals_statistics.statistics_export,
        name="appeal_statistics_export",
    ),
    # Appeals: supervisor board, citizen's list, exports, operator helpers (workbenches)
    path("appeals/supervision/", appeals_supervision.board, name="appeal_supervision"),
    path(
        "appeals/supervision/extensions/<int:pk>/decide/",
        appeals_supervision.extension_decide,
        name="appeal_extension_decide",
    ),
    path(
        "appeals/supervision/items/<int:pk>/escalate/",
        appeals_supervision.escalate,
        name="appeal_supervision_escalate",
    ),
    path(
        "appeals/supervision/urge/<str:number>/",
        appeals_supervision.urge,
        name="appeal_supervision_urge",
    ),
    path("appeals/mine/", appeals_workbenches.my_appeals, name="appeal_mine"),
    path("appeals/export/<slug:workbench>/", appeals_exports.appeal_export, name="appeal_export"),
    path(
        "appeals/intake/caller/",
        appeals_workbenches.caller_history_fragment,
        name="appeal_intake_caller",
    ),
    path(
        "appeals/intake/categories/",
        appeals_workbenches.category_suggestions_fragment,
        name="appeal_intake_categories",
    ),
    path("appeals/review/", appeals_review.review_list, name="appeal_review_list"),
    # Appeals: grid worker reports and protected attachment downloads
    path("appeals/report/", appeals_grid.grid_report, name="appeal_grid_report"),
    path("appeals/files/<int:pk>/", appeals_attachments.attachment_file, name="appeal_attachment"),
    # Appeals: likely duplicates and merging
    path(
        "appeals/duplicates/",
        appeals_duplicates.duplicate_suggestions,
        name="appeal_duplicate_suggestions",
    ),
    path(
        "appeals/<str:number>/duplicates/",
        appeals_duplicates.duplicate_panel,
        name="appeal_duplicate_panel",
    ),
    path("appeals/<str:number>/merge/", appeals_duplicates.appeal_merge, name="appeal_merge"),
    path("appeals/<str:number>/unmerge/", appeals_duplicates.appeal_unmerge, name="appeal_unmerge"),
    # Appeals: administrators' catalogue (Excel) and legacy import
    path("appeals/catalogue/", appeals_catalogue.catalogue, name="appeal_catalogue"),
    path("appeals/import/", appeals_catalogue.legacy_import, name="appeal_legacy_import"),
    path("appeals/<str:number>/", appeals_staff.appeal_detail, name="appeal_detail"),
    path("appeals/<str:number>/reveal/", appeals_staff.appeal_reveal, name="appeal_reveal"),
    path(
        "appeals/<str:number>/dispatch-suggestion/",
        appeals_routing.appeal_dispatch_suggestion,
        name="appeal_dispatch_suggestion",
    ),
    path("appeals/<str:number>/<slug:step>/", appeals_staff.appeal_step, name="appeal_step"),
]

# Base registry (一库): each part of civicgrid/web/registry/ brings its own patterns.
urlpatterns += registry_urls.urlpatterns
# Policy plans (政策任务) and indicators (指标): each page module brings its own patterns.
urlpatterns += plans_urls.urlpatterns
urlpatterns += indicators_urls.urlpatterns
