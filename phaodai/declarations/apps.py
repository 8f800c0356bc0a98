from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def restore_reference_data(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Put back the shipped 72-hour validity after `migrate` or `flush`."""
    from phaodai.declarations.reference import ensure_reference_data

    ensure_reference_data(using=using)


class DeclarationsConfig(AppConfig):
    name = "phaodai.declarations"
    label = "declarations"
    verbose_name = "Declarations"

    def ready(self) -> None:
        post_migrate.connect(restore_reference_data, sender=self, dispatch_uid="declarations.reference")
