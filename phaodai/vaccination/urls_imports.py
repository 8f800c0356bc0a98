"""Pages of bulk dose imports (part of the "vaccination" namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
