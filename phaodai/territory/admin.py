from django.contrib import admin

from phaodai.territory.models import Area, Household, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "full_name", "level", "parent"]
    list_filter = ["level", "unit_type"]
    search_fields = ["code", "name", "name_key"]
    readonly_fields = ["path"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "ward", "population", "households"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "name_key"]
    raw_id_fields = ["ward"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["code", "address", "area"]
    search_fields = ["code", "address"]
    raw_id_fields = ["area"]
