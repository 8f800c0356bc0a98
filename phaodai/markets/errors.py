"""Refusals of the markets app, each with a stable code (STYLE §6)."""

from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import Conflict, InvalidInput


class MarketClosed(Conflict):
    code = "market_closed"
    message = _("This market is closed.")


class NoRepresentative(InvalidInput):
    code = "no_representative"
    message = _("This household has no representative for the market.")


class SchemeLocked(Conflict):
    code = "scheme_locked"
    message = _("This scheme has been withdrawn and can no longer change.")
