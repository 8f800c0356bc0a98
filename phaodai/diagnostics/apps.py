from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "phaodai.diagnostics"
    label = "diagnostics"
    verbose_name = "Testing and laboratory results"

    def ready(self) -> None:
        # Zoning's test indicators and the situation report's test figures come from here.
        from phaodai.diagnostics import providers

        providers.register()
