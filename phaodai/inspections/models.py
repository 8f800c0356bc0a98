"""Inspection teams, checklists, inspections with findings and violations, and closures (S31)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from phaodai.core.models import TimeStampedModel
from phaodai.inspections import rules


class TargetKind(models.TextChoices):
    BUSINESS = "business", _("Business")
    MARKET = "market", _("Market")
    CHECKPOINT = "checkpoint", _("Checkpoint")
    VACCINATION_SITE = "vaccination_site", _("Vaccination site")
    RESIDENTIAL_AREA = "residential_area", _("Residential area")


# The measures a violation may carry (a list of these codes in Violation.measures), as shown.
MEASURE_CHOICES = [
    (rules.WARNING, pgettext_lazy("sanction", "Warning")),
    (rules.FINE, pgettext_lazy("sanction", "Fine")),
    (rules.SUSPENSION, _("Suspension (of the COVID-safety plan)")),
    (rules.CLOSURE, _("Closure until a re-inspection passes")),
]


class InspectionTeam(TimeStampedModel):
    """A team set up by a decision (e.g. the city's 15 teams under 1103-QĐ/TU), with its area of work."""

    class Level(models.TextChoices):
        CITY = "city", _("City team")
        DISTRICT = "district", _("District team")
        INTERDISCIPLINARY = "interdisciplinary", _("Interdisciplinary district team")

    name = models.CharField(max_length=200)
    level = models.CharField(max_length=17, choices=Level.choices)
    decision_number = models.CharField(max_length=60, help_text=_("e.g. 1103-QĐ/TU"))
    decision_date = models.DateField()
    home_unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=64, help_text=_("The home unit's path (jurisdiction)"))
    area_units = models.ManyToManyField("territory.Unit", related_name="+")
    active_from = models.DateTimeField()
    active_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["path", "name"]
        verbose_name = _("inspection team")
        verbose_name_plural = _("inspection teams")
        constraints = [
            models.UniqueConstraint(fields=["decision_number", "name"], name="team_once_per_decision"),
        ]
        indexes = [models.Index(fields=["path"], name="team_path", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.decision_number})"


class TeamMember(TimeStampedModel):
    """A member as the decision names them; linked to a user when they sign in to record inspections."""

    class Role(models.TextChoices):
        LEADER = "leader", _("Team leader")
        DEPUTY = "deputy", _("Deputy leader")
        MEMBER = "member", _("Member")

    team = models.ForeignKey(InspectionTeam, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=120)
    title = models.CharField(max_length=200, blank=True, help_text=_("Position and agency"))
    role = models.CharField(max_length=6, choices=Role.choices, default=Role.MEMBER)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["team", "role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"], condition=Q(user__isnull=False), name="member_user_once_per_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.team_id})"


class Checklist(TimeStampedModel):
    """What an inspection of one kind of target checks; items are data with stable codes."""

    code = models.CharField(max_length=40)
    version = models.PositiveSmallIntegerField(default=1)
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices)
    title = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    # [{"code": "mask", "text": "...", "text_en": "..."}]
    items = models.JSONField(default=list)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["target_kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="checklist_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def item_codes(self) -> list[str]:
        return [item["code"] for item in self.items]


class Inspection(TimeStampedModel):
    """One visit of a team to a target, planned or surprise; a follow-up re-inspects an earlier one."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Result(models.TextChoices):
        PASS = "pass", _("Passed")
        FAIL = "fail", _("Failed")

    team = models.ForeignKey(InspectionTeam, on_delete=models.PROTECT, related_name="inspections")
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="+")
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices)
    business = models.ForeignKey(
        "business.Business", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(
        "territory.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_label = models.CharField(max_length=300)
    path = models.CharField(max_length=64, help_text=_("The target's unit path (jurisdiction)"))
    surprise = models.BooleanField(default=False)
    follow_up_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
    )
    scheduled_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.PLANNED)
    result = models.CharField(max_length=4, choices=Result.choices, blank=True)
    summary = models.TextField(blank=True)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    # The planning request's key (a form token, or the API's Idempotency-Key): a retry plans nothing new.
    # NULL, not "", when there is none, so that the unique index leaves keyless rows alone.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)

    # Not a column: set by the planning services so callers can tell a new inspection from a retry.
    created_now: bool = False

    class Meta:
        ordering = ["-scheduled_at", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(fields=["path", "status"], name="inspection_path_status"),
            models.Index(fields=["finished_at"], name="inspection_finished"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(target_kind="business") | Q(business__isnull=False),
                name="business_inspection_names_it",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_label} {self.scheduled_at:%Y-%m-%d} {self.status}"


class Finding(TimeStampedModel):
    """One checklist item as found: fine or not, with a note and an optional photo."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item_code = models.CharField(max_length=40)
    ok = models.BooleanField()
    note = models.TextField(blank=True)
    photo = models.FileField(upload_to="inspections/findings/%Y/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["inspection", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item_code"], name="finding_once_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}:{self.item_code} {'ok' if self.ok else 'not ok'}"


class ViolationKind(TimeStampedModel):
    """A violation of Decree 117/2020/NĐ-CP with its fine band (for an individual) and allowed measures."""

    code = models.CharField(max_length=40, unique=True)
    description = models.CharField(max_length=400)
    description_en = models.CharField(max_length=400, blank=True)
    legal_basis = models.CharField(
        max_length=200, help_text=_("e.g. Điểm a khoản 1 Điều 12, NĐ 117/2020/NĐ-CP")
    )
    fine_min = models.PositiveBigIntegerField(help_text=_("VND, for an individual"))
    fine_max = models.PositiveBigIntegerField(help_text=_("VND, for an individual"))
    organisation_multiplier = models.PositiveSmallIntegerField(default=2)
    measures = models.JSONField(default=list, help_text=_("Of warning, fine, suspension, closure"))
    suspends_plan = models.BooleanField(default=False)
    to_verify = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(fine_min__lte=models.F("fine_max")), name="band_ordered"),
        ]

    def __str__(self) -> str:
        return self.code


class Violation(TimeStampedModel):
    """A violation found during an inspection, with its fine, measures and sanction decision."""

    class Offender(models.TextChoices):
        PERSON = "person", _("Individual")
        ORGANISATION = "organisation", _("Organisation")

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="violations")
    kind = models.ForeignKey(ViolationKind, on_delete=models.PROTECT, related_name="+")
    offender = models.CharField(max_length=12, choices=Offender.choices)
    offender_name = models.CharField(max_length=300)
    fine_amount = models.PositiveBigIntegerField(default=0, help_text=_("VND; 0 with a warning"))
    measures = models.JSONField(default=list)
    decision_number = models.CharField(max_length=60, help_text=_("The sanction decision, e.g. 12/QĐ-XPHC"))
    responsible_person = models.CharField(
        max_length=120, blank=True, help_text=_("The head of the establishment or unit who answers for it")
    )
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    suspended_plan = models.ForeignKey(
        "business.SafetyPlan", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reinspect_by = models.DateTimeField(null=True, blank=True)
    path = models.CharField(max_length=64)

    # Not a column: set by record_violation so callers can tell a new violation from a retry.
    created_now: bool = False

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["path", "decided_at"], name="violation_path_decided")]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "decision_number"], name="decision_once_per_inspection"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_id} at {self.inspection_id}"


class Closure(TimeStampedModel):
    """A business closed by a violation until a re-inspection passes."""

    business = models.ForeignKey("business.Business", on_delete=models.PROTECT, related_name="+")
    violation = models.OneToOneField(Violation, on_delete=models.PROTECT, related_name="closure")
    path = models.CharField(max_length=64)
    closed_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="lifted_closures"
    )

    class Meta:
        ordering = ["-closed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["business"], condition=Q(lifted_at__isnull=True), name="one_open_closure_per_business"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business_id} closed {self.closed_at:%Y-%m-%d}"
