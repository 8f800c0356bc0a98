"""The wording of the 14-day questions (codes in rules.py), shown by the form, the pages and the API."""

from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from phaodai.declarations.rules import EXPOSURES, SYMPTOMS

LABELS: Final[dict[str, Promise]] = {
    "fever": _("Fever"),
    "cough": _("Cough"),
    "breathing": _("Breathing difficulty"),
    "sore_throat": _("Sore throat"),
    "nausea": _("Nausea or vomiting"),
    "diarrhoea": _("Diarrhoea"),
    "taste_smell": _("Loss of taste or smell"),
    "fatigue": _("Tiredness"),
    "close_contact": _("Close contact (within 2 m) with a confirmed or suspected COVID-19 case"),
    "contact_symptomatic": _("Close contact with someone with fever, cough or breathing difficulty"),
    "outbreak_area": _("Travel from or through an area with an outbreak"),
    "animal_market": _("A visit to an animal farm or a live-animal market"),
}
assert set(LABELS) == set(SYMPTOMS + EXPOSURES)


def symptom_items() -> list[tuple[str, Promise]]:
    return [(code, LABELS[code]) for code in SYMPTOMS]


def exposure_items() -> list[tuple[str, Promise]]:
    return [(code, LABELS[code]) for code in EXPOSURES]
