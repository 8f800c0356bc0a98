"""Concentrated quarantine facilities (S17, S38), their beds, and who is admitted to them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel
from phaodai.core.text import mask_name
from phaodai.quarantine import rules


class RoomKind(models.TextChoices):
    MALE = rules.MALE, _("Male rooms")
    FEMALE = rules.FEMALE, _("Female rooms")
    FAMILY = rules.FAMILY, _("Family rooms")


class Readiness(models.TextChoices):
    """What a facility's readiness reads; the managing unit sets the first, second and last."""

    PREPARING = rules.PREPARING, _("Preparing")
    READY = rules.READY, _("Ready")
    ACTIVE = rules.ACTIVE, _("Active")
    FULL = rules.FULL, _("Full")
    CLOSED = rules.CLOSED, _("Closed")


class Facility(TimeStampedModel):
    """A concentrated quarantine site run by a district or the city, with its beds per room kind."""

    class Kind(models.TextChoices):
        DORMITORY = "dormitory", _("University dormitory")
        SCHOOL = "school", _("School")
        HOTEL = "hotel", _("Hotel")
        BARRACKS = "barracks", _("Barracks")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        """The managing unit's word; a ready facility reads active or full by its occupancy."""

        PREPARING = rules.PREPARING, _("Preparing")
        READY = rules.READY, _("Ready")
        CLOSED = rules.CLOSED, _("Closed")

    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    name_key = models.CharField(max_length=200)
    address = models.CharField(max_length=300)
    unit = models.ForeignKey(
        "territory.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The managing unit: a district or the city"),
    )
    path = models.CharField(max_length=32, help_text=_("The managing unit's path (jurisdiction)"))
    kind = models.CharField(max_length=10, choices=Kind.choices)
    is_school = models.BooleanField(default=False, help_text=_("A school or university to be handed back"))
    return_due = models.DateField(
        null=True, blank=True, help_text=_("When the school is to be handed back (S38 roadmap)")
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREPARING)
    beds_male = models.PositiveIntegerField(default=0)
    beds_female = models.PositiveIntegerField(default=0)
    beds_family = models.PositiveIntegerField(default=0)
    # Beds taken now, kept by the admission services in the admission's own transaction; the checks
    # below make the database itself refuse a count above the beds, whatever the code does.
    used_male = models.PositiveIntegerField(default=0)
    used_female = models.PositiveIntegerField(default=0)
    used_family = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)
    # Bumped by changes of the managing unit (details, beds, readiness), not by admissions.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["path", "name_key"]
        verbose_name = _("quarantine facility")
        verbose_name_plural = _("quarantine facilities")
        indexes = [
            models.Index(fields=["path"], name="facility_path", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name_key"], name="facility_name_once_per_unit"),
            models.CheckConstraint(condition=Q(used_male__lte=F("beds_male")), name="male_beds_not_exceeded"),
            models.CheckConstraint(
                condition=Q(used_female__lte=F("beds_female")), name="female_beds_not_exceeded"
            ),
            models.CheckConstraint(
                condition=Q(used_family__lte=F("beds_family")), name="family_beds_not_exceeded"
            ),
            models.CheckConstraint(condition=Q(state__in=rules.SETTABLE), name="facility_state_known"),
            models.CheckConstraint(
                condition=Q(return_due__isnull=True) | Q(is_school=True), name="return_date_only_for_schools"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def capacity(self) -> rules.Beds:
        return rules.Beds(self.beds_male, self.beds_female, self.beds_family)

    @property
    def used(self) -> rules.Beds:
        return rules.Beds(self.used_male, self.used_female, self.used_family)

    @property
    def free(self) -> rules.Beds:
        return self.capacity.minus(self.used)

    @property
    def readiness(self) -> str:
        return rules.readiness(self.state, self.capacity, self.used)

    def get_readiness_display(self) -> str:
        return str(Readiness(self.readiness).label)


class Admission(TimeStampedModel):
    """A person's stay in a facility, from admission to discharge; at most one open stay per person."""

    class DischargeReason(models.TextChoices):
        RELEASED = "released", _("Released at the end of quarantine")
        TRANSFERRED = "transferred", _("Transferred to another facility")
        HOSPITAL = "hospital", _("Transferred to hospital")
        POSITIVE = "positive", _("Tested positive")
        OTHER = "other", _("Other")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    # The residence ward's path at admission: a ward sees its own residents wherever they are.
    person_path = models.CharField(max_length=32)
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="admissions")
    room_kind = models.CharField(max_length=6, choices=RoomKind.choices)
    admitted_at = models.DateTimeField()
    admitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    order_ref = models.CharField(
        max_length=64, blank=True, help_text=_("The isolation order or decision this admission carries out")
    )
    source = models.CharField(max_length=40, blank=True, help_text=_("Where the order comes from"))
    planned_release = models.DateField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    discharge_reason = models.CharField(max_length=12, choices=DischargeReason.choices, blank=True)
    discharge_note = models.TextField(blank=True)
    transferred_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="transferred_to"
    )
    # A client's key for this admission: its retry returns the first answer (unique per admitting user).
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-admitted_at", "-pk"]
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")
        indexes = [
            models.Index(fields=["facility", "discharged_at"], name="admission_facility_open"),
            models.Index(
                fields=["person_path"], name="admission_person_path", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(discharged_at__isnull=True),
                name="one_open_admission_per_person",
            ),
            models.UniqueConstraint(
                fields=["admitted_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="admission_key_once_per_user",
            ),
            models.CheckConstraint(
                condition=Q(room_kind__in=rules.ROOM_KINDS), name="admission_room_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(discharged_at__isnull=True) | Q(discharged_at__gte=F("admitted_at")),
                name="discharge_not_before_admission",
            ),
            models.CheckConstraint(
                condition=Q(discharged_at__isnull=True, discharge_reason="")
                | Q(discharged_at__isnull=False) & ~Q(discharge_reason=""),
                name="discharge_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.facility_id}"

    @property
    def is_open(self) -> bool:
        return self.discharged_at is None

    @property
    def person_label(self) -> str:
        """How lists and answers name the person: family name and initials, never the CCCD."""
        return mask_name(self.person.full_name)
