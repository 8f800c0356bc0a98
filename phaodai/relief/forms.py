"""Forms of the relief pages: shapes and messages beside each field; the checks live in the services,
once for the pages and the API, so a form only carries what was typed there and back."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import DomainError
from phaodai.core.idempotency import new_token as new_token  # the pages import it from here
from phaodai.relief.models import Donation, Spending, Transfer
from phaodai.territory import selectors as territory


def unit_choices(paths: tuple[str, ...] | None = None, *, wards_only: bool = False) -> list[tuple[str, Any]]:
    """Hà Nội's districts and wards for a select; with `paths`, only those under them."""
    rows: list[tuple[str, Any]] = [("", "—")]
    city = territory.city()
    units = territory.within(city).order_by("path")
    for unit in [city, *units] if not wards_only else units:
        if wards_only and unit.level != "ward":
            continue
        if paths is not None and not any(unit.path.startswith(path) for path in paths):
            continue
        label = unit.full_name if unit.level != "ward" else f"— {unit.full_name}"
        rows.append((unit.code, label))
    return rows


def item_choices() -> list[tuple[str, str]]:
    from phaodai.relief.selectors import items

    return [("", "—"), *((item.code, f"{item.name} ({item.measure})") for item in items())]


def _text(label: Any, limit: int, *, textarea: bool = False, **attrs: Any) -> forms.CharField:
    widget_attrs = {"maxlength": limit, **attrs}
    widget = forms.Textarea(attrs={"rows": 2, **widget_attrs}) if textarea else forms.TextInput(widget_attrs)
    return forms.CharField(label=label, required=False, widget=widget, strip=False)


def _number(label: Any, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 20, **attrs}),
    )


class DomainForm(forms.Form):
    """A form that puts a service's refusal beside the field it names."""

    def add_domain_error(self, error: DomainError) -> None:
        name = (error.field or "").split(".", 1)[0]
        target = "quantity" if name == "goods" and "quantity" in self.fields else name
        self.add_error(target if target in self.fields else None, str(error.detail))


class DonationForm(DomainForm):
    unit = forms.CharField(label=_("Given to (ward, district or city)"), required=False, widget=forms.Select)
    kind = forms.CharField(
        label=_("Donation of"), required=False, widget=forms.RadioSelect(choices=Donation.Kind.choices)
    )
    amount_vnd = _number(_("Amount (đồng)"), placeholder="5.000.000")
    item = forms.CharField(label=_("Goods"), required=False, widget=forms.Select)
    quantity = _number(_("Quantity"))
    anonymous = forms.BooleanField(label=_("Anonymous donor"), required=False)
    donor_name = _text(_("Donor (person or organisation)"), 200)
    donor_phone = _text(_("Donor's phone (optional)"), 20, inputmode="tel")
    note = _text(_("Note"), 500, textarea=True)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, units: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.choices = units
        self.fields["item"].widget.choices = item_choices()
        if not self.is_bound:
            self.initial.setdefault("token", new_token())
            self.initial.setdefault("kind", Donation.Kind.GOODS)


class MovementForm(DomainForm):
    """Distribute (out), adjust (signed, with a reason) or set the low-stock threshold."""

    quantity = _number(_("Quantity"))
    reason = _text(_("To whom / why"), 500)
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", new_token())


class ThresholdForm(DomainForm):
    threshold = _number(_("Alert at or below"))


class TransferForm(DomainForm):
    from_unit = forms.CharField(label=_("From ward"), required=False, widget=forms.Select)
    to_unit = forms.CharField(label=_("To ward"), required=False, widget=forms.Select)
    item = forms.CharField(label=_("Goods"), required=False, widget=forms.Select)
    quantity = _number(_("Quantity"))
    proposer = forms.CharField(
        label=_("Proposed by"), required=False, widget=forms.Select(choices=Transfer.Proposer.choices)
    )
    reason = _text(_("Why (the needs it balances)"), 500, textarea=True)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, wards: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_unit"].widget.choices = wards
        self.fields["to_unit"].widget.choices = wards
        self.fields["item"].widget.choices = item_choices()
        if not self.is_bound:
            self.initial.setdefault("token", new_token())
            self.initial.setdefault("proposer", Transfer.Proposer.FATHERLAND_FRONT)


class StepForm(DomainForm):
    step = forms.CharField(widget=forms.HiddenInput, required=False)
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    note = _text(_("Note"), 500)


class FoodRequestForm(DomainForm):
    ward = forms.CharField(label=_("Ward (phường, xã)"), required=False, widget=forms.Select)
    name = _text(_("Your name"), 150, autocomplete="name")
    phone = _text(_("Phone"), 20, inputmode="tel", autocomplete="tel")
    address = _text(_("Address (house, lane, street)"), 255, autocomplete="street-address")
    nationality = _text(_("Nationality"), 60)
    people = _number(_("People in the household"))
    needs = _text(_("What you need (optional)"), 500, textarea=True)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, wards: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ward"].widget.choices = wards
        if not self.is_bound:
            self.initial.setdefault("token", new_token())
            self.initial.setdefault("nationality", "Việt Nam")


class AssignForm(DomainForm):
    team = _text(_("Team"), 150, placeholder=_("e.g. Tổ Covid cộng đồng số 3"))
    version = forms.CharField(widget=forms.HiddenInput, required=False)


class DeliverForm(DomainForm):
    """One quantity per item (empty: not given)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    note = _text(_("Note"), 500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from phaodai.relief.selectors import items

        for item in items():
            self.fields[f"goods_{item.code}"] = _number(f"{item.name} ({item.measure})")

    def add_domain_error(self, error: DomainError) -> None:
        name = error.field or ""
        if name.startswith("goods."):
            target = "goods_" + name.split(".", 1)[1]
            self.add_error(target if target in self.fields else None, str(error.detail))
            return
        super().add_domain_error(error)

    def goods(self) -> dict[str, str]:
        return {
            name[len("goods_") :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("goods_") and str(value).strip()
        }


class CloseForm(DomainForm):
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    note = _text(_("Note (required when nothing was delivered)"), 500)


class SpendingForm(DomainForm):
    unit = forms.CharField(label=_("Paid from the fund of"), required=False, widget=forms.Select)
    kind = forms.CharField(
        label=_("Money spent on"), required=False, widget=forms.RadioSelect(choices=Spending.Kind.choices)
    )
    amount_vnd = _number(_("Amount (đồng)"), placeholder="5.000.000")
    payee = _text(_("Paid to (the supplier, or who received the cash)"), 200)
    reason = _text(_("Why"), 500, textarea=True)
    item = forms.CharField(label=_("Goods bought"), required=False, widget=forms.Select)
    quantity = _number(_("Quantity bought"))
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, units: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.choices = units
        self.fields["item"].widget.choices = item_choices()
        if not self.is_bound:
            self.initial.setdefault("token", new_token())
            self.initial.setdefault("kind", Spending.Kind.PURCHASE)
