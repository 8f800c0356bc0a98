from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "phaodai.markets"
    label = "markets"
    verbose_name = "Markets"
