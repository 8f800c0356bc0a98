from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PortalConfig(AppConfig):
    name = "phaodai.portal"
    label = "portal"
    verbose_name = "Public portal"

    def ready(self) -> None:
        from phaodai.portal.rulebook import forget

        # Any change to what a regime says empties the in-memory rulebooks (see rulebook.py).
        for model in ("zoning.Regime", "zoning.RegimeRule", "zoning.Activity"):
            for signal in (post_save, post_delete):
                signal.connect(
                    forget, sender=model, dispatch_uid=f"portal.rulebook.{signal_name(signal)}.{model}"
                )


def signal_name(signal: object) -> str:
    return "saved" if signal is post_save else "deleted"
