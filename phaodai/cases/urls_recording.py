"""Pages of case recording: which wards keep their cases here (included by urls.py, namespace "cases")."""

from django.urls import URLPattern, path

from phaodai.cases import views_recording

urlpatterns: list[URLPattern] = [
    path("recording/", views_recording.wards, name="recording"),
    path("recording/<str:code>/start/", views_recording.start, name="recording_start"),
]
