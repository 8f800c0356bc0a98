from django.apps import AppConfig


class QuarantineConfig(AppConfig):
    name = "phaodai.quarantine"
    label = "quarantine"
    verbose_name = "Quarantine facilities"
