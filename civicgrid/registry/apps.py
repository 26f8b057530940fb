from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "civicgrid.registry"
    verbose_name = _("base registry")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deployment checks
