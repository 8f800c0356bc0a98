"""Report forms, schedules with daily slots, submissions and their revisions, urgent reports."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel


class ReportForm(TimeStampedModel):
    """What a report carries: its fields and the checks between them."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")

    def __str__(self) -> str:
        return self.name


class FormField(models.Model):
    """One indicator of a form: its type, unit, how it rolls up, and the provider that prefills it."""

    class Kind(models.TextChoices):
        COUNT = "count", _("Count")
        AMOUNT = "amount", _("Amount of money (VND)")
        TEXT = "text", _("Text")

    class Rollup(models.TextChoices):
        SUM = "sum", _("Sum")
        MAX = "max", _("Largest")
        LATEST = "latest", _("Latest")
        COLLECT = "collect", _("Collected, unit by unit")

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="fields")
    code = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    unit_label = models.CharField(max_length=30, blank=True, help_text=_("e.g. người, mẫu, đồng"))
    unit_label_en = models.CharField(max_length=30, blank=True)
    rollup = models.CharField(max_length=8, choices=Rollup.choices)
    required = models.BooleanField(default=True)
    section = models.CharField(max_length=100, blank=True)
    section_en = models.CharField(max_length=100, blank=True)
    main = models.BooleanField(default=False, help_text=_("Charted over time"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="form_field_code_once")]

    def __str__(self) -> str:
        return self.code


class FormCheck(models.Model):
    """A validation rule between fields, as JsonLogic (e.g. positives ≤ tests), with the message it shows."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="checks")
    code = models.CharField(max_length=40)
    logic = models.JSONField()
    field_code = models.CharField(max_length=40, help_text=_("The field the message is shown beside"))
    message = models.CharField(max_length=300)
    message_en = models.CharField(max_length=300)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="form_check_code_once")]

    def __str__(self) -> str:
        return self.code


class Schedule(TimeStampedModel):
    """Who reports (units of one level under `scope`), to their parent unit, on which form, in which slots."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("District")
        WARD = "ward", _("Ward")

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    form = models.ForeignKey(ReportForm, on_delete=models.PROTECT, related_name="schedules")
    reporter_level = models.CharField(max_length=8, choices=Level.choices)
    scope = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    # A district schedule can be generated from its wards' reports on this schedule.
    source = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    grace_minutes = models.PositiveSmallIntegerField(
        default=0, help_text=_("Still on time this long after the deadline")
    )
    lock_after_hours = models.PositiveSmallIntegerField(
        default=24, help_text=_("No submission or correction this long after the deadline")
    )
    open_hours_before = models.PositiveSmallIntegerField(
        default=8, help_text=_("A slot takes reports from this long before its deadline")
    )
    remind_minutes_before = models.PositiveSmallIntegerField(default=60)
    active_from = models.DateField()
    active_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")

    def __str__(self) -> str:
        return self.code


class Slot(models.Model):
    """A named daily slot: its time (which names it, e.g. 16:30) and its deadline that day."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="slots")
    name = models.CharField(max_length=60)
    name_en = models.CharField(max_length=60)
    at = models.TimeField()
    deadline = models.TimeField()

    class Meta:
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "at"], name="slot_time_once_per_schedule"),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("at")), name="slot_deadline_not_before_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.at:%H:%M}"


class Submission(TimeStampedModel):
    """The one report of a unit for a slot on a day; corrections add revisions, acceptance locks it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")

    schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="submissions")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    receiver = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    slot_at = models.DateTimeField(help_text=_("The slot's time on its day (UTC)"))
    deadline_at = models.DateTimeField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_time = models.BooleanField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revision = models.PositiveSmallIntegerField(default=1)
    values = models.JSONField(default=dict)
    # What the system knew when the form was opened; the difference from `values` is the reporter's fix.
    prefilled = models.JSONField(default=dict, blank=True)
    rolled_up_from = models.JSONField(
        default=list, blank=True, help_text=_("Units whose reports were summed")
    )
    idempotency_key = models.CharField(max_length=80, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-slot_at", "unit__code"]
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")
        indexes = [
            models.Index(fields=["schedule", "slot_at"], name="submission_by_slot"),
            models.Index(fields=["unit_path", "slot_at"], name="submission_by_unit"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "unit", "slot_at"], name="one_submission_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id}/{self.unit_id}/{self.slot_at:%Y-%m-%d %H:%M}"


class Revision(models.Model):
    """Every version of a submission's values, the first included (append-only)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    values = models.JSONField()
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="revision_number_once"),
            models.UniqueConstraint(
                fields=["submission", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="revision_key_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} r{self.number}"


class Reopening(models.Model):
    """The receiving level reopened an accepted report so it can be corrected (append-only)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reopenings")
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.submission_id} reopened {self.at:%Y-%m-%d %H:%M}"


class UrgentReport(TimeStampedModel):
    """An unscheduled report ("đột xuất", S10) that goes at once to the receiving level."""

    class Severity(models.TextChoices):
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    receiver = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    receiver_path = models.CharField(max_length=32)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    reported_at = models.DateTimeField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-reported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="urgent_report_once",
            ),
        ]
