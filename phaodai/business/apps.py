from django.apps import AppConfig


class BusinessConfig(AppConfig):
    name = "phaodai.business"
    label = "business"
    verbose_name = "Businesses"
