from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def restore_reference_data(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Put back the shipped offices (the city's departments) after `migrate` or `flush`."""
    from phaodai.command.reference import ensure_reference_data

    ensure_reference_data(using=using)


class CommandConfig(AppConfig):
    name = "phaodai.command"
    label = "command"
    verbose_name = "Command"

    def ready(self) -> None:
        post_migrate.connect(restore_reference_data, sender=self, dispatch_uid="command.reference")
