"""Pages of vehicles (namespace "vehicles", mounted under /vehicles/)."""

from django.urls import URLPattern

app_name = "vehicles"

urlpatterns: list[URLPattern] = []
