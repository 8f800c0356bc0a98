from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def restore_reference_data(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Put back the shipped tracing and isolation rules after `migrate` or `flush`."""
    from phaodai.cases.reference import ensure_reference_data

    ensure_reference_data(using=using)


class CasesConfig(AppConfig):
    name = "phaodai.cases"
    label = "cases"
    verbose_name = "Cases and contacts"

    def ready(self) -> None:
        post_migrate.connect(restore_reference_data, sender=self, dispatch_uid="cases.reference")
        # Zoning's case and lockdown indicators and the situation report's case figures come from here.
        from phaodai.cases import providers

        providers.register()
        from django.core import checks

        from phaodai.cases.prepared import check_client_side_binding

        checks.register(check_client_side_binding, checks.Tags.database)
