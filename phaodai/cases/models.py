"""Cases (F0), exposures between persons, the F-levels derived from them, clusters, isolation orders with
their daily follow-ups, and lockdowns (S16, S36).

F-levels are never typed in: `TraceLevel` is derived from cases and exposures by `tracing.py` and can be
rebuilt from them at any time. Windows, depth and isolation durations are data with effective dates
(`TracingRule`, `IsolationRule`), not constants.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel


class TracingRule(models.Model):
    """Who counts as a contact: the exposure window around a case and how deep tracing goes (F1, F2…)."""

    code = models.CharField(max_length=40, unique=True)
    days_before = models.PositiveSmallIntegerField(
        help_text=_("Exposures count from this many days before the case's confirmation (or onset)")
    )
    days_after = models.PositiveSmallIntegerField(
        default=0, help_text=_("…until this many days after it (the case is isolated on confirmation)")
    )
    isolation_lag_days = models.PositiveSmallIntegerField(
        default=2, help_text=_("A contact's own contacts count until this many days after the case's window")
    )
    depth = models.PositiveSmallIntegerField(default=2, help_text=_("2 traces F1 and F2; 3 adds F3"))
    horizon_days = models.PositiveSmallIntegerField(
        default=28, help_text=_("Cases confirmed longer ago than this no longer make anyone a contact")
    )
    reinfection_days = models.PositiveSmallIntegerField(
        default=90, help_text=_("A new episode for the same person only this long after the last one ended")
    )
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    basis = models.CharField(max_length=300, blank=True)
    basis_en = models.CharField(max_length=300, blank=True)
    to_verify = models.BooleanField(default=False)

    class Meta:
        ordering = ["valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(depth__gte=1) & Q(depth__lte=4), name="tracing_depth_1_to_4"),
        ]

    def __str__(self) -> str:
        return self.code


class IsolationRule(models.Model):
    """How long a kind of person is isolated, where, and when they are tested (e.g. F1 in Sept 2021:
    14 days concentrated, then 7 days monitored at home)."""

    class Subject(models.TextChoices):
        F0 = "F0", "F0"
        F1 = "F1", "F1"
        F2 = "F2", "F2"
        OTHER = "other", _("Other (arrivals, others at risk)")

    code = models.CharField(max_length=40, unique=True)
    subject = models.CharField(max_length=5, choices=Subject.choices)
    setting = models.CharField(max_length=10, help_text=_("home, facility or hospital"))
    isolation_days = models.PositiveSmallIntegerField()
    monitoring_days = models.PositiveSmallIntegerField(
        default=0, help_text=_("Days of monitoring at home after the isolation itself")
    )
    test_days = models.JSONField(
        default=list, help_text=_("Days of isolation on which a test is due, e.g. [1, 7, 14]")
    )
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    basis = models.CharField(max_length=300, blank=True)
    basis_en = models.CharField(max_length=300, blank=True)
    to_verify = models.BooleanField(default=False)

    class Meta:
        ordering = ["subject", "valid_from"]

    def __str__(self) -> str:
        return self.code


class Cluster(TimeStampedModel):
    """An outbreak (ổ dịch): cases linked by exposures, with their contacts; named and dated."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")
        MERGED = "merged", _("Merged into another")

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=64, help_text=_("Where its first case lives (jurisdiction)"))
    first_case_at = models.DateTimeField()
    last_case_at = models.DateTimeField()
    cases_count = models.PositiveIntegerField(default=0)
    contacts_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_case_at", "code"]
        indexes = [models.Index(fields=["path", "status"], name="cluster_path_status")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Case(TimeStampedModel):
    """A person confirmed positive (F0) in one episode of illness."""

    class DetectedIn(models.TextChoices):
        COMMUNITY = "community", _("In the community")
        QUARANTINE = "quarantine", _("In concentrated quarantine")
        LOCKDOWN = "lockdown", _("In a lockdown zone")
        SCREENING = "screening", _("By screening")
        ARRIVAL = "arrival", _("On arrival from another province")

    class Severity(models.TextChoices):
        ASYMPTOMATIC = "asymptomatic", _("No symptoms")
        MILD = "mild", _("Mild")
        MODERATE = "moderate", _("Moderate")
        SEVERE = "severe", _("Severe")
        CRITICAL = "critical", _("Critical")

    class Care(models.TextChoices):
        HOME = "home", _("At home")
        FACILITY = "facility", _("Concentrated facility")
        HOSPITAL = "hospital", _("Hospital")

    class Outcome(models.TextChoices):
        ACTIVE = "active", _("Under treatment")
        RECOVERED = "recovered", _("Recovered")
        DIED = "died", _("Died")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    episode = models.PositiveSmallIntegerField(default=1)
    confirmed_at = models.DateTimeField()
    # The local (Hà Nội) date of confirmation and the exposure window, as dates so that tracing joins
    # compare plain columns on every database.
    confirmed_on = models.DateField()
    window_start = models.DateField()
    window_end = models.DateField()
    chain_window_end = models.DateField(help_text=_("Contacts of contacts count until this date"))
    test_ref = models.CharField(
        max_length=40, blank=True, help_text=_("The sample code of the positive test")
    )
    manual_reason = models.TextField(blank=True, help_text=_("Why the case is entered without a test result"))
    detected_in = models.CharField(max_length=10, choices=DetectedIn.choices)
    source_known = models.BooleanField()
    source_note = models.TextField(blank=True)
    severity = models.CharField(max_length=12, choices=Severity.choices, default=Severity.ASYMPTOMATIC)
    care = models.CharField(max_length=8, choices=Care.choices, default=Care.FACILITY)
    outcome = models.CharField(max_length=9, choices=Outcome.choices, default=Outcome.ACTIVE)
    outcome_at = models.DateTimeField(null=True, blank=True)
    residence_unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    residence_area = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=64, help_text=_("The residence ward's path (jurisdiction)"))
    detected_unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    detected_path = models.CharField(max_length=64)
    cluster = models.ForeignKey(
        Cluster, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    # The case whose tracing this person came from (they were its F1 or F2): the chain's link.
    traced_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    traced_level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("1 if they were an F1…")
    )
    rule = models.ForeignKey(TracingRule, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-confirmed_at", "pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["path", "confirmed_on"], name="case_path_day"),
            models.Index(fields=["detected_path", "confirmed_on"], name="case_detected_day"),
            models.Index(fields=["confirmed_on"], name="case_day"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "episode"], name="case_once_per_episode"),
            # Two concurrent entries for the same person: only one active case.
            models.UniqueConstraint(
                fields=["person"], condition=Q(outcome="active"), name="one_active_case_per_person"
            ),
            models.CheckConstraint(
                condition=~Q(test_ref="") | ~Q(manual_reason=""), name="case_has_test_or_reason"
            ),
            models.CheckConstraint(
                condition=Q(window_start__lte=F("window_end")), name="case_window_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"F0 #{self.pk}"


class Exposure(TimeStampedModel):
    """Two persons were in contact on a day, in a setting; stored once per pair and day.

    `low`/`high` are the pair in a fixed order (so A–B and B–A are the same link); `reported_for` is the
    person whose contacts were being listed.
    """

    class Setting(models.TextChoices):
        HOUSEHOLD = "household", _("Household")
        WORKPLACE = "workplace", _("Workplace")
        MARKET = "market", _("Market")
        NEIGHBOUR = "neighbour", _("Neighbour")
        VEHICLE = "vehicle", _("Vehicle")
        HEALTHCARE = "healthcare", _("Health facility")
        SCHOOL = "school", _("School")
        GATHERING = "gathering", _("Gathering")
        OTHER = "other", _("Other")

    low = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    high = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    exposed_on = models.DateField()
    setting = models.CharField(max_length=10, choices=Setting.choices)
    reported_for = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=64, help_text=_("Where the person it was reported for lives"))
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["exposed_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["low", "high", "exposed_on"], name="exposure_once_per_pair_day"),
            models.CheckConstraint(condition=~Q(low=F("high")), name="exposure_not_to_oneself"),
        ]
        indexes = [
            # Tracing walks the links from either end, bounded by date.
            models.Index(fields=["low", "exposed_on"], name="exposure_low_day"),
            # low carried in the index (PostgreSQL): reading a person's links from the high end needs
            # no visit to the table, as from the low end (exposure_once_per_pair_day)
            models.Index(fields=["high", "exposed_on"], name="exposure_high_day", include=["low"]),
        ]

    def __str__(self) -> str:
        return f"{self.low_id}–{self.high_id} {self.exposed_on}"


class TraceLevel(models.Model):
    """A person's derived F-level (0 = F0, 1 = F1…), the link it came through and its root case.

    Rebuilt by tracing.derive_all and kept current by tracing.derive_around; never edited by hand.

    Its references have no database constraint (decision 0033): every row's person, via, root case and
    cluster is already held by the case or exposure it was derived from, whose own constraints protect
    them, and checking them again cost each derivation's writes about a fifth of its time. Django still
    cascades deletes made through it.
    """

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="+", primary_key=True, db_constraint=False
    )
    level = models.PositiveSmallIntegerField()
    via = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # indexed by trace_root below (a second, identical index cost every write of a row)
    root_case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    exposed_on = models.DateField()
    # The days in which this person's own contacts count (the next level's window).
    next_from = models.DateField()
    next_until = models.DateField()
    path = models.CharField(max_length=64, help_text=_("The person's residence ward path"))
    cluster = models.ForeignKey(
        Cluster, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_constraint=False
    )

    class Meta:
        # No index on (level, person): no query needs it (the reads by level are scans anyway, or go by
        # place or root case), and every row written maintained it (decision 0035).
        indexes = [
            models.Index(fields=["root_case"], name="trace_root"),
            models.Index(fields=["path", "level"], name="trace_path_level"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} F{self.level}"


class IsolationOrder(TimeStampedModel):
    """An order that a person isolate: at home, in a concentrated facility or in hospital."""

    class Setting(models.TextChoices):
        HOME = "home", _("At home")
        FACILITY = "facility", _("Concentrated facility")
        HOSPITAL = "hospital", _("Hospital")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In isolation")
        MONITORING = "monitoring", _("Monitored at home")
        RELEASED = "released", _("Released")
        CANCELLED = "cancelled", _("Cancelled")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=5, choices=IsolationRule.Subject.choices)
    setting = models.CharField(max_length=8, choices=Setting.choices)
    rule = models.ForeignKey(IsolationRule, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    starts_at = models.DateTimeField()
    isolation_ends_at = models.DateTimeField()
    monitoring_ends_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    release_decision = models.CharField(max_length=80, blank=True)
    end_reason = models.TextField(blank=True, help_text=_("Why it was released early or cancelled"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    facility_ref = models.CharField(
        max_length=40, blank=True, help_text=_("The quarantine admission, if any")
    )
    area = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=64)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-starts_at", "pk"]
        indexes = [models.Index(fields=["path", "status"], name="isolation_path_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status__in=["active", "monitoring"]), name="one_open_isolation"
            ),
            models.CheckConstraint(
                condition=Q(isolation_ends_at__gte=F("starts_at")), name="isolation_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.setting} {self.status}"


class FollowUp(models.Model):
    """One day's symptom check of a person in isolation, by a health worker or a community team."""

    class Result(models.TextChoices):
        WELL = "well", _("No symptoms")
        SYMPTOMS = "symptoms", _("Symptoms")
        UNREACHABLE = "unreachable", _("Could not be reached")

    order = models.ForeignKey(IsolationOrder, on_delete=models.CASCADE, related_name="follow_ups")
    day = models.DateField()
    result = models.CharField(max_length=11, choices=Result.choices)
    symptoms = models.JSONField(default=list, blank=True)
    temperature = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField()
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["order", "day"], name="one_follow_up_a_day")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.day} {self.result}"


class Lockdown(TimeStampedModel):
    """A lockdown (phong tỏa) of the narrowest scope that works: an area, a building or a lane."""

    class Scope(models.TextChoices):
        AREA = "area", _("Residential area")
        BUILDING = "building", _("Building")
        LANE = "lane", _("Lane or alley")

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("In force")
        LIFTED = "lifted", _("Lifted")

    area = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(max_length=8, choices=Scope.choices)
    place = models.CharField(max_length=200, help_text=_("The building or lane, when narrower than the area"))
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField()
    decision_number = models.CharField(max_length=60)
    starts_at = models.DateTimeField()
    planned_end_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    people_inside = models.PositiveIntegerField(default=0)
    checkpoints = models.JSONField(
        default=list, blank=True, help_text=_("Where the lockdown's checkpoints stand")
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.IN_FORCE)
    path = models.CharField(max_length=64)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-starts_at", "pk"]
        indexes = [models.Index(fields=["path", "status"], name="lockdown_path_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_at__gt=F("starts_at")), name="lockdown_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("starts_at")),
                name="lockdown_lifted_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.scope} {self.status}"


class CaseRecording(models.Model):
    """A ward keeps its cases in phaodai from `since` on (an explicit choice, recording.start_recording).

    From that day zoning's case indicators and the situation report's case figures of the ward come from
    its cases; before it, and in wards that never chose to, the values the ward enters by hand stand.
    """

    unit = models.OneToOneField("territory.Unit", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=64, help_text=_("The ward's path (jurisdiction)"))
    since = models.DateField(help_text=_("The first day whose cases are all kept here"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["path"]
        verbose_name = _("case recording")
        verbose_name_plural = _("case recordings")
        indexes = [models.Index(fields=["since"], name="case_recording_since")]

    def __str__(self) -> str:
        return f"{self.path} since {self.since}"
