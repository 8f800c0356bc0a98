"""The relief errors, each with a stable code (STYLE §6)."""

from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import Conflict, InvalidInput


class NotEnoughStock(Conflict):
    """A distribution, transfer or food-aid delivery of more than is held; says what is held."""

    code = "not_enough_stock"
    message = _("Not enough in stock.")
    status = 409


class NotEnoughMoney(Conflict):
    """Spending more than the unit's fund holds; says what is held."""

    code = "not_enough_money"
    message = _("Not enough money in the fund.")
    status = 409


class ReliefInvalid(InvalidInput):
    code = "invalid_relief"
    message = _("Some of the data is not valid.")


class StaleVersion(Conflict):
    code = "changed_meanwhile"
    message = _("Someone else changed this first; reload it and try again.")


class WrongStep(Conflict):
    code = "wrong_step"
    message = _("This step is not possible now.")
