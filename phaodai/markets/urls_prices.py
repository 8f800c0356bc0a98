"""Pages of markets: the prices part (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
