"""Pages of markets: the gate part (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
