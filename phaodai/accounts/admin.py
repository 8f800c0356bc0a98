from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from phaodai.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class PhaodaiUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
