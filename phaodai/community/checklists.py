"""The checklist of each kind of special housing (S36), as data: key and label, in the order shown.

A key, once used, is never renamed: ticks are stored by key.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COMMON: tuple[tuple[str, Promise], ...] = (
    ("residents_listed", _("Residents listed and kept up to date")),
    ("declarations", _("Health declarations of every resident")),
    ("handwash", _("Hand-washing points with soap or sanitiser at the entrance")),
    ("isolation_room", _("A room set aside to isolate a suspected case")),
    ("contact_posted", _("The COVID team's and the responsible person's phones posted")),
)
CHECKLISTS: dict[str, tuple[tuple[str, Promise], ...]] = {
    "boarding_house": (
        *COMMON,
        ("landlord_commitment", _("The landlord signed the safety commitment")),
        ("new_tenants_reported", _("New tenants reported to the ward within 24 hours")),
    ),
    "old_apartments": (
        *COMMON,
        ("lifts_cleaned", _("Lifts, stairs and handrails disinfected daily")),
        ("gate_control", _("One entrance controlled, visitors recorded")),
    ),
    "shared_sanitation": (
        *COMMON,
        ("toilet_schedule", _("A cleaning schedule for the shared toilets and washrooms")),
        ("toilet_disinfection", _("Shared toilets disinfected at least twice a day")),
    ),
}
PLAN_PART_LABELS: dict[str, Promise] = {
    "plan": _("The plan's text"),
    "responsible": _("A responsible person with a phone"),
    "dates": _("The plan's dates"),
}


def items_of(kind: str) -> tuple[tuple[str, Promise], ...]:
    return CHECKLISTS.get(kind, COMMON)


def keys_of(kind: str) -> tuple[str, ...]:
    return tuple(key for key, _label in items_of(kind))


def label_of(kind: str, key: str) -> Promise | str:
    return dict(items_of(kind)).get(key, key)
