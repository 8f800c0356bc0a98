"""Regimes of measures, criteria tables, indicator values, classification rounds and decisions."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel


class Activity(TimeStampedModel):
    """Something people or businesses ask about: dine-in food, markets, weddings, leaving home…"""

    code = models.CharField(max_length=40, unique=True)
    group = models.CharField(max_length=20)
    name = models.CharField(max_length=150)
    name_en = models.CharField(max_length=150)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.name


class Regime(TimeStampedModel):
    """A named set of measures, one rule per activity; it may extend another regime (15+ = 15 + extras)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60)
    short_name_en = models.CharField(max_length=60)
    basis = models.CharField(max_length=300, help_text=_("Legal basis"))
    basis_en = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    summary_en = models.TextField(blank=True)
    extends = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_verify = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("measure regime")
        verbose_name_plural = _("measure regimes")
        constraints = [
            models.CheckConstraint(condition=~Q(extends=models.F("pk")), name="regime_not_its_own_parent"),
        ]

    def __str__(self) -> str:
        return self.short_name


class RegimeRule(TimeStampedModel):
    """What a regime says about one activity: allowed, allowed with conditions, or forbidden."""

    class Status(models.TextChoices):
        ALLOWED = "allowed", _("Allowed")
        CONDITIONAL = "conditional", _("Allowed with conditions")
        FORBIDDEN = "forbidden", _("Not allowed")

    regime = models.ForeignKey(Regime, on_delete=models.CASCADE, related_name="rules")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices)
    # Structured conditions (max_people, capacity_pct, closes_at…), checked by zoning.rules.
    conditions = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    note_en = models.TextField(blank=True)
    to_verify = models.BooleanField(default=False)

    class Meta:
        ordering = ["regime", "activity"]
        verbose_name = _("regime rule")
        verbose_name_plural = _("regime rules")
        constraints = [
            models.UniqueConstraint(fields=["regime", "activity"], name="one_rule_per_activity_in_regime"),
        ]


class CriteriaTable(TimeStampedModel):
    """A versioned criteria table (bảng tiêu chí) issued by a district or the city (S3)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    code = models.CharField(max_length=40)
    version = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    issued_by = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(max_length=300, help_text=_("Legal basis"))
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # e.g. [{"kind": "no_downgrade_unless", "indicator": "treatment_capacity_met"}]
    modifiers = models.JSONField(default=list, blank=True)
    # The published form: the rows compiled to JsonLogic, with levels (see zoning.rules.compile_table).
    compiled = models.JSONField(default=dict, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    path = models.CharField(max_length=32, help_text=_("Path of the issuing unit"))

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("criteria table")
        verbose_name_plural = _("criteria tables")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="criteria_table_version_unique"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="criteria_table_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Level(TimeStampedModel):
    """One level of a table; higher severity is riskier. Each maps to a default regime."""

    table = models.ForeignKey(CriteriaTable, on_delete=models.CASCADE, related_name="levels")
    severity = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    colour = models.CharField(max_length=7, default="#9e9e9e")
    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["table", "-severity"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        constraints = [
            models.UniqueConstraint(fields=["table", "severity"], name="level_severity_unique_in_table"),
            models.UniqueConstraint(fields=["table", "code"], name="level_code_unique_in_table"),
        ]

    def __str__(self) -> str:
        return self.name


class CriteriaRow(TimeStampedModel):
    """Conditions that must all hold for an area to be at `level`; several rows per level mean "any of"."""

    table = models.ForeignKey(CriteriaTable, on_delete=models.CASCADE, related_name="rows")
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="rows")
    order = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=40)
    # [{"indicator": "community_cases_14d", "op": ">=", "value": 1}, ...]
    conditions = models.JSONField(default=list)

    class Meta:
        ordering = ["table", "order"]
        verbose_name = _("criteria row")
        verbose_name_plural = _("criteria rows")
        constraints = [
            models.UniqueConstraint(fields=["table", "order"], name="criteria_row_order_unique"),
            models.UniqueConstraint(fields=["table", "label"], name="criteria_row_label_unique"),
        ]


class IndicatorValue(TimeStampedModel):
    """A value a ward entered or imported for an area, observed at `as_of` (until providers exist)."""

    area = models.ForeignKey("territory.Area", on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField(max_length=40)
    value = models.FloatField()
    as_of = models.DateTimeField()
    path = models.CharField(max_length=32)
    entered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["area", "indicator", "-as_of"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "indicator", "as_of"], name="one_indicator_value_per_instant"
            ),
        ]
        indexes = [
            models.Index(fields=["path"], name="indicator_path_prefix", opclasses=["varchar_pattern_ops"]),
        ]


class Round(TimeStampedModel):
    """A district's classification round: the table, the wards, a deadline and the planned effect (S4, S5)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    district = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    table = models.ForeignKey(CriteriaTable, on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(max_length=200)
    deadline = models.DateTimeField()
    effective_at = models.DateTimeField()
    # The indicators are read as of this instant (defaults to when a ward classifies).
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=32)

    class Meta:
        ordering = ["-effective_at", "district"]
        verbose_name = _("classification round")
        verbose_name_plural = _("classification rounds")

    def __str__(self) -> str:
        return self.title


class Proposal(TimeStampedModel):
    """A ward's proposed level for each of its areas within a round; locked once decided."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned to the ward")
        DECIDED = "decided", _("Decided")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="proposals")
    ward = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Bumped by every transition: a form posts the version it showed (compare-and-set).
    version = models.PositiveIntegerField(default=1)
    classified_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    late = models.BooleanField(default=False)
    return_reason = models.TextField(blank=True)
    path = models.CharField(max_length=32)

    class Meta:
        ordering = ["round", "ward"]
        verbose_name = _("ward proposal")
        verbose_name_plural = _("ward proposals")
        constraints = [
            models.UniqueConstraint(fields=["round", "ward"], name="one_proposal_per_ward_in_round"),
        ]
        indexes = [
            models.Index(fields=["path"], name="proposal_path_prefix", opclasses=["varchar_pattern_ops"])
        ]


class ProposalItem(TimeStampedModel):
    """One area in a proposal: the suggested level, the ward's proposal and the district's verdict."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="items")
    area = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    suggested_level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    # {"matched_row": "KV1-1", "values": {...}, "modifier": ...}: why the table suggested the level.
    evaluation = models.JSONField(default=dict)
    proposed_level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    justification = models.TextField(blank=True)
    decided_level = models.ForeignKey(
        Level, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["proposal", "area__local_code"]
        verbose_name = _("proposed area level")
        verbose_name_plural = _("proposed area levels")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "area"], name="one_item_per_area_in_proposal"),
        ]


class Decision(TimeStampedModel):
    """A signed decision putting units or areas under a level and regime from an instant."""

    number = models.CharField(max_length=60)
    title = models.CharField(max_length=250)
    issued_by = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    signatory = models.CharField(max_length=120)
    issued_at = models.DateTimeField()
    effective_at = models.DateTimeField()
    proposal = models.OneToOneField(
        Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="decision"
    )
    # A decision that supersedes what lies below it ends every narrower assignment at its effect (CT22).
    supersedes_within = models.BooleanField(default=False)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    path = models.CharField(max_length=32)

    class Meta:
        ordering = ["-effective_at", "number"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(fields=["issued_by", "number"], name="decision_number_unique_per_issuer"),
        ]

    def __str__(self) -> str:
        return self.number


class Assignment(TimeStampedModel):
    """Puts a unit or an area under a level and regime from `effective_from` (S5).

    The regime of an area at T is the most specific assignment in force at T, the latest among equals.
    """

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey(
        "territory.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    area = models.ForeignKey(
        "territory.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # "/01/004/00139/" for a unit, "/01/004/00139/00139-TDP01/" for an area: specificity is depth.
    target_path = models.CharField(max_length=80)
    depth = models.PositiveSmallIntegerField()
    level = models.ForeignKey(Level, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateTimeField()
    effective_until = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["target_path", "-effective_from"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, area__isnull=True) | Q(unit__isnull=True, area__isnull=False),
                name="assignment_targets_a_unit_or_an_area",
            ),
            models.UniqueConstraint(
                fields=["target_path", "effective_from"], name="one_assignment_per_target_and_instant"
            ),
        ]
        indexes = [
            models.Index(fields=["target_path", "effective_from"], name="assignment_target_time"),
            models.Index(fields=["effective_from"], name="assignment_effective_from"),
        ]
