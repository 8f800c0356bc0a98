"""Pages of dose imports and the queue of doses to match (part of the "vaccination" namespace)."""

from django.urls import URLPattern, path

from phaodai.vaccination import views_imports

urlpatterns: list[URLPattern] = [
    path("imports/", views_imports.imports, name="imports"),
    path("imports/new/", views_imports.import_new, name="import_new"),
    path("imports/<int:job_id>/", views_imports.import_detail, name="import_detail"),
    path("imports/<int:job_id>/report.csv", views_imports.import_report, name="import_report"),
    path("unmatched/", views_imports.unmatched, name="unmatched"),
    path("unmatched/<int:pk>/match/", views_imports.unmatched_match, name="unmatched_match"),
    path("unmatched/<int:pk>/dismiss/", views_imports.unmatched_dismiss, name="unmatched_dismiss"),
]
