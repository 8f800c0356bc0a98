from django.apps import AppConfig


class PassesConfig(AppConfig):
    name = "phaodai.passes"
    label = "passes"
    verbose_name = "Passes"
