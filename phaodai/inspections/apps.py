from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def restore_reference_data(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Put back the shipped violation kinds and checklists after `migrate` or `flush`."""
    from phaodai.inspections.reference import ensure_reference_data

    ensure_reference_data(using=using)


class InspectionsConfig(AppConfig):
    name = "phaodai.inspections"
    label = "inspections"
    verbose_name = "Inspections"

    def ready(self) -> None:
        post_migrate.connect(restore_reference_data, sender=self, dispatch_uid="inspections.reference")
        # A closure after a violation shuts the business whatever its regime and plan say.
        from phaodai.business.services import register_stop_source
        from phaodai.inspections.selectors import closure_stop

        register_stop_source("inspections.closure", closure_stop)
