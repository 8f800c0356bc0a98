from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "phaodai.diagnostics"
    label = "diagnostics"
    verbose_name = "Testing and laboratory results"
