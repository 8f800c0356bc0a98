from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def restore_reference_data(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Put back the shipped catalogue, regimes and criteria tables after `migrate` or `flush`."""
    from phaodai.zoning.reference import ensure_reference_data

    ensure_reference_data(using=using)


class ZoningConfig(AppConfig):
    name = "phaodai.zoning"
    label = "zoning"
    verbose_name = "Zoning"

    def ready(self) -> None:
        post_migrate.connect(restore_reference_data, sender=self, dispatch_uid="zoning.reference")
