"""Household commitments, party members' households, community COVID teams and special housing (S35, S36).

Every row carries `unit_path`, the ward's path ("/01/004/00139/"), so jurisdiction is a prefix test
without joins. Other apps' rows are referenced by string label only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel


class Campaign(TimeStampedModel):
    """A commitment campaign ("Gia đình an toàn Covid-19") run by a unit over the households under it."""

    code = models.CharField(max_length=32, unique=True)
    name_vi = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    starts_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "code"]
        indexes = [
            models.Index(
                fields=["unit_path"], name="community_campaign_path", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.name_vi


class Commitment(TimeStampedModel):
    """One household's signed commitment in a campaign: once per household and campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="commitments")
    household = models.ForeignKey("territory.Household", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    # The member of the household who signed (a registered person), or only their name as written.
    signer = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, related_name="+")
    signer_name = models.CharField(max_length=150)
    signed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["campaign", "household"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "household"], name="community_one_commitment"),
        ]
        indexes = [
            models.Index(
                fields=["unit_path"], name="community_commitment_path", opclasses=["varchar_pattern_ops"]
            )
        ]


class Assignment(TimeStampedModel):
    """A household followed by a party member (đảng viên): one member per household at a time."""

    household = models.OneToOneField("territory.Household", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField()

    class Meta:
        ordering = ["household"]
        indexes = [
            models.Index(
                fields=["unit_path"], name="community_assignment_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["member", "household"], name="community_assignment_member"),
        ]


class Team(TimeStampedModel):
    """The community COVID team (Tổ Covid cộng đồng) of one residential area."""

    area = models.OneToOneField("territory.Area", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    name = models.CharField(max_length=150)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["unit_path", "name"]
        indexes = [
            models.Index(fields=["unit_path"], name="community_team_path", opclasses=["varchar_pattern_ops"])
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(TimeStampedModel):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        DEPUTY = "deputy", _("Deputy")
        MEMBER = "member", _("Member")

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="members")
    full_name = models.CharField(max_length=150)
    phone = models.CharField(max_length=10)
    role = models.CharField(max_length=8, choices=Role.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit_path = models.CharField(max_length=32)

    class Meta:
        ordering = ["team", "role", "full_name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "phone"], name="community_member_phone_in_team"),
            models.UniqueConstraint(
                fields=["team"], condition=Q(role="leader"), name="community_one_leader_per_team"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class Duty(TimeStampedModel):
    """A member on duty on a day. A person (known by phone) is on one team's duty per day at most."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="duties")
    member = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="duties")
    day = models.DateField()
    phone = models.CharField(max_length=10)
    unit_path = models.CharField(max_length=32)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["day", "team", "member"]
        constraints = [models.UniqueConstraint(fields=["phone", "day"], name="community_one_duty_per_day")]
        indexes = [models.Index(fields=["unit_path", "day"], name="community_duty_path_day")]


class Visit(TimeStampedModel):
    """A visit or reminder to a household, by a team or a party member."""

    class Kind(models.TextChoices):
        REMINDER_5K = "reminder_5k", _("Reminder of the 5K message")
        ISOLATION_CHECK = "isolation_check", _("Check of home isolation")
        DELIVERY = "delivery", _("Delivery of food or goods")
        COMMITMENT = "commitment", _("Commitment signing")
        OTHER = "other", _("Other")

    household = models.ForeignKey("territory.Household", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="visits")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    note = models.CharField(max_length=500, blank=True)
    visited_at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-visited_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="community_visit_idempotent",
            )
        ]
        indexes = [
            models.Index(fields=["unit_path", "visited_at"], name="community_visit_path"),
            models.Index(fields=["household", "visited_at"], name="community_visit_household"),
        ]


class Housing(TimeStampedModel):
    """A boarding house, old apartment block or dense area with shared sanitation, with its plan (S36)."""

    class Kind(models.TextChoices):
        BOARDING_HOUSE = "boarding_house", _("Boarding house (nhà trọ)")
        OLD_APARTMENTS = "old_apartments", _("Old apartment block (chung cư cũ)")
        SHARED_SANITATION = "shared_sanitation", _("Dense area with shared sanitation")

    area = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=150)
    name_key = models.CharField(max_length=150)
    address = models.CharField(max_length=255)
    residents = models.PositiveIntegerField(default=0)
    plan = models.TextField(blank=True)
    responsible_name = models.CharField(max_length=150, blank=True)
    responsible_phone = models.CharField(max_length=10, blank=True)
    plan_starts_on = models.DateField(null=True, blank=True)
    plan_ends_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["unit_path", "name_key"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name_key"], name="community_housing_name_in_area"),
        ]
        indexes = [
            models.Index(
                fields=["unit_path"], name="community_housing_path", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.name


class CheckItem(TimeStampedModel):
    """One ticked item of a housing's checklist (the items are data: phaodai.community.checklists)."""

    housing = models.ForeignKey(Housing, on_delete=models.PROTECT, related_name="ticks")
    key = models.CharField(max_length=32)
    ticked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ticked_at = models.DateTimeField()

    class Meta:
        ordering = ["housing", "key"]
        constraints = [models.UniqueConstraint(fields=["housing", "key"], name="community_one_tick")]
