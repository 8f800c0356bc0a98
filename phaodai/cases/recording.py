"""Which wards keep their cases in phaodai, and from when: an explicit choice of the ward (or its district).

Zoning's case indicators and the situation report's case figures of a ward come from its recorded cases
only from the day it chose (`since`) on. Elsewhere, and before that day, the values the ward enters by
hand stand: a ward that keeps its cases on paper is never shown as free of them, and neither a lockdown
nor a case of its resident found in another ward makes it "recording".

Starting is idempotent (the same day again returns the first choice) and audited; a different day for a
ward already recording is a conflict naming the first. There is no stopping: once a ward's figures come
from its cases, switching back would silently bring old hand-entered values back.
"""

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.cases.models import CaseRecording
from phaodai.core import audit
from phaodai.core.clock import FIRST_YEAR, LAST_YEAR, Clock, local_date, now
from phaodai.core.errors import Conflict, InvalidInput
from phaodai.core.jurisdiction import log_out_of_scope, paths_of, require_within, scope_q
from phaodai.territory import selectors as territory

RECORDING_TYPE = "cases.case_recording"
PERM = Perm.TRACE
WARD = "ward"
# A ward may plan its start a little ahead (from next Monday); further is a typing mistake.
SINCE_AHEAD = timedelta(days=31)


class AlreadyRecording(Conflict):
    code = "case_recording_started"
    message = gettext_lazy("This ward already keeps its cases here.")

    def __init__(self, existing: CaseRecording) -> None:
        super().__init__(
            _("%(ward)s keeps its cases here since %(since)s.")
            % {"ward": existing.unit.full_name, "since": f"{existing.since:%d/%m/%Y}"},
            field="since",
        )
        self.existing = existing


# Reads -----------------------------------------------------------------------------------------------


def recording_paths(day: date) -> set[str]:
    """Ward paths whose cases are kept here on `day` (from their `since` on). One query."""
    return set(CaseRecording.objects.filter(since__lte=day).values_list("path", flat=True))


def recording_since(day: date) -> dict[str, date]:
    """Ward path → the day it started keeping its cases here, for the wards that do on `day`."""
    return dict(CaseRecording.objects.filter(since__lte=day).values_list("path", "since"))


def recordings_of_ward(ward: Any) -> CaseRecording | None:
    return CaseRecording.objects.filter(unit=ward).first()


def may_start(user: Any, ward: Any = None) -> bool:
    """Whether the user switches recording on (for `ward`, when given)."""
    if ward is None:
        return bool(paths_of(user, PERM))
    return any(ward.path.startswith(prefix) for prefix in paths_of(user, PERM))


def wards_of(user: Any) -> list[Any]:
    """The wards within the user's units (for Perm.TRACE), by path; one query per unit of theirs."""
    wards: dict[str, Any] = {}
    for path in paths_of(user, PERM):
        root = territory.unit_by_path(path)
        if root is not None:
            for ward in territory.within(root).filter(level=WARD).select_related("parent"):
                wards[ward.path] = ward
    return [wards[path] for path in sorted(wards)]


def recordings_for(user: Any) -> dict[int, CaseRecording]:
    """The recordings of the user's wards, by unit id. One query."""
    rows = CaseRecording.objects.filter(scope_q(user, "path", PERM)).select_related("by")
    return {row.unit_id: row for row in rows}


def ward_to_record(user: Any, code: str) -> Any:
    """A ward by code among the user's units; 404 (logged when it exists elsewhere) otherwise."""
    ward = (
        territory.unit_by_code(code)
        if code and len(code) == 5 and code.isascii() and code.isdigit()
        else None
    )
    if ward is None or ward.level != WARD:
        raise Http404
    if not may_start(user, ward):
        log_out_of_scope(user, "territory.unit", ward.pk, ward.path)
        raise Http404
    return ward


# Writes ----------------------------------------------------------------------------------------------


def _since(value: Any, today: date) -> date:
    if not isinstance(value, date) or not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InvalidInput(_("Give the first day as dd/mm/yyyy."), field="since")
    if value > today + SINCE_AHEAD:
        raise InvalidInput(
            _("The first day is at most %(n)s days ahead.") % {"n": SINCE_AHEAD.days}, field="since"
        )
    return value


def _answer(existing: CaseRecording, since: date) -> tuple[CaseRecording, bool]:
    if existing.since == since:
        return existing, False  # the same choice sent again
    raise AlreadyRecording(existing)


def start_recording(*, by: Any, ward: Any, since: date, clock: Clock = now) -> tuple[CaseRecording, bool]:
    """The ward keeps its cases here from `since`; returns the recording and whether it is new.

    403 without Perm.TRACE; 404 (logged) for a ward outside the officer's units; 422 for a unit that is
    not a ward or a day that is not plausible; 409 if the ward already records from another day.
    """
    require_within(by, PERM, path=ward.path, object_type="territory.unit", object_id=ward.pk)
    if ward.level != WARD:
        raise InvalidInput(_("Choose a ward: each ward decides for its own cases."), field="ward")
    moment = clock()
    since = _since(since, local_date(moment))
    existing = CaseRecording.objects.select_related("unit").filter(unit=ward).first()
    if existing is not None:
        return _answer(existing, since)
    try:
        with transaction.atomic():
            made = CaseRecording.objects.create(
                unit=ward, path=ward.path, since=since, by=by, created_at=moment
            )
            audit.record(
                actor=by,
                action="cases.recording_start",
                object_type=RECORDING_TYPE,
                object_id=made.pk,
                unit_path=ward.path,
                after={"ward": ward.code, "since": since.isoformat()},
                clock=clock,
            )
    except IntegrityError:
        # A colleague switched it on a moment ago.
        return _answer(CaseRecording.objects.select_related("unit").get(unit=ward), since)
    return made, True
