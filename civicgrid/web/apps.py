from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "civicgrid.web"
    label = "web"
    verbose_name = _("web interface")

    def ready(self) -> None:
        """Register the menu entries of the pages this app serves (网页菜单)."""
        from civicgrid.core.navigation import NavItem, register_nav_item

        register_nav_item(NavItem("home", _("Home"), "web:home", order=10, staff_only=False))
        register_nav_item(NavItem("territory", _("Territory"), "web:territory", order=20))
        register_nav_item(NavItem("departments", _("Departments"), "web:departments", order=30))
        register_nav_item(NavItem("staff", _("Staff directory"), "web:staff", order=40))
