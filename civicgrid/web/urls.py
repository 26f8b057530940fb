from django.urls import path

from . import views

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
]
