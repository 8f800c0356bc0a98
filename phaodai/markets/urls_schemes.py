"""Pages of markets: the schemes part (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
