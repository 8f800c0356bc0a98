"""Forms of the inspection pages: shapes and messages beside each field; the rules live in the services."""

import re
from collections.abc import Sequence
from datetime import date
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from phaodai.core.clock import read_local_date
from phaodai.core.errors import DomainError
from phaodai.core.idempotency import new_token
from phaodai.inspections import services
from phaodai.inspections.errors import UnsupportedPhoto
from phaodai.inspections.models import MEASURE_CHOICES, Inspection, TargetKind, Violation

# Shown and typed as Hà Nội wall-clock time; ISO (a date picker's value) is accepted too.
DATETIME_SHOWN = "%d/%m/%Y %H:%M"
DATE_SHOWN = "%d/%m/%Y"
TEXT_MAX = 20_000
NOTE_MAX = 4000
MODE_CHOICES = [
    ("planned", gettext_lazy("Planned (announced)")),
    ("surprise", gettext_lazy("Surprise (unannounced)")),
]


class DomainErrorsMixin:
    """Show a service's refusal beside the field it names, or above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        form: Any = self
        name = error.field if error.field in form.fields else None
        form.add_error(name, str(error.detail))


def moment_field(label: Any, *, required: bool, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(
            format=DATETIME_SHOWN, attrs={"placeholder": "dd/mm/yyyy hh:mm", "inputmode": "numeric"}
        ),
        error_messages={"invalid": gettext_lazy("Give the date and time as dd/mm/yyyy hh:mm.")},
    )


def version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def token_field() -> forms.CharField:
    """A random token made when the form is shown, sent as the planning's idempotency key: a double
    click, or the page sent again, plans one inspection."""
    return forms.CharField(widget=forms.HiddenInput, max_length=services.KEY_MAX, initial=new_token)


# The home page's filters ------------------------------------------------------------------------


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *Inspection.Status.choices],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Target"),
        required=False,
        choices=[("", gettext_lazy("All")), *TargetKind.choices],
    )
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


# Planning ---------------------------------------------------------------------------------------


class PlanForm(DomainErrorsMixin, forms.Form):
    """An inspection of a business (by tax code or from the list), or of another place by ward and label."""

    team = forms.ChoiceField(
        label=gettext_lazy("Team"),
        required=False,
        help_text=gettext_lazy("Empty: your team, if you have only one"),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Kind of inspection"),
        choices=MODE_CHOICES,
        initial="planned",
        widget=forms.RadioSelect,
    )
    scheduled_at = moment_field(
        gettext_lazy("When"), required=False, help_text=gettext_lazy("Hà Nội time; empty means now")
    )
    target_kind = forms.ChoiceField(
        label=gettext_lazy("What is inspected"),
        choices=TargetKind.choices,
        initial=TargetKind.BUSINESS,
        widget=forms.RadioSelect,
    )
    tax_code = forms.CharField(
        label=gettext_lazy("Tax code of the business"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("10 digits, or 13 for a branch; or choose the business below"),
    )
    business = forms.ChoiceField(label=gettext_lazy("Business"), required=False)
    unit = forms.ChoiceField(
        label=gettext_lazy("Ward"),
        required=False,
        help_text=gettext_lazy("For a place that is not a business"),
    )
    area = forms.CharField(
        label=gettext_lazy("Residential area"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("Its code, e.g. 00139-TDP01; needed for a residential area"),
    )
    target_label = forms.CharField(
        label=gettext_lazy("Name of the place"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("e.g. Chợ Long Biên, Chốt kiểm soát số 3"),
    )
    token = token_field()

    def __init__(
        self,
        *args: Any,
        teams: Sequence[tuple[str, str]],
        businesses: Sequence[tuple[str, str]],
        wards: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "—"), *teams]  # type: ignore[attr-defined]
        self.fields["business"].choices = [("", "—"), *businesses]  # type: ignore[attr-defined]
        self.fields["unit"].choices = [("", "—"), *wards]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("target_kind")
        if kind == TargetKind.BUSINESS:
            if data.get("tax_code") and data.get("business"):
                self.add_error("tax_code", _("Give the tax code or choose the business, not both."))
            elif not data.get("tax_code") and not data.get("business"):
                self.add_error("business", _("Give the business's tax code or choose it from the list."))
        elif kind and not data.get("unit"):
            self.add_error("unit", _("Choose the ward of the place inspected."))
        return data


class ReinspectForm(DomainErrorsMixin, forms.Form):
    """The follow-up of a failed inspection, on the same target, by this or another team."""

    team = forms.ChoiceField(
        label=gettext_lazy("Team"), required=False, help_text=gettext_lazy("Empty: the team that inspected")
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Kind of inspection"),
        choices=MODE_CHOICES,
        initial="planned",
        widget=forms.RadioSelect,
    )
    scheduled_at = moment_field(
        gettext_lazy("When"), required=False, help_text=gettext_lazy("Hà Nội time; empty means now")
    )
    token = token_field()

    def __init__(self, *args: Any, teams: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "—"), *teams]  # type: ignore[attr-defined]


# Steps on an inspection -------------------------------------------------------------------------


class VersionForm(forms.Form):
    """A step that needs nothing but the version the user saw (start)."""

    version = version_field()


class CancelForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Say why the inspection is called off.")},
    )
    version = version_field()


class FinishForm(DomainErrorsMixin, forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What was found and what the team did (the minutes)"),
    )
    version = version_field()


# Photos are JPEG or PNG, recognised by the bytes they start with (as the service checks them).
PHOTO_MAGIC = {".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG\r\n\x1a\n"}


def photo_problem(photo: UploadedFile) -> str | None:
    """Why a photo is refused (too large, not a JPEG or PNG), or None."""
    limit = settings.PHAODAI_MAX_UPLOAD_BYTES
    if photo.size is None or photo.size > limit:
        return _("The photo is larger than %(mb)s MB.") % {"mb": f"{limit / 1024 / 1024:.0f}"}
    magic = PHOTO_MAGIC.get(PurePath(photo.name or "").suffix.lower())
    photo.seek(0)
    head = photo.read(8)
    photo.seek(0)
    if magic is None or not head.startswith(magic):
        return str(UnsupportedPhoto.message)
    return None


class FindingsForm(DomainErrorsMixin, forms.Form):
    """Every checklist item: fine or not, a note, a photo. Items left unanswered are not recorded."""

    def __init__(
        self, *args: Any, items: Sequence[dict[str, Any]], english: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            code = item["code"]
            text = (item.get("text_en") if english else "") or item["text"]
            self.fields[f"{code}-ok"] = forms.ChoiceField(
                label=text,
                required=False,
                choices=[
                    ("yes", pgettext("checklist", "In order")),
                    ("no", pgettext("checklist", "Not in order")),
                ],
                widget=forms.RadioSelect,
            )
            self.fields[f"{code}-note"] = forms.CharField(
                label=_("Note"), required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 1})
            )
            self.fields[f"{code}-photo"] = forms.FileField(
                label=_("Photo"),
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
            )

    def rows(self) -> list[dict[str, Any]]:
        """For the template: each item with its three fields."""
        return [
            {
                "code": item["code"],
                "ok": self[f"{item['code']}-ok"],
                "note": self[f"{item['code']}-note"],
                "photo": self[f"{item['code']}-photo"],
            }
            for item in self.items
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for item in self.items:
            code = item["code"]
            photo = data.get(f"{code}-photo")
            if photo:
                problem = photo_problem(photo)
                if problem:
                    self.add_error(f"{code}-photo", problem)
            if not data.get(f"{code}-ok") and (photo or data.get(f"{code}-note")):
                self.add_error(
                    f"{code}-ok", _("Say whether this item is fine before adding a note or photo.")
                )
        if not self.errors and not any(data.get(f"{item['code']}-ok") for item in self.items):
            self.add_error(None, _("Mark at least one item as fine or not fine."))
        return data

    def entries(self) -> list[services.FindingInput]:
        data = self.cleaned_data
        return [
            services.FindingInput(
                item_code=item["code"],
                ok=data[f"{item['code']}-ok"] == "yes",
                note=data.get(f"{item['code']}-note") or "",
                photo=data.get(f"{item['code']}-photo") or None,
            )
            for item in self.items
            if data.get(f"{item['code']}-ok")
        ]


# An amount typed the usual ways: 15000000, 15.000.000, 15,000,000 or 15 000 000, with đ or VND after it.
_GROUPED_AMOUNT = re.compile(r"^\d{1,3}(?:([.,\s])\d{3})?(?:\1\d{3})*$|^\d+$")
_CURRENCY = re.compile(r"\s*(?:đ|đồng|vnd|vnđ)\s*$", re.IGNORECASE)
FINE_MAX = 10**12


class ViolationForm(DomainErrorsMixin, forms.Form):
    """A violation with its kind (and so its legal basis and band), fine, measures and sanction decision."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind of violation"), widget=forms.RadioSelect)
    offender = forms.ChoiceField(
        label=gettext_lazy("Offender"), choices=Violation.Offender.choices, widget=forms.RadioSelect
    )
    offender_name = forms.CharField(
        label=gettext_lazy("Name of the offender"),
        max_length=300,
        help_text=gettext_lazy("The person or organisation the sanction decision is addressed to"),
    )
    fine_amount = forms.CharField(
        label=gettext_lazy("Fine (VND)"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("e.g. 15.000.000; 0 or empty with a warning"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    measures = forms.MultipleChoiceField(
        label=gettext_lazy("Measures"),
        required=False,
        choices=MEASURE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Exactly one of warning and fine; suspension and closure add to it"),
    )
    decision_number = forms.CharField(
        label=gettext_lazy("Sanction decision number"),
        max_length=60,
        help_text=gettext_lazy("e.g. 25/QĐ-XPHC; sending the same decision again records it once"),
    )
    responsible_person = forms.CharField(
        label=gettext_lazy("Responsible person"),
        required=False,
        max_length=120,
        help_text=gettext_lazy("The head of the establishment or unit who answers for it"),
    )

    def __init__(self, *args: Any, kinds: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds)  # type: ignore[attr-defined]

    def clean_fine_amount(self) -> int:
        raw = _CURRENCY.sub("", (self.cleaned_data.get("fine_amount") or "").strip())
        if not raw:
            return 0
        if not _GROUPED_AMOUNT.match(raw):
            raise forms.ValidationError(_("Give the fine in đồng as a whole number, e.g. 15.000.000."))
        amount = int(re.sub(r"\D", "", raw))
        if amount > FINE_MAX:
            raise forms.ValidationError(_("Give the fine in đồng as a whole number, e.g. 15.000.000."))
        return amount

    def violation_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


# The accountability page -------------------------------------------------------------------------

DATE_HINT = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}


class PeriodForm(forms.Form):
    """A unit (by code) and a period of days, this month by default."""

    unit = forms.CharField(label=gettext_lazy("Unit"), required=False, max_length=5)
    start = forms.CharField(
        label=gettext_lazy("From"), required=False, max_length=20, widget=forms.TextInput(DATE_HINT)
    )
    end = forms.CharField(
        label=gettext_lazy("To"), required=False, max_length=20, widget=forms.TextInput(DATE_HINT)
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def _day(self, name: str, default: date) -> date:
        raw = (self.cleaned_data.get(name) or "").strip()
        if not raw:
            return default
        day = read_local_date(raw)
        if day is None:
            raise forms.ValidationError(_("Give the date as dd/mm/yyyy."))
        return day

    def clean_start(self) -> date:
        return self._day("start", self.today.replace(day=1))

    def clean_end(self) -> date:
        return self._day("end", self.today)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period must come after its start."))
        return data
