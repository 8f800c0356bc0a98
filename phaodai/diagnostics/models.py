"""Testing (S18): rounds and their sampling sessions, samples and pools, laboratories and results.

A sample's result lives on the sample (outcome, time, laboratory); a later different outcome for the
same sample code is a correction, kept in ResultCorrection. Results whose person is not found in the
registry wait in UnmatchedResult until a ward matches them: never dropped.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel


class Method(models.TextChoices):
    PCR = "pcr", _("RT-PCR, single sample")
    PCR_POOLED = "pcr_pooled", _("RT-PCR, pooled samples")
    RAPID_ANTIGEN = "rapid_antigen", _("Rapid antigen test")


class Outcome(models.TextChoices):
    PENDING = "pending", _("Waiting for the result")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    INVALID = "invalid", _("Invalid")
    # A member of a positive pool: its own result is the individual retest's (a Retest row, a new sample).
    RETEST = "retest", _("Pool positive: individual retest needed")


class Lab(TimeStampedModel):
    """A laboratory that returns results (CDC Hà Nội, hospital labs, licensed private labs)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=64, help_text=_("The supervising unit's path"))
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class TestingRound(TimeStampedModel):
    """A screening round: whom it tests, how, and how often (every 2-3 days for lockdowns, S18)."""

    class Target(models.TextChoices):
        LOCKDOWN = "lockdown", _("A lockdown")
        AREAS = "areas", _("Residential areas")
        GROUP = "group", _("A risk group")

    class RiskGroup(models.TextChoices):
        SHIPPER = "shipper", _("Shippers and delivery workers")
        MARKET_TRADER = "market_trader", _("Market traders")
        FACTORY_WORKER = "factory_worker", _("Factory and industrial-park workers")
        HEALTH_STAFF = "health_staff", _("Health staff")
        TRANSPORT = "transport", _("Drivers and transport workers")
        SERVICE = "service", _("Shop and service staff")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")

    name = models.CharField(max_length=200)
    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=64, help_text=_("The organising unit's path (jurisdiction)"))
    target = models.CharField(max_length=10, choices=Target.choices)
    lockdown = models.ForeignKey(
        "cases.Lockdown", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    risk_group = models.CharField(max_length=16, choices=RiskGroup.choices, blank=True)
    areas = models.ManyToManyField("territory.Area", blank=True, related_name="+")
    method = models.CharField(max_length=16, choices=Method.choices)
    pool_size = models.PositiveSmallIntegerField(null=True, blank=True)
    cadence_days = models.PositiveSmallIntegerField(help_text=_("Days between sessions"))
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    # A retried submission (same key) answers with the round it created, never a second one.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="round_ends_after_start"),
            models.CheckConstraint(
                condition=Q(cadence_days__gte=1, cadence_days__lte=14), name="round_cadence_range"
            ),
            # Pools of 5 or 10, and only for pooled PCR.
            models.CheckConstraint(
                condition=(Q(method="pcr_pooled") & Q(pool_size__in=[5, 10]))
                | (~Q(method="pcr_pooled") & Q(pool_size__isnull=True)),
                name="round_pool_size",
            ),
            models.CheckConstraint(
                condition=~Q(target="lockdown") | Q(lockdown__isnull=False), name="round_lockdown_target"
            ),
            models.CheckConstraint(
                condition=~Q(target="group") | ~Q(risk_group=""), name="round_group_target"
            ),
        ]
        indexes = [models.Index(fields=["path", "-starts_on"], name="round_scope")]

    def __str__(self) -> str:
        return self.name


class SamplingSession(TimeStampedModel):
    """One dated sampling of a round (in one area when the round covers several)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    round = models.ForeignKey(TestingRound, on_delete=models.CASCADE, related_name="sessions")
    day = models.DateField()
    area = models.ForeignKey(
        "territory.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    place = models.CharField(max_length=200, blank=True)
    team = models.CharField(max_length=120, blank=True)
    path = models.CharField(max_length=64)
    targeted = models.PositiveIntegerField(default=0)
    sampled = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "day", "area"], name="session_once_per_area_day"),
            models.UniqueConstraint(
                fields=["round", "day"], condition=Q(area__isnull=True), name="session_once_per_day"
            ),
            models.CheckConstraint(
                condition=Q(sampled__lte=F("targeted")), name="session_sampled_le_targeted"
            ),
        ]
        indexes = [models.Index(fields=["path", "day"], name="session_scope_day")]


class SessionTarget(models.Model):
    """A person a session is to sample; `sample` is set once they were sampled."""

    session = models.ForeignKey(SamplingSession, on_delete=models.CASCADE, related_name="targets")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    sample = models.ForeignKey("Sample", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="target_once_per_session")]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.person_id}"


class Pool(TimeStampedModel):
    """Pooled PCR: 5 or 10 swabs in one tube. A positive pool sends each member to an individual retest."""

    code = models.CharField(max_length=32, unique=True)
    size = models.PositiveSmallIntegerField()
    session = models.ForeignKey(
        SamplingSession, on_delete=models.PROTECT, null=True, blank=True, related_name="pools"
    )
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    collected_at = models.DateTimeField()
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.PENDING)
    resulted_at = models.DateTimeField(null=True, blank=True)
    path = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(size__in=[5, 10]), name="pool_size_5_or_10"),
            models.CheckConstraint(
                condition=Q(resulted_at__isnull=True) | Q(resulted_at__gte=F("collected_at")),
                name="pool_result_after_collection",
            ),
        ]


class Sample(TimeStampedModel):
    """A swab with its barcode, whose it is, where and when it was taken, and its result."""

    # An import writes millions of samples: each index is paid on every row, so the table keeps only the
    # indexes a query uses (test_sample_indexes lists them). No query reads samples by creation time.
    created_at = models.DateTimeField(auto_now_add=True)
    # Unique by a constraint, not unique=True: on PostgreSQL that adds a varchar_pattern_ops copy of the
    # index for LIKE, and no query matches codes by prefix.
    code = models.CharField(max_length=32)
    # Indexed by sample_person, which leads with it.
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    # These three are empty on imported samples: partial indexes (Meta) hold only the rows that have them.
    session = models.ForeignKey(
        SamplingSession, on_delete=models.PROTECT, null=True, blank=True, related_name="samples",
        db_index=False,
    )  # fmt: skip
    pool = models.ForeignKey(
        Pool, on_delete=models.PROTECT, null=True, blank=True, related_name="members", db_index=False
    )
    retest_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="retests", db_index=False
    )
    method = models.CharField(max_length=16, choices=Method.choices)
    collected_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    team = models.CharField(max_length=120, blank=True)
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.PENDING)
    resulted_at = models.DateTimeField(null=True, blank=True)
    # The person's residence ward path when sampled: who may read it, and turnaround by district.
    path = models.CharField(max_length=64)
    # Read only for a resumed import's positives (sample_job_positive); jobs are never deleted.
    import_job = models.ForeignKey(
        "core.ImportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    version = models.PositiveIntegerField(default=1)
    # When the ward was told that this positive result awaits confirmation as a case (once per sample).
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(resulted_at__isnull=True) | Q(resulted_at__gte=F("collected_at")),
                name="sample_result_after_collection",
            ),
            models.CheckConstraint(
                condition=Q(outcome="pending", resulted_at__isnull=True)
                | (~Q(outcome="pending") & Q(resulted_at__isnull=False)),
                name="sample_result_time_iff_outcome",
            ),
            models.UniqueConstraint(fields=["code"], name="sample_code_unique"),
        ]
        indexes = [
            models.Index(fields=["path", "collected_at"], name="sample_scope_collected"),
            models.Index(fields=["person", "collected_at"], name="sample_person"),
            models.Index(fields=["collected_at"], condition=Q(outcome="pending"), name="sample_waiting"),
            # The "positives to confirm" worklist of a ward.
            models.Index(
                fields=["path", "resulted_at"], condition=Q(outcome="positive"), name="sample_positive"
            ),
            # A session's, a pool's and a retested sample's samples (and the PROTECT checks on deleting
            # them). An `= x` or `IN (...)` on the column implies NOT NULL, so these serve them.
            models.Index(fields=["session"], condition=Q(session__isnull=False), name="sample_session"),
            models.Index(fields=["pool"], condition=Q(pool__isnull=False), name="sample_pool"),
            models.Index(fields=["retest_of"], condition=Q(retest_of__isnull=False), name="sample_retest_of"),
            # A resumed import announces its job's positives again (LabResultImport.on_resume).
            models.Index(fields=["import_job"], condition=Q(outcome="positive"), name="sample_job_positive"),
        ]


class ResultCorrection(models.Model):
    """A result changed after it was given: the earlier and the later outcome, kept for history."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="corrections")
    outcome_before = models.CharField(max_length=8, choices=Outcome.choices)
    outcome_after = models.CharField(max_length=8, choices=Outcome.choices)
    resulted_at_before = models.DateTimeField(null=True, blank=True)
    resulted_at_after = models.DateTimeField()
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    import_job = models.ForeignKey(
        "core.ImportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    corrected_at = models.DateTimeField()

    class Meta:
        ordering = ["sample", "corrected_at"]

    def __str__(self) -> str:
        return f"{self.outcome_before} -> {self.outcome_after}"


class Retest(TimeStampedModel):
    """An individual retest owed by a member of a positive pool (one per member sample).

    Done when a new sample with `retest_of` = the member sample is registered; cancelled when the pool's
    result is corrected to negative or invalid.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("To retest")
        DONE = "done", _("Retested")
        CANCELLED = "cancelled", _("Cancelled")

    sample = models.OneToOneField(Sample, on_delete=models.CASCADE, related_name="retest")
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="retests")
    # The member's residence ward path (the member sample's): the ward that calls them back.
    path = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    retest_sample = models.ForeignKey(
        Sample, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["path", "status", "requested_at"], name="retest_scope")]

    def __str__(self) -> str:
        return f"retest of {self.sample_id}"


class UnmatchedResult(TimeStampedModel):
    """An imported result whose person was not found: waits here for a ward to match it (never dropped)."""

    class Status(models.TextChoices):
        OPEN = "open", _("To match")
        MATCHED = "matched", _("Matched")
        DISMISSED = "dismissed", _("Dismissed")

    import_job = models.ForeignKey("core.ImportJob", on_delete=models.PROTECT, related_name="+")
    row_number = models.PositiveIntegerField()
    sample_code = models.CharField(max_length=32)
    # The CCCD as given, encrypted, with its blind index (core.crypto), as the registry keeps it.
    cccd_ciphertext = models.BinaryField(null=True, blank=True)
    cccd_index = models.CharField(max_length=64, blank=True, db_index=True)
    full_name = models.CharField(max_length=150)
    method = models.CharField(max_length=16, choices=Method.choices)
    collected_at = models.DateTimeField()
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    resulted_at = models.DateTimeField(null=True, blank=True)
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, related_name="+")
    # The lab's unit path: whom the queue shows it to until it is matched.
    path = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sample_code"], condition=Q(status="open"), name="unmatched_open_once"
            ),
        ]
        indexes = [models.Index(fields=["path", "status", "created_at"], name="unmatched_scope")]
