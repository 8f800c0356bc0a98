"""The ward's list (S33): reviewed applications posted publicly for the programme's number of days,
objections recorded and resolved, then the list sent to the district.

Each step is one transaction with its audit entry; the list row is locked (select_for_update), so two
officers acting at once get one result and a Conflict.
"""

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, now, to_local
from phaodai.core.errors import Conflict, InvalidInput
from phaodai.welfare import rules, selectors
from phaodai.welfare.models import Application, Objection, SupportList
from phaodai.welfare.workflow import (
    APPLICATION_TYPE,
    LIST_TYPE,
    OBJECTION_TYPE,
    ListChanged,
    application_state,
    move,
    require,
)
from phaodai.welfare.workflow import text as clean_text


def post_list(*, by: Any, ward: Any, programme_code: str, clock: Clock = now) -> SupportList:
    """Put every reviewed application of the ward and programme on a new list, posted for its days."""
    if ward is None or getattr(ward, "level", "") != "ward":
        raise InvalidInput(_("Choose the ward."), field="ward")
    require(by, Perm.FILE_SUPPORT, ward.path, "territory.unit", ward.code)
    programme = selectors.programme_by_code(programme_code)
    moment = clock()
    try:
        with transaction.atomic():
            ids = list(
                Application.objects.select_for_update()
                .filter(unit=ward, programme_code=programme.code, status=rules.REVIEWED)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not ids:
                raise InvalidInput(
                    _("No reviewed applications of this programme to post."), field="programme"
                )
            last = SupportList.objects.filter(unit=ward, programme__code=programme.code).aggregate(
                n=Max("number")
            )
            support_list = SupportList.objects.create(
                unit=ward,
                unit_path=ward.path,
                programme=programme,
                number=(last["n"] or 0) + 1,
                posted_at=moment,
                posting_ends_at=moment + timedelta(days=programme.posting_days),
                posted_by=by,
            )
            Application.objects.filter(pk__in=ids).update(
                status=rules.POSTED, support_list=support_list, version=F("version") + 1
            )
            audit.record(
                actor=by,
                action="welfare.post_list",
                object_type=LIST_TYPE,
                object_id=support_list.pk,
                unit_path=ward.path,
                after={"applications": ids, "until": support_list.posting_ends_at},
                clock=clock,
            )
    except IntegrityError:
        raise Conflict(_("Another list of this programme was posted at the same moment; reload.")) from None
    return support_list


def record_objection(
    *, by: Any, application: Application, text: str, objector: str = "", clock: Clock = now
) -> Objection:
    """Record an objection to a posted application (the objector's name is optional and never public)."""
    require(by, Perm.FILE_SUPPORT, application.unit_path, APPLICATION_TYPE, application.pk)
    content = clean_text(text, "text", limit=1000)
    who = clean_text(objector, "objector", limit=150, required=False)
    with transaction.atomic():
        # Under the list's lock, as submit_list counts open objections: the objection is in before the list
        # goes to the district, or the application is read as no longer posted.
        application = _locked_on_list(application)
        if application.status != rules.POSTED:
            raise InvalidInput(_("Objections are recorded while the application is posted."), field="text")
        objection = Objection.objects.create(
            application=application, received_at=clock(), objector=who, text=content, recorded_by=by
        )
        audit.record(
            actor=by,
            action="welfare.objection",
            object_type=OBJECTION_TYPE,
            object_id=objection.pk,
            unit_path=application.unit_path,
            after={"application": application.pk, "text": content},
            clock=clock,
        )
    return objection


def resolve_objection(
    *, by: Any, objection: Objection, upheld: bool, note: str, clock: Clock = now
) -> Objection:
    """Uphold an objection (the application is rejected) or dismiss it; the note says why."""
    application = objection.application
    require(by, Perm.FILE_SUPPORT, application.unit_path, OBJECTION_TYPE, objection.pk)
    reason = clean_text(note, "note")
    status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    with transaction.atomic():
        application = _locked_on_list(application)
        changed = Objection.objects.filter(pk=objection.pk, status=Objection.Status.OPEN).update(
            status=status, resolution_note=reason, resolved_by=by, resolved_at=clock()
        )
        if not changed:
            raise Conflict(_("This objection was already resolved."))
        # Upheld, it must reject the application: refused (the objection stays open) once the application
        # was sent on, not marked upheld while it is paid. Already rejected (another objection) is fine.
        if upheld and application.status not in (rules.POSTED, rules.REJECTED):
            raise Conflict(
                _(
                    "This application is %(status)s, no longer posted: upholding the objection cannot "
                    "reject it. The district can return it at appraisal."
                )
                % {"status": application.get_status_display()},
                field="outcome",
            )
        if upheld and application.status == rules.POSTED:
            before = application_state(application)
            move(application, rules.REJECTED, None, status_note=reason)
            audit.record(
                actor=by,
                action="welfare.reject_on_objection",
                object_type=APPLICATION_TYPE,
                object_id=application.pk,
                unit_path=application.unit_path,
                before=before,
                after=application_state(application),
                clock=clock,
            )
        audit.record(
            actor=by,
            action="welfare.resolve_objection",
            object_type=OBJECTION_TYPE,
            object_id=objection.pk,
            unit_path=application.unit_path,
            after={"status": status, "note": reason},
            clock=clock,
        )
    objection.refresh_from_db()
    return objection


def _locked_on_list(application: Application) -> Application:
    """The application read again under its list's row lock (the lock submit_list takes)."""
    fresh = Application.objects.get(pk=application.pk)
    if fresh.support_list_id is not None:
        SupportList.objects.select_for_update().filter(pk=fresh.support_list_id).values_list("pk").get()
        fresh.refresh_from_db()
    return fresh


def submit_list(
    *, by: Any, support_list: SupportList, version: int | None = None, clock: Clock = now
) -> SupportList:
    """Send a posted list to the district once its posting is over and no objection is open."""
    require(by, Perm.FILE_SUPPORT, support_list.unit_path, LIST_TYPE, support_list.pk)
    moment = clock()
    if moment < support_list.posting_ends_at:
        raise InvalidInput(
            _("The list stays posted until %(when)s.")
            % {"when": f"{to_local(support_list.posting_ends_at):%H:%M %d/%m/%Y}"},
            field="list",
        )
    with transaction.atomic():
        locked = SupportList.objects.select_for_update().get(pk=support_list.pk)
        expected = support_list.version if version is None else version
        if locked.status != SupportList.Status.POSTED or locked.version != expected:
            raise ListChanged()
        # Counted under the lock record_objection takes: none can be recorded between the count and the move.
        open_objections = Objection.objects.filter(
            application__support_list=locked, status=Objection.Status.OPEN
        ).count()
        if open_objections:
            raise InvalidInput(
                _("Resolve the %(count)s open objection(s) first.") % {"count": open_objections},
                field="objections",
            )
        SupportList.objects.filter(pk=locked.pk).update(
            status=SupportList.Status.SUBMITTED, submitted_at=moment, version=F("version") + 1
        )
        count = Application.objects.filter(support_list=locked, status=rules.POSTED).update(
            status=rules.SUBMITTED, version=F("version") + 1
        )
        audit.record(
            actor=by,
            action="welfare.submit_list",
            object_type=LIST_TYPE,
            object_id=locked.pk,
            unit_path=locked.unit_path,
            after={"applications": count},
            clock=clock,
        )
    support_list.refresh_from_db()
    return support_list
