"""Pages of markets: the registry part (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
