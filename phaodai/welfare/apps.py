from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def restore_programmes(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Put back the shipped support programmes after `migrate` or `flush`."""
    from phaodai.welfare.reference import ensure_programmes

    ensure_programmes(using=using)


class WelfareConfig(AppConfig):
    name = "phaodai.welfare"
    label = "welfare"
    verbose_name = "Welfare"

    def ready(self) -> None:
        post_migrate.connect(restore_programmes, sender=self, dispatch_uid="welfare.reference")
