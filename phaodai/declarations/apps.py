from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "phaodai.declarations"
    label = "declarations"
    verbose_name = "Declarations"
