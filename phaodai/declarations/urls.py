"""Pages of declarations (namespace "declarations", mounted under /declarations/)."""

from django.urls import URLPattern

app_name = "declarations"

urlpatterns: list[URLPattern] = []
