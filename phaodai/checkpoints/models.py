"""Checkpoints (S22, S24), their shift rosters with named staff, and the append-only crossing log."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from phaodai.checkpoints import rules
from phaodai.core.models import TimeStampedModel


class Checkpoint(TimeStampedModel):
    """A checkpoint with exactly one focal (managing) unit; on a boundary it also names the other side."""

    class Kind(models.TextChoices):
        CITY_GATEWAY = rules.CITY_GATEWAY, _("City gateway (chốt cửa ngõ Thành phố)")
        PROVINCE_BORDER = rules.PROVINCE_BORDER, _("Border with a neighbouring province (chốt giáp ranh)")
        DISTRICT = rules.DISTRICT, _("District checkpoint (chốt quận, huyện)")
        WARD = rules.WARD, _("Ward checkpoint (chốt phường, xã)")
        RESIDENTIAL = rules.RESIDENTIAL, _("Residential-area checkpoint (chốt khu dân cư)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In operation")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    code = models.CharField(max_length=20, unique=True, help_text=_("e.g. CN-05 or 268-01"))
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    name_key = models.CharField(max_length=200, db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    road = models.CharField(max_length=100, blank=True, help_text=_("e.g. QL6, QL21B, Đại lộ Thăng Long"))
    location = models.CharField(max_length=300)
    latitude = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    unit = models.ForeignKey(
        "territory.Unit", on_delete=models.PROTECT, related_name="+", help_text=_("The focal (managing) unit")
    )
    unit_path = models.CharField(max_length=32)
    other_side = models.ForeignKey(
        "territory.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("On a boundary: the unit across it, which coordinates but does not manage"),
    )
    other_side_path = models.CharField(max_length=32, blank=True)
    # "<code>|<code>|<road or place>" for a boundary checkpoint, "" otherwise: one focal unit per place.
    boundary_key = models.CharField(max_length=200, blank=True)
    neighbouring_province = models.CharField(max_length=60, blank=True)
    active_from = models.DateTimeField()
    active_until = models.DateTimeField(null=True, blank=True)
    procedure = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the status last changed (empty if not recorded)"),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["unit_path", "code"]
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        indexes = [
            models.Index(fields=["unit_path"], name="checkpoint_path", opclasses=["varchar_pattern_ops"]),
            models.Index(
                fields=["other_side_path"], name="checkpoint_other_path", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=rules.KINDS), name="checkpoint_kind_known"),
            models.CheckConstraint(condition=~Q(other_side=F("unit")), name="checkpoint_one_focal_unit"),
            models.CheckConstraint(
                condition=Q(other_side__isnull=True, boundary_key="")
                | Q(other_side__isnull=False) & ~Q(boundary_key=""),
                name="checkpoint_boundary_key_with_other_side",
            ),
            models.UniqueConstraint(
                fields=["boundary_key"],
                condition=~Q(boundary_key="") & ~Q(status="closed"),
                name="checkpoint_one_focal_unit_per_place",
            ),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True) | Q(active_until__gt=F("active_from")),
                name="checkpoint_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="checkpoint_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="checkpoint_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def in_operation(self, moment: Any) -> bool:
        """Whether the checkpoint operates at `moment` (its status is active and the period holds)."""
        return self.status == self.Status.ACTIVE and self.in_period(moment)

    def in_period(self, moment: Any) -> bool:
        """Whether `moment` falls in the period of operation, whatever the status is now."""
        if moment < self.active_from:
            return False
        return self.active_until is None or moment < self.active_until

    def operated_at(self, moment: Any) -> bool:
        """Whether the checkpoint operated at a past `moment`, for a crossing synced after the fact.

        Suspending or closing does not end the period, so a checkpoint not active now operated only
        before its status changed; without `status_since` (older rows) that is unknown and refused.
        An active checkpoint is judged by its period: earlier suspensions are not recorded.
        """
        if not self.in_period(moment):
            return False
        if self.status == self.Status.ACTIVE:
            return True
        return self.status_since is not None and moment < self.status_since


class StaffMember(TimeStampedModel):
    """Someone who stands shifts: a phaodai user, or a named person of the police, army, health…"""

    class Organisation(models.TextChoices):
        POLICE = "police", _("Police (Công an)")
        ARMY = "army", _("Army (Quân đội)")
        MILITIA = "militia", _("Militia (Dân quân tự vệ)")
        HEALTH = "health", _("Health (Y tế)")
        YOUTH_UNION = "youth_union", _("Youth union (Đoàn thanh niên)")
        CIVIL_DEFENCE = "civil_defence", _("Civil defence (Dân phòng)")
        OTHER = "other", _("Other")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    full_name = models.CharField(max_length=120)
    organisation = models.CharField(max_length=16, choices=Organisation.choices)
    phone = models.CharField(max_length=10, blank=True)
    # Who a person is, for "no one in two places at once": "u<user id>" or "p<mobile number>".
    person_key = models.CharField(max_length=20, unique=True)

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = _("checkpoint staff member")
        verbose_name_plural = _("checkpoint staff")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(phone=""), name="staff_is_a_user_or_has_a_phone"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class Shift(TimeStampedModel):
    """A time slot at a checkpoint and the people who stand it."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="shifts")
    unit_path = models.CharField(max_length=32)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"),
            # Adding the same slot again adds people to it, so a double submit makes one shift.
            models.UniqueConstraint(fields=["checkpoint", "starts_at", "ends_at"], name="shift_slot_once"),
        ]
        indexes = [models.Index(fields=["checkpoint", "starts_at"], name="shift_by_checkpoint")]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.starts_at:%Y-%m-%d %H:%M}"


class ShiftStaff(TimeStampedModel):
    """One person on one shift; the shift's times are copied here so overlaps are one indexed query."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="staff")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="posts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["shift", "staff__full_name"]
        verbose_name = _("shift member")
        verbose_name_plural = _("shift members")
        constraints = [
            models.UniqueConstraint(fields=["shift", "staff"], name="shift_staff_once"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_staff_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["staff", "starts_at"], name="shift_staff_by_person")]

    def __str__(self) -> str:
        return f"{self.staff_id}@{self.shift_id}"


class AppendOnly(models.Model):
    """Rows that are written once: the model refuses changes and deletion (triggers on PostgreSQL)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError(f"{self._meta.label} is append-only: rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError(f"{self._meta.label} is append-only: rows cannot be deleted")


class Crossing(AppendOnly):
    """One pass or vehicle checked at a checkpoint, as the device decided it; never changed."""

    class Direction(models.TextChoices):
        IN = "in", _("In")
        OUT = "out", _("Out")

    class Decision(models.TextChoices):
        ALLOWED = "allowed", _("Allowed")
        DENIED = "denied", _("Denied")

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    # The focal unit's path at the time: scoping and (later) distributing the table need no join.
    unit_path = models.CharField(max_length=32)
    at = models.DateTimeField(help_text=_("When the device checked it"))
    pass_id = models.CharField(max_length=64, blank=True)
    pass_type = models.CharField(max_length=16, blank=True)
    plate = models.CharField(max_length=16, blank=True, help_text=_("Vehicle plate, without separators"))
    direction = models.CharField(max_length=3, choices=Direction.choices)
    decision = models.CharField(max_length=7, choices=Decision.choices)
    # [{"id": ..., "description": ...}]; also one CrossingFailure row each, for the stats.
    failed_rules = models.JSONField(default=list, blank=True)
    bundle_version = models.PositiveIntegerField(null=True, blank=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device_id = models.CharField(max_length=64)
    local_id = models.CharField(max_length=64, help_text=_("The device's own id of the record"))
    recorded_at = models.DateTimeField(help_text=_("When the server received it"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("crossing")
        verbose_name_plural = _("crossings")
        constraints = [
            # A device's re-sync is idempotent: the same record twice is one row.
            models.UniqueConstraint(fields=["device_id", "local_id"], name="crossing_once_per_device_record"),
            models.CheckConstraint(condition=~Q(pass_id="") | ~Q(plate=""), name="crossing_has_a_subject"),
            models.CheckConstraint(condition=Q(direction__in=rules.DIRECTIONS), name="crossing_direction"),
            models.CheckConstraint(condition=Q(decision__in=rules.DECISIONS), name="crossing_decision"),
        ]
        indexes = [
            models.Index(fields=["checkpoint", "at"], name="crossing_by_checkpoint_time"),
            models.Index(
                fields=["unit_path", "at"],
                name="crossing_by_path_time",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            models.Index(fields=["plate", "at"], name="crossing_by_plate", condition=~Q(plate="")),
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.at:%Y-%m-%d %H:%M} {self.decision}"


class CrossingFailure(AppendOnly):
    """One rule a denied crossing failed, with the crossing's place and time for grouped stats."""

    crossing = models.ForeignKey(Crossing, on_delete=models.PROTECT, related_name="failures")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    at = models.DateTimeField()
    rule_id = models.CharField(max_length=64)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["crossing", "rule_id"]
        verbose_name = _("failed rule of a crossing")
        verbose_name_plural = _("failed rules of crossings")
        constraints = [
            models.UniqueConstraint(fields=["crossing", "rule_id"], name="crossing_failure_once"),
        ]
        indexes = [
            models.Index(fields=["checkpoint", "at"], name="failure_by_checkpoint_time"),
            models.Index(
                fields=["unit_path", "at"],
                name="failure_by_path_time",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.crossing_id}:{self.rule_id}"
