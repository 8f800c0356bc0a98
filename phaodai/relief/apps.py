from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def restore_items(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Put back the shipped relief items after `flush` (a transactional test's teardown empties them)."""
    from phaodai.relief.catalogue import sync_items
    from phaodai.relief.models import Item

    sync_items(Item)


class ReliefConfig(AppConfig):
    name = "phaodai.relief"
    label = "relief"
    verbose_name = "Relief"

    def ready(self) -> None:
        post_migrate.connect(restore_items, sender=self, dispatch_uid="relief.items")
