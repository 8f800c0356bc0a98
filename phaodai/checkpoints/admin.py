"""Admin: checkpoints are read here and changed through the pages; the crossing log is read-only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from phaodai.checkpoints.models import Checkpoint, Crossing


class ReadOnly(admin.ModelAdmin):
    """Nothing is added, changed or deleted from the admin (the services keep the rules and the audit)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnly):
    list_display = ("code", "name", "kind", "road", "unit_path", "status")
    list_filter = ("kind", "status")
    search_fields = ("code", "name_key", "road")


@admin.register(Crossing)
class CrossingAdmin(ReadOnly):
    list_display = ("at", "checkpoint", "decision", "direction", "pass_type", "device_id", "local_id")
    list_filter = ("decision", "direction")
    date_hierarchy = "at"
    show_full_result_count = False  # the log is large: no exact counts
