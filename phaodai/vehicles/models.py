"""Vehicles at checkpoints: green-lane registrations (luồng xanh), transit trips (S23), shippers (S25)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel
from phaodai.vehicles.rules import shown_plate


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")


# A registration that still stands (or may): one per plate and start, so a re-submission finds it.
STANDING = (Status.SUBMITTED, Status.APPROVED)


class Registration(TimeStampedModel):
    """What every vehicle registration has: its issuing unit, validity, state and signed pass."""

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    version = models.PositiveIntegerField(default=1)
    pass_code = models.TextField(blank=True, help_text=_("The signed PD1: code, once issued"))
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        abstract = True

    @property
    def reference(self) -> str:
        return f"{self.REFERENCE_PREFIX}-{self.pk:06d}"

    REFERENCE_PREFIX = "VH"

    @property
    def plate_text(self) -> str:
        """The plate as people write it (29C-123.45)."""
        return shown_plate(getattr(self, "plate", ""))


class GreenLane(Registration):
    """A goods vehicle on the green lane (luồng xanh): its operator, cargo and route, QR green card."""

    REFERENCE_PREFIX = "LX"

    plate = models.CharField(max_length=16, help_text=_("Without separators, e.g. 29C12345"))
    operator = models.CharField(max_length=120, help_text=_("The transport company"))
    cargo = models.CharField(max_length=120)
    route = models.CharField(max_length=120)
    batch = models.CharField(max_length=40, blank=True, help_text=_("The fleet import it came from"))

    class Meta:
        ordering = ["-valid_from", "-pk"]
        verbose_name = _("green-lane registration")
        verbose_name_plural = _("green-lane registrations")
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gt=F("valid_from")), name="green_lane_period"),
            models.UniqueConstraint(
                fields=["plate", "valid_from"],
                condition=Q(status__in=STANDING),
                name="green_lane_one_standing_per_plate_start",
            ),
        ]
        indexes = [
            models.Index(fields=["plate", "valid_to"], name="green_lane_by_plate"),
            models.Index(fields=["unit_path", "status"], name="green_lane_by_path"),
        ]

    def __str__(self) -> str:
        return f"{self.plate} {self.operator}"


class TransitTrip(Registration):
    """A transit vehicle (S23) crossing the city without stopping: where from and to, where it enters."""

    REFERENCE_PREFIX = "QC"

    plate = models.CharField(max_length=16)
    operator = models.CharField(max_length=120, blank=True)
    cargo = models.CharField(max_length=120, blank=True)
    from_province = models.CharField(max_length=60)
    to_province = models.CharField(max_length=60)
    entry_checkpoint = models.ForeignKey(
        "checkpoints.Checkpoint", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expected_hours = models.PositiveSmallIntegerField(help_text=_("Hours allowed from entry to exit"))

    class Meta:
        ordering = ["-valid_from", "-pk"]
        verbose_name = _("transit trip")
        verbose_name_plural = _("transit trips")
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gt=F("valid_from")), name="transit_period"),
            models.CheckConstraint(
                condition=Q(expected_hours__gte=1, expected_hours__lte=48), name="transit_expected_hours"
            ),
            models.UniqueConstraint(
                fields=["plate", "valid_from"],
                condition=Q(status__in=STANDING),
                name="transit_one_standing_per_plate_start",
            ),
        ]
        indexes = [
            models.Index(fields=["plate", "valid_from"], name="transit_by_plate"),
            models.Index(fields=["unit_path", "status", "valid_from"], name="transit_by_path"),
        ]

    def __str__(self) -> str:
        return f"{self.plate} {self.from_province} → {self.to_province}"


class Shipper(Registration):
    """A two-wheel delivery rider (S25) with their company, allowed hours and zones."""

    REFERENCE_PREFIX = "SP"

    full_name = models.CharField(max_length=120)
    company = models.CharField(max_length=120)
    # The CCCD as the project keeps it: AES-GCM ciphertext bound to this column, plus the blind index.
    cccd_ciphertext = models.BinaryField()
    cccd_index = models.CharField(max_length=64)
    cccd_last3 = models.CharField(max_length=3)
    birth_year = models.PositiveSmallIntegerField()
    plate = models.CharField(max_length=16)
    hours_start = models.TimeField()
    hours_end = models.TimeField()
    zones = models.JSONField(default=list, help_text=_("Codes of the units the shipper may work in"))

    class Meta:
        ordering = ["company", "full_name", "pk"]
        verbose_name = _("shipper")
        verbose_name_plural = _("shippers")
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gt=F("valid_from")), name="shipper_period"),
            models.CheckConstraint(condition=Q(hours_end__gt=F("hours_start")), name="shipper_hours_order"),
            models.UniqueConstraint(
                fields=["cccd_index"],
                condition=Q(status__in=STANDING),
                name="shipper_one_standing_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["plate"], name="shipper_by_plate"),
            models.Index(fields=["unit_path", "status"], name="shipper_by_path"),
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.full_name}"
