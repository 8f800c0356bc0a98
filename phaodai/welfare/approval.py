"""The district's part (S33): appraise the wards' lists, approve them in a numbered decision, and revoke
an unpaid line from it by an amending decision.

Lists are locked (select_for_update, in id order) for the whole step: of two officers approving the
same lists at once, one issues the decision and the other gets a Conflict. A revoked line is locked as
payments.pay locks it: of a revocation and a payment at once, the second finds the line moved.
"""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, now
from phaodai.core.errors import Conflict, Duplicate, InvalidInput
from phaodai.welfare import rules
from phaodai.welfare.models import Application, Decision, SupportList
from phaodai.welfare.workflow import (
    APPLICATION_TYPE,
    DECISION_TYPE,
    LIST_TYPE,
    ListChanged,
    application_state,
    move,
    refuse_other_support,
    require,
    text,
)

NUMBER_LIMIT = 40


class ListsAlreadyApproved(Conflict):
    code = "lists_already_approved"
    message = gettext_lazy("These lists were approved first by someone else; reload them.")


def appraise(
    *,
    by: Any,
    support_list: SupportList,
    returned: dict[int, str] | None = None,
    version: int | None = None,
    clock: Clock = now,
) -> SupportList:
    """Appraise a submitted list: the applications in `returned` go back with their reason, the rest pass."""
    require(by, Perm.APPRAISE_SUPPORT, support_list.unit_path, LIST_TYPE, support_list.pk)
    reasons = {int(pk): text(reason, "returned") for pk, reason in (returned or {}).items()}
    moment = clock()
    with transaction.atomic():
        locked = SupportList.objects.select_for_update().get(pk=support_list.pk)
        expected = support_list.version if version is None else version
        if locked.status != SupportList.Status.SUBMITTED or locked.version != expected:
            raise ListChanged()
        members = set(
            Application.objects.filter(support_list=locked, status=rules.SUBMITTED).values_list(
                "pk", flat=True
            )
        )
        strangers = set(reasons) - members
        if strangers:
            raise InvalidInput(_("Only applications of this list can be returned."), field="returned")
        refuse_other_support(
            Application.objects.filter(pk__in=members - set(reasons)),
            _("Return them to the ward, naming the other support."),
        )
        for pk, reason in reasons.items():
            Application.objects.filter(pk=pk).update(
                status=rules.RETURNED, status_note=reason, version=F("version") + 1
            )
        passed = Application.objects.filter(support_list=locked, status=rules.SUBMITTED).update(
            status=rules.APPRAISED, version=F("version") + 1
        )
        SupportList.objects.filter(pk=locked.pk).update(
            status=SupportList.Status.APPRAISED,
            appraised_by=by,
            appraised_at=moment,
            version=F("version") + 1,
        )
        audit.record(
            actor=by,
            action="welfare.appraise",
            object_type=LIST_TYPE,
            object_id=locked.pk,
            unit_path=locked.unit_path,
            after={"passed": passed, "returned": sorted(reasons)},
            clock=clock,
        )
    support_list.refresh_from_db()
    return support_list


def approve(
    *, by: Any, support_lists: list[SupportList], number: str, signed_on: date, clock: Clock = now
) -> Decision:
    """Issue the numbered decision approving appraised lists of one programme in one district."""
    if not support_lists:
        raise InvalidInput(_("Choose the lists to approve."), field="lists")
    wards = {item.unit_id: item.unit for item in support_lists}
    districts = {ward.parent_id for ward in wards.values()}
    programmes = {item.programme.code for item in support_lists}
    if len(districts) != 1 or len(programmes) != 1:
        raise InvalidInput(_("A decision approves lists of one programme in one district."), field="lists")
    district = next(iter(wards.values())).parent
    if district is None:
        raise InvalidInput(_("A decision approves lists of one programme in one district."), field="lists")
    require(by, Perm.APPRAISE_SUPPORT, district.path, "territory.unit", district.code)
    clean_number = text(number, "number", limit=NUMBER_LIMIT)
    if not isinstance(signed_on, date):
        raise InvalidInput(_("Give the day the decision is signed."), field="signed_on")
    ids = sorted(item.pk for item in support_lists)
    try:
        with transaction.atomic():
            locked = list(SupportList.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
            if any(item.status != SupportList.Status.APPRAISED for item in locked):
                raise ListsAlreadyApproved()
            # Not checked here for other support filed since the appraisal: an appraised line cannot be
            # returned, so one person would hold back the whole decision. payments.pay refuses the line.
            decision = Decision.objects.create(
                number=clean_number,
                unit=district,
                unit_path=district.path,
                programme=locked[0].programme,
                signed_on=signed_on,
                signed_by=by,
            )
            lines = list(
                Application.objects.filter(support_list_id__in=ids, status=rules.APPRAISED)
                .order_by("unit_path", "pk")
                .values_list("pk", flat=True)
            )
            numbers = rules.line_numbers(lines)
            changed = [Application(pk=pk, line_no=line) for pk, line in numbers.items()]
            Application.objects.bulk_update(changed, ["line_no"], batch_size=1000)
            Application.objects.filter(pk__in=lines).update(
                status=rules.APPROVED, decision=decision, version=F("version") + 1
            )
            totals = Application.objects.filter(decision=decision).aggregate(total=Sum("amount"))
            decision.count, decision.total = len(lines), totals["total"] or 0
            decision.save(update_fields=["count", "total"])
            SupportList.objects.filter(pk__in=ids).update(
                status=SupportList.Status.APPROVED, decision=decision, version=F("version") + 1
            )
            audit.record(
                actor=by,
                action="welfare.approve",
                object_type=DECISION_TYPE,
                object_id=decision.pk,
                unit_path=district.path,
                after={
                    "number": clean_number,
                    "lists": ids,
                    "count": decision.count,
                    "total": decision.total,
                },
                clock=clock,
            )
    except IntegrityError:
        if Decision.objects.filter(unit=district, number=clean_number).exists():
            raise Duplicate(
                _("The district already has a decision with this number."), field="number"
            ) from None
        raise
    return decision


def revoke_line(
    *,
    by: Any,
    application: Application,
    number: str,
    reason: str,
    version: int | None = None,
    clock: Clock = now,
) -> Application:
    """Take an approved, unpaid line out of its decision by the amending decision `number`, for `reason`
    (the person has other support, has died, was listed twice…): it is never paid, and the person's
    period is open again. A retry with the same number changes nothing."""
    require(by, Perm.APPRAISE_SUPPORT, application.unit_path, APPLICATION_TYPE, application.pk)
    clean_number = text(number, "number", limit=NUMBER_LIMIT)
    why = text(reason, "reason")
    with transaction.atomic():
        line = Application.objects.select_for_update().get(pk=application.pk)
        if line.status == rules.REVOKED and line.amended_by == clean_number:
            return line
        if line.status in (rules.PAID, rules.RECONCILED):
            raise InvalidInput(
                _("This line is paid: a paid line cannot be revoked from the decision."), field="payment"
            )
        before = application_state(line)
        # updated_at set here: a queryset update leaves auto_now alone, and the history dates the step by it
        move(line, rules.REVOKED, version, status_note=why, amended_by=clean_number, updated_at=clock())
        audit.record(
            actor=by,
            action="welfare.revoke_line",
            object_type=APPLICATION_TYPE,
            object_id=line.pk,
            unit_path=line.unit_path,
            before=before,
            after={**application_state(line), "amended_by": clean_number},
            clock=clock,
        )
    return line
