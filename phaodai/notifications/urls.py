"""The notification inbox, mounted at /notifications/ (namespace "notifications")."""

from django.urls import URLPattern, path

from phaodai.notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern] = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
]
