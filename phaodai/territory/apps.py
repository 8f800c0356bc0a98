from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "phaodai.territory"
    label = "territory"
    verbose_name = "Territory"
