from django.urls import path

from . import views
from .appeals import attachments as appeals_attachments
from .appeals import grid as appeals_grid
from .appeals import public as appeals_public
from .appeals import staff as appeals_staff

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
    # Appeals: staff workbenches
    path("appeals/", appeals_staff.appeal_list, name="appeal_list"),
    path("appeals/intake/", appeals_staff.appeal_intake, name="appeal_intake"),
    path("appeals/queue/", appeals_staff.appeal_queue, name="appeal_queue"),
    path("appeals/inbox/", appeals_staff.appeal_inbox, name="appeal_inbox"),
    # Appeals: grid worker reports and protected attachment downloads
    path("appeals/report/", appeals_grid.grid_report, name="appeal_grid_report"),
    path("appeals/files/<int:pk>/", appeals_attachments.attachment_file, name="appeal_attachment"),
    path("appeals/<str:number>/", appeals_staff.appeal_detail, name="appeal_detail"),
    path("appeals/<str:number>/reveal/", appeals_staff.appeal_reveal, name="appeal_reveal"),
    path("appeals/<str:number>/<slug:step>/", appeals_staff.appeal_step, name="appeal_step"),
]
