"""Forms of the vending-report and prices pages: shapes and messages beside each field.

The checks live in reports.py and prices.py, once for the pages and the API; a form only carries
what was typed there and back, so nothing typed is lost when something is refused.
"""

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.core.clock import HANOI, now, read_local_date, to_local
from phaodai.core.errors import DomainError
from phaodai.core.idempotency import new_token
from phaodai.markets import prices
from phaodai.markets.models import VendingReport
from phaodai.markets.prices import PricesInvalid
from phaodai.markets.reports import LIMITS, ReportInvalid, VendingInput
from phaodai.territory import selectors as territory

SEEN_AT_FORMATS = ("%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M")


def read_seen_at(text: str) -> Any:
    """An aware instant from the picker's or a typed Hà Nội time; the text itself when unreadable."""
    for pattern in SEEN_AT_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).replace(tzinfo=HANOI)
        except ValueError:
            continue
    return text


def now_for_picker() -> str:
    return to_local(now()).strftime("%Y-%m-%dT%H:%M")


def ward_choices(paths: tuple[str, ...] | None = None) -> list[tuple[str, Any]]:
    """Hà Nội's wards grouped by district for one select; with `paths`, only the wards under them."""
    groups: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str] = {}
    units = territory.within(territory.city()).select_related("parent").order_by("parent__code", "code")
    for unit in units:
        if unit.level != "ward" or unit.parent is None:
            continue
        if paths is not None and not any(unit.path.startswith(path) for path in paths):
            continue
        names[unit.parent.code] = unit.parent.full_name
        groups.setdefault(unit.parent.code, []).append((unit.code, unit.full_name))
    return [("", "—"), *((names[code], wards) for code, wards in groups.items())]


def _text(label: Any, name: str, *, textarea: bool = False, **attrs: Any) -> forms.CharField:
    # No max_length here: the service says how long is too long, for the form and the API alike.
    widget_attrs = {"maxlength": LIMITS[name], **attrs}
    widget = forms.Textarea(attrs={"rows": 3, **widget_attrs}) if textarea else forms.TextInput(widget_attrs)
    return forms.CharField(label=label, required=False, widget=widget, strip=False)


class DomainForm(forms.Form):
    """A form that puts a service's refusal beside the fields it names."""

    def add_domain_error(self, error: DomainError) -> None:
        if isinstance(error, ReportInvalid | PricesInvalid):
            for name, message in error.errors.items():
                target = self.field_of(name)
                self.add_error(target if target in self.fields else None, message)
            return
        target = self.field_of(error.field or "")
        self.add_error(target if target in self.fields else None, str(error.detail))

    def field_of(self, name: str) -> str:
        return name


class VendingForm(DomainForm):
    """A temporary market or street-vending spot; residents add an optional name and phone."""

    ward = forms.CharField(label=_("Ward (phường, xã)"), required=False, widget=forms.Select)
    kind = forms.CharField(
        label=_("What was seen"),
        required=False,
        widget=forms.RadioSelect(choices=VendingReport.Kind.choices),
    )
    place = _text(_("Where"), "place", placeholder=_("Street, lane, landmark"))
    seen_at = forms.CharField(
        label=_("When it was seen"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Hà Nội time."),
    )
    description = _text(_("What you saw (optional)"), "description", textarea=True)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, wards: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ward"].widget.choices = wards
        if not self.is_bound:
            self.initial.setdefault("token", new_token())
            self.initial.setdefault("seen_at", now_for_picker())
            self.initial.setdefault("kind", VendingReport.Kind.STREET_VENDING)

    def vending_input(self) -> VendingInput:
        data = self.cleaned_data
        return VendingInput(
            kind=data.get("kind", ""),
            place=data.get("place", ""),
            seen_at=read_seen_at(data.get("seen_at", "")),
            description=data.get("description", ""),
            area=data.get("area", ""),
        )


class PublicVendingForm(VendingForm):
    reporter_name = _text(_("Your name (optional)"), "reporter_name", autocomplete="name")
    reporter_phone = forms.CharField(
        label=_("Your phone (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "maxlength": 20}),
        help_text=_("Only if the ward may call you back; 10 digits, e.g. 0912345678."),
    )


class OfficerVendingForm(VendingForm):
    area = forms.CharField(
        label=_("Residential area code (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 40, "placeholder": "00139-TDP01"}),
    )


class MoveReportForm(DomainForm):
    status = forms.ChoiceField(
        label=_("Next step"),
        choices=[
            (VendingReport.Status.HANDLING, _("Start handling")),
            (VendingReport.Status.CLEARED, _("Cleared")),
            (VendingReport.Status.UNFOUNDED, _("Not found there")),
        ],
    )
    note = _text(_("Note (required to close: what was done or found)"), "note", textarea=True)
    version = forms.CharField(widget=forms.HiddenInput, required=False)


class PricesForm(DomainForm):
    """One row per essential good: an empty price means not reported today."""

    day = forms.CharField(
        label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for good in prices.goods():
            self.fields[self.price_field(good.code)] = forms.CharField(
                label=good.label,
                required=False,
                strip=False,
                help_text=_("đồng / %(unit)s") % {"unit": good.unit},
                widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 15}),
            )

    @staticmethod
    def price_field(code: str) -> str:
        return f"price_{code}"

    def field_of(self, name: str) -> str:
        return self.price_field(name.split(".", 1)[1]) if name.startswith("prices.") else name

    def day_value(self) -> date | None:
        return read_local_date(self.cleaned_data.get("day") or "")

    def price_rows(self) -> list[Any]:
        return [(good, self[self.price_field(good.code)]) for good in prices.goods()]

    def given(self) -> dict[str, str]:
        return {good.code: self.cleaned_data.get(self.price_field(good.code), "") for good in prices.goods()}


class ShortageForm(DomainForm):
    good = forms.ChoiceField(label=_("Good"), choices=())
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["good"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(good.code, good.label) for good in prices.goods()]


class BoardForm(forms.Form):
    unit = forms.CharField(label=_("Ward or district code"), required=False, max_length=5)
    day = forms.CharField(
        label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def day_value(self) -> date | None:
        return read_local_date(self.cleaned_data.get("day") or "") if self.is_valid() else None
