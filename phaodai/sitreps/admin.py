"""Administrators author report forms and schedules here; officials use the report pages."""

from typing import Any

from django import forms
from django.contrib import admin

from phaodai.core.rules import RuleError, validate
from phaodai.sitreps.models import FormCheck, FormField, ReportForm, Schedule, Slot


class FormFieldInline(admin.TabularInline):
    model = FormField
    extra = 0


class FormCheckForm(forms.ModelForm):
    class Meta:
        model = FormCheck
        fields = ["code", "logic", "field_code", "message", "message_en"]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        form = self.instance.form if self.instance.form_id else None
        allowed = None if form is None else set(form.fields.values_list("code", flat=True))
        try:
            validate(cleaned.get("logic"), allowed_vars=allowed)
        except RuleError as error:
            self.add_error("logic", str(error))
        return cleaned


class FormCheckInline(admin.TabularInline):
    model = FormCheck
    form = FormCheckForm
    extra = 0


@admin.register(ReportForm)
class ReportFormAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    inlines = [FormFieldInline, FormCheckInline]


class SlotInline(admin.TabularInline):
    model = Slot
    extra = 0


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "reporter_level", "scope", "active_from", "active_until"]
    autocomplete_fields = ["scope"]
    inlines = [SlotInline]
