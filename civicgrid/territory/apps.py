from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "civicgrid.territory"
    label = "territory"
