"""Laboratories are reference data an administrator keeps; the rest is written through services only."""

from django.contrib import admin

from phaodai.diagnostics.models import Lab


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "path", "active")
    list_filter = ("active",)
    search_fields = ("code", "name", "name_en")
    autocomplete_fields = ()
    raw_id_fields = ("unit",)
