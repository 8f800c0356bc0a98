from django.apps import AppConfig


class PermitsConfig(AppConfig):
    name = "phaodai.permits"
    label = "permits"
    verbose_name = "Permits"
