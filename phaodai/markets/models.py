"""Markets (S26, S27): markets and their capacity, market-pass schemes and their allocation, the passes,
gate entries, reports of temporary markets and street vending, prices and shortages of essential goods.

A market pass (phiếu đi chợ) names one household's representative, a day, an hour slot and a market
(or any market of the ward); it is a signed `PD1:` code of the market type, signed when its sheet is
first printed. Gate entries are the visit log that tracing reads.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel


class Market(TimeStampedModel):
    """A place where residents buy food: its ward and area, opening hours and how many may be inside."""

    class Kind(models.TextChoices):
        LOCAL_MARKET = "local_market", _("Local market (chợ dân sinh)")
        SUPERMARKET = "supermarket", _("Supermarket")
        CONVENIENCE_STORE = "convenience", _("Convenience store")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED_BY_REGIME = "closed_regime", _("Closed by the regime in force")
        CLOSED_BY_ORDER = "closed_order", _("Closed by an order")

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    area = models.ForeignKey(
        "territory.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code = models.CharField(max_length=16, unique=True, help_text=_("e.g. CHO-00139-01"))
    name = models.CharField(max_length=150)
    name_key = models.CharField(max_length=150)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    address = models.CharField(max_length=255)
    opens_at = models.TimeField()
    closes_at = models.TimeField()
    capacity = models.PositiveIntegerField(help_text=_("How many people may be inside at once"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    status_note = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["unit_path", "code"]
        verbose_name = _("market")
        verbose_name_plural = _("markets")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="market_capacity_positive"),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="market_hours_order"),
            models.UniqueConstraint(fields=["unit", "name_key"], name="market_name_unique_in_ward"),
        ]
        indexes = [
            models.Index(fields=["unit_path"], name="market_path_prefix", opclasses=["varchar_pattern_ops"])
        ]

    def __str__(self) -> str:
        return self.name


class VendingReport(TimeStampedModel):
    """A temporary market or street-vending spot (S27), reported by officers or residents."""

    class Kind(models.TextChoices):
        TEMPORARY_MARKET = "temporary_market", _("Temporary market (chợ tạm, chợ cóc)")
        STREET_VENDING = "street_vending", _("Street vending")

    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        HANDLING = "handling", _("Being handled")
        CLEARED = "cleared", _("Cleared")
        UNFOUNDED = "unfounded", _("Not found there")

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    area = models.ForeignKey(
        "territory.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    place = models.CharField(max_length=255, help_text=_("Where: street, lane, landmark"))
    description = models.CharField(max_length=500, blank=True)
    seen_at = models.DateTimeField()
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A resident's report: a name and phone to call back, both optional.
    reporter_name = models.CharField(max_length=150, blank=True)
    reporter_phone = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REPORTED)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handling_note = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-seen_at", "-pk"]
        verbose_name = _("temporary market or street vending report")
        verbose_name_plural = _("temporary market and street vending reports")
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"], condition=~Q(idempotency_key=""), name="vending_report_once"
            )
        ]
        indexes = [
            models.Index(fields=["unit_path", "status"], name="vending_scope_status"),
        ]


class Representative(TimeStampedModel):
    """The one person of a household who goes to market (POLICY.md §5), named by the ward."""

    household = models.OneToOneField("territory.Household", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("household representative")
        verbose_name_plural = _("household representatives")
        indexes = [
            models.Index(
                fields=["unit_path"], name="representative_path_prefix", opclasses=["varchar_pattern_ops"]
            )
        ]


class Scheme(TimeStampedModel):
    """A ward's market-pass scheme for one period, as data (POLICY.md §5).

    `pattern` says which days each household may go:
        {"kind": "every_n_days", "n": 3}    one day in every n (households staggered over the n)
        {"kind": "parity", "extra_weekdays": [6]}
                                             odd or even days of the month by household, plus the
                                             listed weekdays (0 = Monday, 6 = Sunday) for everyone
    """

    class MarketChoice(models.TextChoices):
        NEAREST = "nearest", _("The nearest market")
        ANY_IN_WARD = "any_in_ward", _("Any market of the ward")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ALLOCATED = "allocated", _("Allocated")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    name = models.CharField(max_length=150)
    starts_on = models.DateField()
    ends_on = models.DateField()
    pattern = models.JSONField()
    slot_minutes = models.PositiveSmallIntegerField(default=60)
    market_choice = models.CharField(
        max_length=12, choices=MarketChoice.choices, default=MarketChoice.NEAREST
    )
    single_use = models.BooleanField(default=True)
    # How early or late at the gate a pass is still accepted.
    tolerance_minutes = models.PositiveSmallIntegerField(default=15)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("market-pass scheme")
        verbose_name_plural = _("market-pass schemes")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="scheme_period_order"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=15), name="scheme_slot_length"),
            # A retried "create scheme" finds the one it made instead of making a second.
            models.UniqueConstraint(fields=["unit", "name", "starts_on"], name="scheme_once_per_ward_start"),
        ]
        indexes = [
            models.Index(fields=["unit_path"], name="scheme_path_prefix", opclasses=["varchar_pattern_ops"])
        ]

    def __str__(self) -> str:
        return self.name


class AllocationRun(TimeStampedModel):
    """One run of the allocation of a scheme: what it placed, kept and could not fit."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="runs")
    number = models.PositiveIntegerField()
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    households = models.PositiveIntegerField(default=0)
    passes = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0, help_text=_("Passes already printed, left where they were"))
    left_out_count = models.PositiveIntegerField(
        default=0, help_text=_("Households left out (the list below is bounded, this count is not)")
    )
    # [{"market": code, "day": "YYYY-MM-DD", "short": n}], and households left out with why.
    shortfall = models.JSONField(default=list)
    left_out = models.JSONField(default=list)

    class Meta:
        ordering = ["scheme", "-number"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        constraints = [models.UniqueConstraint(fields=["scheme", "number"], name="allocation_run_number")]


class MarketPass(TimeStampedModel):
    """One trip to market: a representative, a day, an hour slot and a market (or any of the ward)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="passes")
    household = models.ForeignKey("territory.Household", on_delete=models.PROTECT, related_name="+")
    # The household's area path (ward path + area): printing goes by tổ dân phố.
    area = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    representative = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    market = models.ForeignKey(Market, on_delete=models.PROTECT, null=True, blank=True, related_name="passes")
    day = models.DateField()
    slot_start = models.DateTimeField()
    slot_end = models.DateTimeField()
    pass_id = models.CharField(max_length=40, unique=True)
    pass_code = models.TextField(blank=True, help_text=_("The signed PD1: code, once printed"))
    printed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "slot_start", "pk"]
        verbose_name = _("market pass")
        verbose_name_plural = _("market passes")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "household", "day"], name="market_pass_one_per_day"),
            models.CheckConstraint(condition=Q(slot_end__gt=F("slot_start")), name="market_pass_slot_order"),
        ]
        indexes = [
            models.Index(fields=["market", "slot_start"], name="market_pass_market_hour"),
            models.Index(fields=["scheme", "area", "day"], name="market_pass_sheet"),
            models.Index(
                fields=["unit_path"], name="market_pass_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]


class GateEntry(TimeStampedModel):
    """One scan at a market gate, as the device decided it; the visit log tracing reads.

    `entry_key` makes a retry or a device's repeated sync of the same scan count once.
    """

    class Direction(models.TextChoices):
        IN = "in", _("Entry")
        OUT = "out", _("Exit")

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="entries")
    unit_path = models.CharField(max_length=32)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.IN)
    pass_id = models.CharField(max_length=40, blank=True)
    market_pass = models.ForeignKey(
        MarketPass, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    household = models.ForeignKey(
        "territory.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scanned_at = models.DateTimeField(help_text=_("When the device scanned it (its own clock)"))
    allowed = models.BooleanField()
    reason = models.CharField(max_length=40, blank=True)
    # Set when a single-use pass had already been used: when, and where.
    first_used_at = models.DateTimeField(null=True, blank=True)
    double_use = models.BooleanField(default=False)
    device = models.CharField(max_length=64, blank=True)
    entry_key = models.CharField(max_length=100, unique=True)
    synced = models.BooleanField(default=False, help_text=_("Decided offline and sent later"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-scanned_at", "-pk"]
        verbose_name = _("market gate entry")
        verbose_name_plural = _("market gate entries")
        indexes = [
            models.Index(fields=["market", "scanned_at"], name="gate_market_time"),
            models.Index(fields=["pass_id", "scanned_at"], name="gate_pass_time"),
        ]


class PassUse(models.Model):
    """The first accepted entry of a single-use pass: inserting it decides which entry wins."""

    pass_id = models.CharField(max_length=40, unique=True)
    entry = models.OneToOneField(GateEntry, on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField()
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("use of a single-use market pass")
        verbose_name_plural = _("uses of single-use market passes")

    def __str__(self) -> str:
        return self.pass_id


class PriceReport(TimeStampedModel):
    """A market's price of an essential good on a day (S26), in đồng per the good's unit."""

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="prices")
    unit_path = models.CharField(max_length=32)
    day = models.DateField()
    good = models.CharField(max_length=20, help_text=_("A code from the list of essential goods"))
    price = models.PositiveIntegerField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-day", "market", "good"]
        verbose_name = _("price report")
        verbose_name_plural = _("price reports")
        constraints = [
            models.UniqueConstraint(fields=["market", "day", "good"], name="price_once_per_market_day_good"),
            models.CheckConstraint(condition=Q(price__gt=0), name="price_positive"),
        ]
        indexes = [models.Index(fields=["unit_path", "day"], name="price_scope_day")]


class Shortage(TimeStampedModel):
    """A market's report that an essential good is short, until it is resolved."""

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="shortages")
    unit_path = models.CharField(max_length=32)
    good = models.CharField(max_length=20)
    reported_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolved_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_on", "-pk"]
        verbose_name = _("shortage")
        verbose_name_plural = _("shortages")
        constraints = [
            models.UniqueConstraint(
                fields=["market", "good"], condition=Q(resolved_on__isnull=True), name="shortage_one_open"
            )
        ]
