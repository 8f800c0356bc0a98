"""Pages of cases, contacts, clusters, isolation and lockdowns (namespace "cases", mounted at /cases/)."""

from django.urls import URLPattern

from phaodai.cases import urls_isolation, urls_lockdowns, urls_recording, urls_tracing

app_name = "cases"

urlpatterns: list[URLPattern] = [
    *urls_tracing.urlpatterns,
    *urls_isolation.urlpatterns,
    *urls_lockdowns.urlpatterns,
    *urls_recording.urlpatterns,
]
