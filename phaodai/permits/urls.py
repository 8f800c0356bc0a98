"""Pages of permits (namespace "permits", mounted under /permits/)."""

from django.urls import URLPattern

app_name = "permits"

urlpatterns: list[URLPattern] = []
