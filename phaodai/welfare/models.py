"""Welfare (S33, POLICY.md §7): support programmes as data, applications and their workflow from the
ward's review to the district's numbered approval decision, payments and their reconciliation.

The same person is never paid the same programme twice for the same period: an open application and a
payment each carry (person, programme code, period key) under a unique constraint.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel
from phaodai.welfare import rules


class Programme(TimeStampedModel):
    """One version of a support programme: who qualifies, how much, for which period, funded by whom."""

    class AmountKind(models.TextChoices):
        FIXED = rules.FIXED, _("Fixed amount")
        PER_DAY = rules.PER_DAY, _("Amount per day")
        CAPPED = rules.CAPPED, _("Amount up to a cap")
        TIERED = rules.TIERED, _("Amount by tier")

    class PeriodKind(models.TextChoices):
        ONCE = rules.ONCE, _("Once")
        MONTHLY = rules.MONTHLY, _("Each month")
        EPISODE = rules.EPISODE, _("Each isolation")

    code = models.CharField(max_length=32)
    version = models.PositiveSmallIntegerField(default=1)
    name_vi = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    legal_basis = models.CharField(max_length=300)
    funding_source = models.CharField(max_length=200)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    criteria = models.JSONField(default=list)
    required_documents = models.JSONField(default=list)
    amount_kind = models.CharField(max_length=8, choices=AmountKind.choices)
    amount = models.PositiveBigIntegerField(
        help_text=_("VND: the fixed amount, the rate per day, or the cap")
    )
    amount_min = models.PositiveBigIntegerField(default=0)
    day_caps = models.JSONField(default=dict, blank=True)
    tiers = models.JSONField(
        default=dict,
        blank=True,
        help_text=_('Tiered: {"fact": "job.suspended_days", "levels": [{"from", "amount"}]}'),
    )
    period_kind = models.CharField(max_length=8, choices=PeriodKind.choices)
    period_starts = models.DateField()
    period_ends = models.DateField(null=True, blank=True)
    posting_days = models.PositiveSmallIntegerField(default=3)
    to_verify = models.BooleanField(default=False, help_text=_("The amount is still to be verified"))
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("support programme")
        verbose_name_plural = _("support programmes")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="programme_version_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="programme_amount_positive"),
            models.CheckConstraint(condition=Q(amount_min__lte=F("amount")), name="programme_amount_range"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_vi if (get_language() or "vi").startswith("vi") else self.name_en

    def amount_policy(self) -> rules.AmountPolicy:
        fact, tiers = rules.tiers_of(self.tiers) if self.amount_kind == rules.TIERED else ("", ())
        return rules.AmountPolicy(
            self.amount_kind, self.amount, self.amount_min, self.day_caps or {}, tier_fact=fact, tiers=tiers
        )


class SupportList(TimeStampedModel):
    """A ward's list of reviewed applications for one programme, posted publicly for a set number of days."""

    class Status(models.TextChoices):
        POSTED = "posted", _("Posted in the ward")
        SUBMITTED = "submitted", _("Sent to the district")
        APPRAISED = "appraised", _("Appraised by the district")
        APPROVED = "approved", _("Approved")

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.POSTED)
    posted_at = models.DateTimeField()
    posting_ends_at = models.DateTimeField()
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    appraised_at = models.DateTimeField(null=True, blank=True)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.ForeignKey(
        "welfare.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="lists"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-posted_at", "-pk"]
        verbose_name = _("ward support list")
        verbose_name_plural = _("ward support lists")
        constraints = [
            models.UniqueConstraint(fields=["unit", "programme", "number"], name="support_list_number_once"),
        ]
        indexes = [
            models.Index(fields=["unit_path", "status"], name="support_list_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} #{self.number}"


class Decision(TimeStampedModel):
    """The district's numbered approval decision: the lines are the applications it approves."""

    number = models.CharField(max_length=40)
    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    signed_on = models.DateField()
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-signed_on", "-pk"]
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="decision_number_once")]
        indexes = [models.Index(fields=["unit_path"], name="decision_scope")]

    def __str__(self) -> str:
        return self.number


class Application(TimeStampedModel):
    """One person's application for one programme and period, from filing to reconciliation."""

    class Status(models.TextChoices):
        FILED = rules.FILED, _("Filed")
        REVIEWED = rules.REVIEWED, _("Reviewed by the ward")
        POSTED = rules.POSTED, _("Posted publicly")
        SUBMITTED = rules.SUBMITTED, _("Sent to the district")
        APPRAISED = rules.APPRAISED, _("Appraised by the district")
        APPROVED = rules.APPROVED, _("Approved")
        PAID = rules.PAID, _("Paid")
        RECONCILED = rules.RECONCILED, _("Reconciled")
        REJECTED = rules.REJECTED, _("Rejected by the ward")
        RETURNED = rules.RETURNED, _("Returned by the district")
        WITHDRAWN = rules.WITHDRAWN, _("Withdrawn")
        REVOKED = rules.REVOKED, _("Revoked from the decision")

    class Channel(models.TextChoices):
        SELF = "self", _("By the person")
        WARD = "ward", _("By the ward for the person")

    reference = models.CharField(max_length=24, unique=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    programme_code = models.CharField(max_length=32)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "territory.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    channel = models.CharField(max_length=4, choices=Channel.choices, default=Channel.WARD)
    facts = models.JSONField(default=dict)
    period_key = models.CharField(max_length=24)
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    amount = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FILED)
    status_note = models.CharField(max_length=500, blank=True)
    support_list = models.ForeignKey(
        SupportList, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    line_no = models.PositiveIntegerField(null=True, blank=True)
    amended_by = models.CharField(
        max_length=40, blank=True, help_text=_("The number of the decision that revoked this line")
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("support application")
        verbose_name_plural = _("support applications")
        constraints = [
            # The same person, programme and period once, while the application is alive.
            models.UniqueConstraint(
                fields=["person", "programme_code", "period_key"],
                condition=~Q(status__in=list(rules.CLOSED)),
                name="application_once_per_period",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"], condition=~Q(idempotency_key=""), name="application_key_once"
            ),
            models.UniqueConstraint(
                fields=["decision", "line_no"], condition=Q(decision__isnull=False), name="decision_line_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="application_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["unit_path", "status"], name="application_scope"),
            models.Index(fields=["unit", "programme_code", "status"], name="application_ward_programme"),
            # The persons with a live NQ 68 income support, whose QĐ 3642 lines are held (a few thousand).
            models.Index(
                fields=["person"],
                name="application_income_support",
                condition=Q(programme_code__in=rules.INCOME_SUPPORT) & ~Q(status__in=list(rules.CLOSED)),
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Document(TimeStampedModel):
    """A document of an application (a confirmation of lost work, a poor-household certificate…)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=40)
    file = models.FileField(upload_to="welfare/documents/%Y/")
    name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")


class Objection(TimeStampedModel):
    """An objection to a posted application, recorded by the ward, then upheld or dismissed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objections")
    received_at = models.DateTimeField()
    objector = models.CharField(max_length=150, blank=True)
    text = models.CharField(max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution_note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")


class Reconciliation(TimeStampedModel):
    """A ward's payments of a decision checked against the decision: what was paid, what is left."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="reconciliations")
    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    count = models.PositiveIntegerField()
    total = models.PositiveBigIntegerField()
    unpaid_count = models.PositiveIntegerField()
    unpaid_total = models.PositiveBigIntegerField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")


class Payment(TimeStampedModel):
    """Money handed over for one approved line: in cash (signed receipt) or by bank, then reconciled.

    Written when paid, never before: what is still due is read from the decision (payments.payable_lines).
    """

    class Status(models.TextChoices):
        PAID = "paid", _("Paid")
        RECONCILED = "reconciled", _("Reconciled")

    class Method(models.TextChoices):
        CASH = "cash", _("Cash, with a signed receipt")
        BANK = "bank", _("Bank transfer")

    # No index that another one already covers (person: the unique key below, which the payment list's
    # duplicate check probes; decision: payment_decision_ward; created_at: never searched).
    created_at = models.DateTimeField(auto_now_add=True)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="payment")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    programme_code = models.CharField(max_length=32)
    period_key = models.CharField(max_length=24)
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="payments", db_index=False)
    unit_path = models.CharField(max_length=32)
    amount = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PAID)
    method = models.CharField(max_length=4, choices=Method.choices, blank=True)
    receipt_number = models.CharField(max_length=40, blank=True)
    receipt = models.FileField(upload_to="welfare/receipts/%Y/", blank=True)
    bank_reference = models.CharField(max_length=60, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)
    reconciliation = models.ForeignKey(
        Reconciliation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        db_index=False,
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["unit_path", "pk"]
        verbose_name = _("support payment")
        verbose_name_plural = _("support payments")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "programme_code", "period_key"], name="payment_once_per_period"
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="payment_key_once",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["decision", "unit_path", "status"], name="payment_decision_ward"),
            models.Index(fields=["unit_path", "status"], name="payment_scope"),
        ]
