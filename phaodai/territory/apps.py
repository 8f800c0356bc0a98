from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def restore_reference_units(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Put back any missing real unit after `migrate` or `flush` (tests empty tables between runs)."""
    from phaodai.territory.models import Unit
    from phaodai.territory.units import ensure_units

    ensure_units(Unit, using=using)


class TerritoryConfig(AppConfig):
    name = "phaodai.territory"
    label = "territory"
    verbose_name = "Territory"

    def ready(self) -> None:
        post_migrate.connect(restore_reference_units, sender=self, dispatch_uid="territory.units")
