"""How the public pages say things: rule statuses, activity groups, indicators, conditions in words."""

from collections.abc import Mapping
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# status -> (symbol, words); the symbol doubles the colour, the words double the symbol.
STATUSES: dict[str, tuple[str, Any]] = {
    "allowed": ("✓", gettext_lazy("Allowed")),
    "conditional": ("!", gettext_lazy("Allowed with conditions")),
    "forbidden": ("✗", gettext_lazy("Not allowed")),
}

GROUPS: dict[str, Any] = {
    "food": gettext_lazy("Food and drink"),
    "trade": gettext_lazy("Shops and markets"),
    "services": gettext_lazy("Services"),
    "leisure": gettext_lazy("Leisure and sport"),
    "gatherings": gettext_lazy("Gatherings"),
    "work": gettext_lazy("Work"),
    "transport": gettext_lazy("Transport"),
    "education": gettext_lazy("Education"),
    "movement": gettext_lazy("Going out and travel"),
}

INDICATORS: dict[str, Any] = {
    "community_cases_7d": gettext_lazy("community cases in the last 7 days"),
    "community_cases_14d": gettext_lazy("community cases in the last 14 days"),
    "unknown_source_cases_14d": gettext_lazy("cases of unknown source in the last 14 days"),
    "cases_per_100k_7d": gettext_lazy("new community cases per 100,000 people in the last 7 days"),
    "days_since_last_community_case": gettext_lazy("days since the last community case"),
    "lockdown_active": gettext_lazy("a lockdown is in force"),
    "tests_7d": gettext_lazy("tests taken in the last 7 days"),
    "test_positivity_7d_pct": gettext_lazy("% of tests positive in the last 7 days"),
    "first_dose_18plus_pct": gettext_lazy("% of adults (18+) with a first dose"),
    "full_dose_65plus_pct": gettext_lazy("% of people aged 65+ fully vaccinated"),
    "treatment_capacity_met": gettext_lazy("treatment capacity is met"),
    "kind": gettext_lazy("kind of area"),
    "population": gettext_lazy("population"),
    "shared_sanitation": gettext_lazy("dense housing with shared sanitation"),
}

OPERATORS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}

MODIFIERS: dict[str, Any] = {
    "no_downgrade_unless": gettext_lazy("The level cannot go down while “%(indicator)s” does not hold."),
}


def status_symbol(status: str) -> str:
    return STATUSES.get(status, ("?", ""))[0]


def status_words(status: str) -> str:
    return str(STATUSES.get(status, ("?", status))[1])


def group_name(group: str) -> str:
    return str(GROUPS.get(group, group))


def indicator_name(code: str) -> str:
    return str(INDICATORS.get(code, code))


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return (
        number_format(value, use_l10n=True, force_grouping=True)
        if isinstance(value, int | float)
        else str(value)
    )


def describe_condition(indicator: str, op: str, value: Any) -> str:
    """A criteria-table condition in words: "community cases in the last 14 days ≥ 1"."""
    name = indicator_name(indicator)
    if isinstance(value, bool):
        holds = (op == "==") == value
        return name if holds else _("not: %(condition)s") % {"condition": name}
    if indicator == "kind":
        value = str(value)
    return f"{name} {OPERATORS.get(op, op)} {_number(value)}"


def describe_modifier(kind: str, indicator: str) -> str:
    template = MODIFIERS.get(kind)
    if template is None:
        return f"{kind}: {indicator}"
    return str(template) % {"indicator": indicator_name(indicator)}


def describe_rule_conditions(conditions: Mapping[str, Any]) -> list[str]:
    """A regime rule's structured conditions in words, one phrase each ("≤ 20 people", "09:00–20:00")."""
    phrases: list[str] = []
    rest = dict(conditions)
    opens, closes = rest.pop("opens_at", None), rest.pop("closes_at", None)
    if opens and closes:
        phrases.append(_("%(opens)s–%(closes)s only") % {"opens": opens, "closes": closes})
    elif closes:
        phrases.append(_("closes before %(time)s") % {"time": closes})
    elif opens:
        phrases.append(_("not before %(time)s") % {"time": opens})
    for key, value in rest.items():
        phrases.append(_describe(key, value))
    return phrases


def _describe(key: str, value: Any) -> str:
    number = {"n": _number(value)}
    match key:
        case "max_people":
            return _("≤ %(n)s people") % number
        case "capacity_pct":
            return _("≤ %(n)s%% of capacity") % number
        case "onsite_staff_pct":
            return _("≤ %(n)s%% of staff on site") % number
        case "takeaway_only":
            return _("takeaway only")
        case "requires_vaccination":
            return _("vaccinated people only")
        case "requires_negative_test_hours":
            return _("a negative test within %(n)s hours is required") % number
        case "distance_m":
            return _("keep %(n)s m apart") % number
        case "health_declaration":
            return _("health declaration or QR check-in required")
        case "essential_only":
            return _("essential needs only")
        case "permit_required":
            return _("a permit is required")
    return f"{key}: {value}"
