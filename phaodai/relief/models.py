"""Relief (S34, S37): items, donations of money and goods, the stock ledger of each unit, transfers
between wards, and food-aid requests from households (foreigners included).

The ledger: every change of a unit's stock of an item is a `Movement` row (signed quantity); `Stock`
holds the running balance of one unit and item, is the row that writers lock, and can never go below
zero (a check constraint backs the service's refusal). Goods only enter by donation (or an adjustment
with a reason) and only leave by distribution, food aid or an adjustment; a transfer moves them from
one unit to another, and while dispatched but not yet received they are "in transit".

Money has its ledger too: a unit's `Fund` holds the đồng it has (money donations in, `Spending` out),
is the row that writers lock and never goes below zero. A purchase spends money and books the goods
bought into the unit's stock (a `purchase_in` movement); cash handed out spends money only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel


def _english() -> bool:
    return (get_language() or "").split("-")[0] == "en"


class Item(TimeStampedModel):
    """A kind of goods handed out (rice, noodles, masks…), counted in whole units of `unit_vi`/`unit_en`."""

    code = models.SlugField(max_length=30, unique=True)
    name_vi = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    unit_vi = models.CharField(max_length=20, help_text=_("e.g. kg, thùng, hộp, lít"))
    unit_en = models.CharField(max_length=20)
    position = models.PositiveSmallIntegerField(default=0)
    daily_need_per_person = models.PositiveIntegerField(
        default=0, help_text=_("A guide for food-aid parcels (0 when not food)")
    )

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("relief item")
        verbose_name_plural = _("relief items")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The item's name in the language of the page (Vietnamese unless English is active)."""
        return self.name_en if _english() and self.name_en else self.name_vi

    @property
    def measure(self) -> str:
        """The unit of measure in the language of the page."""
        return self.unit_en if _english() and self.unit_en else self.unit_vi


class Donation(TimeStampedModel):
    """Money (whole đồng) or goods given to a ward, district or the city; the donor may stay anonymous."""

    class Kind(models.TextChoices):
        MONEY = "money", _("Money")
        GOODS = "goods", _("Goods")

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    anonymous = models.BooleanField(default=False)
    donor_name = models.CharField(max_length=200, blank=True)
    donor_phone = models.CharField(max_length=10, blank=True)
    amount_vnd = models.PositiveBigIntegerField(null=True, blank=True)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    quantity = models.PositiveBigIntegerField(null=True, blank=True)
    received_at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="money", amount_vnd__gt=0, item__isnull=True, quantity__isnull=True)
                    | Q(kind="goods", amount_vnd__isnull=True, item__isnull=False, quantity__gt=0)
                ),
                name="donation_money_or_goods",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"], condition=~Q(idempotency_key=""), name="donation_once"
            ),
        ]
        indexes = [
            models.Index(fields=["unit_path"], name="donation_path", opclasses=["varchar_pattern_ops"])
        ]


class Stock(TimeStampedModel):
    """The balance of one item at one unit: the sum of its movements, never negative; writers lock it."""

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.BigIntegerField(default=0)
    low_threshold = models.PositiveBigIntegerField(
        default=0, help_text=_("Alert when the stock is at or below this (0: no alert)")
    )

    class Meta:
        ordering = ["unit_path", "item__position"]
        verbose_name = _("stock")
        verbose_name_plural = _("stocks")
        constraints = [
            models.UniqueConstraint(fields=["unit", "item"], name="stock_one_per_unit_item"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_never_negative"),
        ]
        indexes = [models.Index(fields=["unit_path"], name="stock_path", opclasses=["varchar_pattern_ops"])]


class Transfer(TimeStampedModel):
    """Goods moved from one ward to another: proposed (by the district or the Fatherland Front),
    approved by the district, dispatched out of the sender, received into the receiver."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        DISPATCHED = "dispatched", _("Dispatched")
        RECEIVED = "received", _("Received")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class Proposer(models.TextChoices):
        DISTRICT = "district", _("District people's committee")
        FATHERLAND_FRONT = "fatherland_front", _("Fatherland Front committee (Ủy ban MTTQ)")
        CITY = "city", _("City steering committee")

    from_unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    from_path = models.CharField(max_length=32)
    to_unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    to_path = models.CharField(max_length=32)
    # The deepest unit above both wards: whoever acts there proposes and approves.
    over_path = models.CharField(max_length=32)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=500, blank=True)
    proposer = models.CharField(max_length=20, choices=Proposer.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    version = models.PositiveIntegerField(default=1)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("stock transfer")
        verbose_name_plural = _("stock transfers")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="transfer_quantity_positive"),
            models.CheckConstraint(condition=~Q(from_unit=models.F("to_unit")), name="transfer_two_units"),
            models.UniqueConstraint(
                fields=["idempotency_key"], condition=~Q(idempotency_key=""), name="transfer_once"
            ),
        ]
        indexes = [
            models.Index(fields=["from_path"], name="transfer_from", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["to_path"], name="transfer_to", opclasses=["varchar_pattern_ops"]),
        ]


class FoodRequest(TimeStampedModel):
    """A household asks its ward for food (S34); foreigners too: no CCCD, a name, phone and address."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Team assigned")
        DELIVERED = "delivered", _("Delivered")
        CLOSED = "closed", _("Closed")

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    name = models.CharField(max_length=150)
    phone = models.CharField(max_length=10)
    address = models.CharField(max_length=255)
    nationality = models.CharField(max_length=60, default="Việt Nam")
    people = models.PositiveSmallIntegerField()
    needs = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    version = models.PositiveIntegerField(default=1)
    requested_at = models.DateTimeField()
    team = models.CharField(max_length=150, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("food-aid request")
        verbose_name_plural = _("food-aid requests")
        constraints = [
            models.CheckConstraint(condition=Q(people__gt=0), name="food_request_people_positive"),
            models.UniqueConstraint(
                fields=["idempotency_key"], condition=~Q(idempotency_key=""), name="food_request_once"
            ),
        ]
        indexes = [models.Index(fields=["unit_path", "status"], name="food_request_scope")]


class Fund(TimeStampedModel):
    """The money one unit holds: money donations in, spending out; never negative; writers lock it."""

    unit = models.OneToOneField("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    balance_vnd = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["unit_path"]
        verbose_name = _("relief fund")
        verbose_name_plural = _("relief funds")
        constraints = [models.CheckConstraint(condition=Q(balance_vnd__gte=0), name="fund_never_negative")]
        indexes = [models.Index(fields=["unit_path"], name="fund_path", opclasses=["varchar_pattern_ops"])]


class Spending(TimeStampedModel):
    """Money paid out of a unit's fund: goods bought for its stock, or cash handed out (to whom, why)."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Goods bought for the stock")
        CASH = "cash", _("Cash handed out")

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount_vnd = models.PositiveBigIntegerField()
    balance_after_vnd = models.BigIntegerField()
    payee = models.CharField(max_length=200, help_text=_("The supplier paid, or who received the cash"))
    reason = models.CharField(max_length=500)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    quantity = models.PositiveBigIntegerField(null=True, blank=True)
    spent_at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-spent_at", "-pk"]
        verbose_name = _("money spent")
        verbose_name_plural = _("money spent")
        constraints = [
            models.CheckConstraint(condition=Q(amount_vnd__gt=0), name="spending_amount_positive"),
            models.CheckConstraint(
                condition=Q(balance_after_vnd__gte=0), name="spending_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="purchase", item__isnull=False, quantity__gt=0)
                    | Q(kind="cash", item__isnull=True, quantity__isnull=True)
                ),
                name="spending_purchase_or_cash",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"], condition=~Q(idempotency_key=""), name="spending_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["unit_path", "spent_at"],
                name="spending_scope",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            )
        ]


class Movement(models.Model):
    """One change of a unit's stock of an item (signed), with what caused it; append-only."""

    class Kind(models.TextChoices):
        DONATION_IN = "donation_in", _("Donation received")
        DISTRIBUTION_OUT = "distribution_out", _("Distributed")
        TRANSFER_OUT = "transfer_out", _("Transferred out")
        TRANSFER_IN = "transfer_in", _("Transferred in")
        FOOD_AID_OUT = "food_aid_out", _("Food aid delivered")
        ADJUSTMENT = "adjustment", _("Adjustment")
        PURCHASE_IN = "purchase_in", _("Bought")

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    quantity = models.BigIntegerField(help_text=_("Positive in, negative out"))
    balance_after = models.BigIntegerField()
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    spending = models.ForeignKey(Spending, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    food_request = models.ForeignKey(
        FoodRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Distributions and adjustments: a retried form or API call finds the first movement by its key.
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="movement_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="movement_balance_not_negative"),
            models.UniqueConstraint(
                fields=["idempotency_key"], condition=~Q(idempotency_key=""), name="movement_once"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "item", "at"], name="movement_unit_item"),
            models.Index(fields=["unit_path", "kind", "at"], name="movement_scope_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity}"
