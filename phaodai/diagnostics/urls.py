"""Pages of diagnostics (namespace "diagnostics", mounted under /diagnostics/)."""

from django.urls import URLPattern

app_name = "diagnostics"

urlpatterns: list[URLPattern] = []
