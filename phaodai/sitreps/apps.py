from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def restore_reference_data(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Put back the shipped report form and schedules after `migrate` or `flush`."""
    from phaodai.sitreps.reference import ensure_reference_data

    ensure_reference_data(using=using)


class SitrepsConfig(AppConfig):
    name = "phaodai.sitreps"
    label = "sitreps"
    verbose_name = "Situation reports"

    def ready(self) -> None:
        post_migrate.connect(restore_reference_data, sender=self, dispatch_uid="sitreps.reference")
