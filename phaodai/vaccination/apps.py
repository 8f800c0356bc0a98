from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def restore_reference_data(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Put back the shipped vaccines and their schedules after `migrate` or `flush`."""
    from phaodai.vaccination.reference import ensure_reference_data

    ensure_reference_data(using=using)


class VaccinationConfig(AppConfig):
    name = "phaodai.vaccination"
    label = "vaccination"
    verbose_name = "Vaccination"

    def ready(self) -> None:
        post_migrate.connect(restore_reference_data, sender=self, dispatch_uid="vaccination.reference")
        # Zoning's coverage indicators and the situation report's doses given come from here.
        from phaodai.vaccination import providers

        providers.register()
