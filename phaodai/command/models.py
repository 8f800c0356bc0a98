"""Directives and their tasks; steering committees, command centers and duty; hotlines; commendations."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phaodai.command.rules import display_number
from phaodai.core.models import TimeStampedModel


class Document(TimeStampedModel):
    """A directive in the register ("06-CT/TU", "788-CV/BCSD"…), kept by the unit that registered it."""

    class Kind(models.TextChoices):
        DIRECTIVE = "chi_thi", _("Directive (chỉ thị)")
        PLAN = "ke_hoach", _("Plan (kế hoạch)")
        NOTICE = "thong_bao", _("Notice (thông báo)")
        LETTER = "cong_van", _("Official letter (công văn)")
        DECISION = "quyet_dinh", _("Decision (quyết định)")
        DISPATCH = "cong_dien", _("Urgent dispatch (công điện)")

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    number = models.CharField(max_length=40, help_text=_("As printed, e.g. 06-CT/TU"))
    number_key = models.CharField(
        max_length=40, help_text=_("The number without spaces, upper case, for lookup")
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    issuer = models.CharField(max_length=200, help_text=_("e.g. Ban Thường vụ Thành ủy"))
    issued_on = models.DateField()
    title = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    file = models.FileField(upload_to="command/documents/%Y/", blank=True)
    file_name = models.CharField(max_length=200, blank=True, help_text=_("The uploaded file's own name"))
    public = models.BooleanField(default=False, help_text=_("Readable by every official of the city"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Number and title without diacritics: "chi thi 06" finds "Chỉ thị 06-CT/TU".
    search_text = models.CharField(max_length=600, blank=True)

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        indexes = [
            models.Index(fields=["unit_path"], name="document_unit_path", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "number_key", "issued_on"], name="document_registered_once_per_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.title}"


class Office(TimeStampedModel):
    """A body within a unit that can be given tasks: a city department (Sở Y tế), the police…"""

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["unit__code", "name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="office_code_per_unit")]

    def __str__(self) -> str:
        return self.name


class Task(TimeStampedModel):
    """Work assigned by one unit to others (a lead and cooperating units), with a due time and follow-up."""

    class Status(models.TextChoices):
        OPEN = "open", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Priority(models.TextChoices):
        URGENT = "urgent", _("Urgent")
        HIGH = "high", _("High")
        NORMAL = "normal", _("Normal")
        LOW = "low", _("Low")

    class Recurrence(models.TextChoices):
        NONE = "", _("Once")
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="subtasks"
    )
    assigned_by = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    assigned_by_path = models.CharField(max_length=32)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    responsible_person = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Who answers for it, e.g. đ/c Chử Xuân Dũng, Phó Chủ tịch UBND TP"),
    )
    due_at = models.DateTimeField()
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Per cent done"))
    completed_at = models.DateTimeField(null=True, blank=True)
    recurrence = models.CharField(
        max_length=8, choices=Recurrence.choices, default=Recurrence.NONE, blank=True
    )
    # Occurrences of a recurring task share a series key, unique with due_at: rolling twice is a no-op.
    series = models.CharField(max_length=40, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["status", "due_at"], name="task_due"),
            models.Index(
                fields=["assigned_by_path"], name="task_assigner_path", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_at_most_100"),
            models.UniqueConstraint(
                fields=["series", "due_at"], condition=~Q(series=""), name="task_occurrence_once"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TaskAssignee(models.Model):
    """A unit (optionally one office in it) given the task: the lead, or one cooperating."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        COOPERATING = "cooperating", _("Cooperating")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignees")
    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    role = models.CharField(max_length=12, choices=Role.choices)

    class Meta:
        ordering = ["role", "unit__code"]
        indexes = [
            models.Index(fields=["unit_path"], name="task_assignee_path", opclasses=["varchar_pattern_ops"])
        ]
        constraints = [
            models.UniqueConstraint(fields=["task"], condition=Q(role="lead"), name="task_one_lead"),
            models.UniqueConstraint(
                fields=["task", "unit"], condition=Q(office__isnull=True), name="task_unit_assigned_once"
            ),
            models.UniqueConstraint(
                fields=["task", "unit", "office"],
                condition=Q(office__isnull=False),
                name="task_office_assigned_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.role} {self.unit_id}"


class TaskUpdate(models.Model):
    """A progress report on a task (append-only): how far, a note, an attachment."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    progress = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Task.Status.choices)
    note = models.TextField(blank=True)
    attachment = models.FileField(upload_to="command/tasks/%Y/", blank=True)
    attachment_name = models.CharField(
        max_length=200, blank=True, help_text=_("The uploaded file's own name")
    )
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "idempotency_key"], condition=~Q(idempotency_key=""), name="task_update_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} at {self.progress}%"


class Committee(TimeStampedModel):
    """A unit's steering committee (Ban Chỉ đạo, set up by the party committee) or command center."""

    class Kind(models.TextChoices):
        STEERING = "steering", _("Steering committee (Ban Chỉ đạo)")
        COMMAND_CENTER = "command_center", _("Command center (Sở Chỉ huy)")

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=300)
    decision_number = models.CharField(max_length=40, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    decision = models.ForeignKey(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    established_on = models.DateField()
    dissolved_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["unit__code", "kind"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        indexes = [models.Index(fields=["unit_path"], name="committee_by_path")]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind"],
                condition=Q(dissolved_on__isnull=True),
                name="one_standing_committee_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=models.F("established_on")),
                name="committee_dissolved_after_established",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Member(TimeStampedModel):
    """A seat on a committee: the head (party secretary), the chief (People's Committee chair), deputies…"""

    class Position(models.TextChoices):
        HEAD = "head", _("Head (Trưởng ban)")
        CHIEF = "chief", _("Chief commander (Chỉ huy trưởng)")
        DEPUTY = "deputy", _("Deputy")
        STANDING = "standing", _("Standing member")
        MEMBER = "member", _("Member")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    full_name = models.CharField(max_length=120)
    title = models.CharField(max_length=200, help_text=_("Their office, e.g. Bí thư Đảng ủy phường"))
    position = models.CharField(max_length=10, choices=Position.choices)
    phone = models.CharField(max_length=15, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")

    def __str__(self) -> str:
        return self.full_name

    @property
    def phone_display(self) -> str:
        return display_number(self.phone)


class DutyShift(TimeStampedModel):
    """Who is on duty for a unit's command center, from when to when (S12: duty 24/7)."""

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="shifts")
    full_name = models.CharField(max_length=120)
    # Who a shift belongs to, for the no-overlap rule: "m<member id>" or the unaccented name.
    person_key = models.CharField(max_length=130, default="")
    phone = models.CharField(max_length=15, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        indexes = [models.Index(fields=["unit_path", "starts_at"], name="duty_by_unit")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="duty_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def phone_display(self) -> str:
        return display_number(self.phone)


class Hotline(TimeStampedModel):
    """A published number for a unit (S12)."""

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    label = models.CharField(max_length=150, help_text=_("e.g. Đường dây nóng phòng, chống dịch"))
    label_en = models.CharField(max_length=150, blank=True)
    number = models.CharField(max_length=15)
    always_open = models.BooleanField(default=True, help_text=_("Staffed 24/7"))
    hours = models.CharField(max_length=100, blank=True, help_text=_("When not 24/7, e.g. 7:00–22:00"))
    published = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["unit__code", "order", "pk"]
        verbose_name = _("hotline")
        verbose_name_plural = _("hotlines")
        indexes = [models.Index(fields=["unit_path"], name="hotline_by_path")]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="hotline_number_once_per_unit"),
            models.CheckConstraint(
                condition=Q(always_open=True) | ~Q(hours=""), name="hotline_hours_unless_24_7"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.number}"

    @property
    def number_display(self) -> str:
        return display_number(self.number)


class Commendation(TimeStampedModel):
    """A commended collective, individual or model, with the decision and the reason (S14)."""

    class RecipientKind(models.TextChoices):
        COLLECTIVE = "collective", _("Collective")
        INDIVIDUAL = "individual", _("Individual")
        MODEL = "model", _("Model (mô hình)")

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    recipient_kind = models.CharField(max_length=12, choices=RecipientKind.choices)
    recipient = models.CharField(max_length=300)
    reason = models.TextField()
    decision_number = models.CharField(max_length=40)
    decision_date = models.DateField()
    award = models.CharField(
        max_length=200, blank=True, help_text=_("e.g. Bằng khen của Chủ tịch UBND Thành phố")
    )
    published = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-decision_date", "pk"]
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        indexes = [models.Index(fields=["published", "decision_date"], name="commendation_published")]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "decision_number", "decision_date", "recipient"],
                name="commendation_recorded_once",
            ),
        ]

    def __str__(self) -> str:
        return self.recipient
