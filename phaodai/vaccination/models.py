"""Vaccines and their schedules, doses given, and adverse events following immunisation (S19)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel


class Product(TimeStampedModel):
    """A COVID-19 vaccine as used in 2021, with the length of its primary series (shipped as data)."""

    class Platform(models.TextChoices):
        MRNA = "mrna", _("mRNA")
        VIRAL_VECTOR = "viral_vector", _("Viral vector")
        INACTIVATED = "inactivated", _("Inactivated virus")
        PROTEIN_SUBUNIT = "protein_subunit", _("Protein subunit")

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    manufacturer = models.CharField(max_length=200)
    platform = models.CharField(max_length=20, choices=Platform.choices)
    series_doses = models.PositiveSmallIntegerField()
    # Codes of products whose dose may follow a dose of this one (MoH's mixing rules).
    interchangeable_with = models.JSONField(default=list, blank=True)
    source = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("vaccine")
        verbose_name_plural = _("vaccines")
        constraints = [
            models.CheckConstraint(condition=Q(series_doses__gte=1), name="series_has_a_dose"),
        ]

    def __str__(self) -> str:
        return self.name


class ScheduleStep(TimeStampedModel):
    """One dose of a product's primary series and its interval after the previous dose, in days."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="steps")
    dose_number = models.PositiveSmallIntegerField()
    # Sputnik V's two doses are different vectors (component I and II).
    component = models.CharField(max_length=80, blank=True)
    component_en = models.CharField(max_length=80, blank=True)
    min_days = models.PositiveSmallIntegerField(null=True, blank=True)
    recommended_days = models.PositiveSmallIntegerField(null=True, blank=True)
    latest_days = models.PositiveSmallIntegerField(null=True, blank=True)
    verified = models.BooleanField(default=False, help_text=_("Figures found in a Vietnamese source"))

    class Meta:
        ordering = ["product", "dose_number"]
        verbose_name = _("schedule step")
        verbose_name_plural = _("schedule steps")
        constraints = [
            models.UniqueConstraint(fields=["product", "dose_number"], name="one_step_per_dose_number"),
            models.CheckConstraint(condition=Q(dose_number__gte=1), name="step_dose_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product.code} #{self.dose_number}"


class Dose(TimeStampedModel):
    """A dose given to a person; a person has at most one dose of each number of the primary series."""

    # Indexed by the unique constraints below (person first), not on its own.
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    # The residence ward's path when the dose was recorded: scoping the dose needs no join.
    path = models.CharField(max_length=32)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(max_length=40)
    dose_number = models.PositiveSmallIntegerField()
    given_on = models.DateField()
    # Kept at write time from the product's series, so coverage groups doses without joining products.
    completes_series = models.BooleanField()
    # When the next dose is due and overdue (None once the series is complete): due lists read them
    # without recomputing intervals in SQL.
    next_due_on = models.DateField(null=True, blank=True)
    next_overdue_after = models.DateField(null=True, blank=True)
    site = models.CharField(max_length=200, help_text=_("Vaccination site, or “at home”"))
    vaccinator = models.CharField(max_length=150)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["person", "dose_number"]
        verbose_name = _("dose")
        verbose_name_plural = _("doses")
        indexes = [
            models.Index(fields=["path"], name="dose_path_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["given_on", "path"], name="dose_day_path"),
            models.Index(fields=["next_due_on", "id"], name="dose_next_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "dose_number"], name="one_dose_per_number_per_person"),
            # A primary series is completed once: coverage joins each person to at most one such dose.
            models.UniqueConstraint(
                fields=["person"], condition=Q(completes_series=True), name="one_completed_series_per_person"
            ),
            models.CheckConstraint(condition=Q(dose_number__gte=1), name="dose_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} #{self.dose_number}"


class Summary(TimeStampedModel):
    """A vaccinated person's dose facts and where they count, one row per person: coverage's numerators
    are read off these narrow rows alone, never off the registry's wide person rows (decision 0022).

    The dose services write it in the dose's own transaction (`services.refresh_summaries`). The
    person's ward path and birth date are copies of the registry's, kept equal by a database trigger on
    the registry's table (migration 0004): a move or a corrected birth date, by any path, moves the row.
    """

    person = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    # The person's residence ward path and birth date (copies of people.Person's, see above).
    unit_path = models.CharField(max_length=32)
    birth_date = models.DateField(null=True, blank=True)
    first_dose_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True, help_text=_("Primary series completed on"))

    class Meta:
        verbose_name = _("vaccination summary")
        verbose_name_plural = _("vaccination summaries")
        indexes = [
            models.Index(fields=["unit_path"], name="summary_unit_path", opclasses=["varchar_pattern_ops"])
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=models.F("first_dose_on")),
                name="summary_completed_after_first_dose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.first_dose_on} / {self.completed_on}"


class AdverseEvent(TimeStampedModel):
    """An adverse event following immunisation (AEFI) reported after a dose."""

    class Severity(models.TextChoices):
        MILD = "mild", _("Mild")
        MODERATE = "moderate", _("Moderate")
        SEVERE = "severe", _("Severe")

    class Outcome(models.TextChoices):
        RECOVERED = "recovered", _("Recovered")
        RECOVERING = "recovering", _("Recovering")
        HOSPITALISED = "hospitalised", _("In hospital")
        DIED = "died", _("Died")
        UNKNOWN = "unknown", _("Not known yet")

    dose = models.ForeignKey(Dose, on_delete=models.PROTECT, related_name="adverse_events")
    path = models.CharField(max_length=32)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    onset_at = models.DateTimeField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.UNKNOWN)
    description = models.TextField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A client's key: its retry returns the first report (unique per reporting user).
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["dose", "onset_at", "id"]
        verbose_name = _("adverse event")
        verbose_name_plural = _("adverse events")
        indexes = [models.Index(fields=["path"], name="aefi_path_prefix", opclasses=["varchar_pattern_ops"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=["mild", "moderate", "severe"]), name="aefi_severity_known"
            ),
            models.UniqueConstraint(
                fields=["reported_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="aefi_key_once_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.severity} after dose {self.dose_id}"


class MobileTeam(TimeStampedModel):
    """A mobile vaccination team (S19) of a ward or district, with the home visits it can make a day."""

    name = models.CharField(max_length=150)
    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=32, help_text=_("The team's unit path (where it works)"))
    daily_capacity = models.PositiveSmallIntegerField()
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["path", "name"]
        verbose_name = _("mobile vaccination team")
        verbose_name_plural = _("mobile vaccination teams")
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="team_name_once_per_unit"),
            models.CheckConstraint(condition=Q(daily_capacity__gte=1), name="team_has_capacity"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamDay(TimeStampedModel):
    """The visits booked for a team on a day; the database refuses more than its capacity."""

    team = models.ForeignKey(MobileTeam, on_delete=models.PROTECT, related_name="days")
    day = models.DateField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["team", "day"]
        constraints = [
            models.UniqueConstraint(fields=["team", "day"], name="one_team_day"),
            models.CheckConstraint(
                condition=Q(booked__lte=models.F("capacity")), name="team_day_not_overbooked"
            ),
        ]


class HomeVisit(TimeStampedModel):
    """A request to vaccinate a person at home (S19), its scheduled team and day, and the dose given."""

    class Reason(models.TextChoices):
        IMMOBILE = "immobile", _("Disabled or immobile")
        SEVERELY_ILL = "severely_ill", _("Severely or chronically ill")
        VERY_OLD = "very_old", _("Very old")
        WARD = "ward", _("Registered by the ward")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SCHEDULED = "scheduled", _("Scheduled")
        DONE = "done", _("Vaccinated")
        CANCELLED = "cancelled", _("Cancelled")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=32)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    team = models.ForeignKey(MobileTeam, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    visit_on = models.DateField(null=True, blank=True)
    dose = models.OneToOneField(Dose, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A cancelled visit keeps its team and day (what was freed) and says why.
    cancel_reason = models.CharField(max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["path", "status", "visit_on", "id"]
        verbose_name = _("home vaccination visit")
        verbose_name_plural = _("home vaccination visits")
        indexes = [models.Index(fields=["path"], name="home_visit_path", opclasses=["varchar_pattern_ops"])]
        constraints = [
            # One open request per person: a second request is the same request (idempotent).
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["requested", "scheduled"]),
                name="one_open_home_visit",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "cancelled"])
                | Q(team__isnull=False, visit_on__isnull=False),
                name="scheduled_visit_has_team_and_day",
            ),
        ]


class Site(TimeStampedModel):
    """A vaccination site with its hourly capacity and incident plan (S19)."""

    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300)
    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=32)
    hourly_capacity = models.PositiveSmallIntegerField()
    opens_at = models.TimeField()
    closes_at = models.TimeField()
    active = models.BooleanField(default=True)
    # The incident plan (S19: "kịch bản xử lý sự cố"): who to call, where to send a severe reaction.
    incident_contact = models.CharField(max_length=150)
    incident_phone = models.CharField(max_length=15)
    nearest_hospital = models.CharField(max_length=200)
    severe_reaction_plan = models.TextField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["path", "name"]
        verbose_name = _("vaccination site")
        verbose_name_plural = _("vaccination sites")
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="site_name_once_per_unit"),
            models.CheckConstraint(condition=Q(hourly_capacity__gte=1), name="site_has_capacity"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="site_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SiteHour(TimeStampedModel):
    """Bookings of one hour at a site; the database refuses more than the site's hourly capacity."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="hours")
    starts_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["site", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["site", "starts_at"], name="one_site_hour"),
            models.CheckConstraint(
                condition=Q(booked__lte=models.F("capacity")), name="site_hour_not_overbooked"
            ),
        ]


class Booking(TimeStampedModel):
    """A person's booked hour at a site, from an invitation of their priority group or directly."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        BOOKED = "booked", _("Booked")
        CHECKED_IN = "checked_in", _("Checked in")
        CANCELLED = "cancelled", _("Cancelled")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="bookings")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=32, help_text=_("The person's ward path"))
    priority_group = models.CharField(max_length=24, blank=True)
    invited_for = models.DateField(null=True, blank=True)
    hour = models.ForeignKey(
        SiteHour, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A cancelled booking keeps its hour (the place it freed) and says why.
    cancel_reason = models.CharField(max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["site", "hour", "id"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [models.Index(fields=["path"], name="booking_path", opclasses=["varchar_pattern_ops"])]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "person"], condition=~Q(status="cancelled"), name="one_live_booking_per_site"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["invited", "cancelled"]) | Q(hour__isnull=False),
                name="booking_has_hour",
            ),
        ]


class DoseCorrection(models.Model):
    """A dose changed by an import after it was recorded: the values before and after, kept for history."""

    dose = models.ForeignKey(Dose, on_delete=models.PROTECT, related_name="corrections")
    product_before = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    product_after = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    lot_before = models.CharField(max_length=40)
    lot_after = models.CharField(max_length=40)
    given_on_before = models.DateField()
    given_on_after = models.DateField()
    site_before = models.CharField(max_length=200)
    site_after = models.CharField(max_length=200)
    vaccinator_before = models.CharField(max_length=150)
    vaccinator_after = models.CharField(max_length=150)
    import_job = models.ForeignKey(
        "core.ImportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    corrected_at = models.DateTimeField()

    class Meta:
        ordering = ["dose", "corrected_at", "id"]
        verbose_name = _("dose correction")
        verbose_name_plural = _("dose corrections")

    def __str__(self) -> str:
        return f"dose {self.dose_id} corrected {self.corrected_at:%Y-%m-%d}"


class UnmatchedDose(TimeStampedModel):
    """An imported dose whose person is not in the registry: waits for a ward to match it (never dropped)."""

    class Status(models.TextChoices):
        OPEN = "open", _("To match")
        MATCHED = "matched", _("Matched")
        DISMISSED = "dismissed", _("Dismissed")

    import_job = models.ForeignKey("core.ImportJob", on_delete=models.PROTECT, related_name="+")
    row_number = models.PositiveIntegerField()
    # The CCCD as given, encrypted, with the registry's blind index: a person registered later is found
    # by the same index.
    cccd_ciphertext = models.BinaryField()
    cccd_index = models.CharField(max_length=64)
    full_name = models.CharField(max_length=150, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(max_length=40)
    dose_number = models.PositiveSmallIntegerField()
    given_on = models.DateField()
    site = models.CharField(max_length=200, blank=True)
    vaccinator = models.CharField(max_length=150, blank=True)
    # The uploader's unit path: whom the queue shows it to until it is matched.
    path = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    dose = models.ForeignKey(Dose, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["path", "created_at", "id"]
        verbose_name = _("dose to match")
        verbose_name_plural = _("doses to match")
        constraints = [
            # One open entry per person (by CCCD) and dose number, as Dose is one per person and number.
            models.UniqueConstraint(
                fields=["cccd_index", "dose_number"],
                condition=Q(status="open"),
                name="unmatched_dose_open_once",
            ),
            models.CheckConstraint(condition=Q(dose_number__gte=1), name="unmatched_dose_number_positive"),
        ]
        indexes = [models.Index(fields=["path", "status", "created_at"], name="unmatched_dose_scope")]

    def __str__(self) -> str:
        return f"row {self.row_number} of import {self.import_job_id}: dose {self.dose_number}"
