"""Pages of markets: the gate part (included by urls.py): the offline gate page, its worker and manifest,
and the tracing page."""

from django.urls import URLPattern, path

from phaodai.markets import views_gate

urlpatterns: list[URLPattern] = [
    path("market/<str:code>/gate/", views_gate.gate_page, name="gate"),
    path("gate/sw.js", views_gate.gate_worker, name="gate_worker"),
    path("gate/manifest.webmanifest", views_gate.gate_manifest, name="gate_manifest"),
    path("tracing/", views_gate.tracing_page, name="tracing"),
]
