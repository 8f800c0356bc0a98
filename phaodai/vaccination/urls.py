"""Pages of vaccination (namespace "vaccination", mounted under /vaccination/)."""

from django.urls import URLPattern

app_name = "vaccination"

urlpatterns: list[URLPattern] = []
