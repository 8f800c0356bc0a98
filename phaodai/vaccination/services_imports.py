"""Imports of dose records and the bulk dose service: starting and running a job from an upload, reading
jobs in scope, the matching queue of doses whose person was not found (a ward matches them to a person
by CCCD, or dismisses them), and `record_doses`, which records many doses at once with the rules and
idempotence of services.record_dose and keeps the per-person summaries coverage reads exact."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.bulk.jobs import JobKind, MatchingQueue
from phaodai.core.bulk.jobs import progress_of as progress_of
from phaodai.core.bulk.runner import BatchResult
from phaodai.core.clock import Clock, local_date, now
from phaodai.core.crypto import field_cipher
from phaodai.core.errors import Conflict, InvalidInput
from phaodai.core.jurisdiction import common_path, require_within
from phaodai.core.models import ImportJob
from phaodai.core.text import nfc
from phaodai.vaccination import selectors
from phaodai.vaccination.dose_bulk import Catalogue, DoseLine, DoseValues, Planner, stored_doses, write_plan
from phaodai.vaccination.dose_import import UNMATCHED_CCCD_AAD, DoseImport
from phaodai.vaccination.models import Dose, Product, UnmatchedDose
from phaodai.vaccination.services import LIMITS

KIND = ImportJob.Kind.DOSES
QUEUE_TYPE = "vaccination.unmatcheddose"


class AlreadyResolved(Conflict):
    code = "unmatched_already_resolved"
    message = gettext_lazy("This dose has already been matched or dismissed.")


def _enqueue(job_id: int) -> Any:
    from phaodai.vaccination.tasks import run_import  # tasks import this module

    return run_import.enqueue(job_id)


JOBS = JobKind(
    kind=KIND,
    perm=Perm.VACCINATE,
    start_action="import.doses.start",
    handler=lambda clock: DoseImport(clock=clock),
    enqueue=_enqueue,
)
# A dose whose person is unknown waits under the uploader's unit: only those whose units cover it see it
# (the ward's vaccinators, its district, the city). Its name and dose are health data.
QUEUE = MatchingQueue(
    model=UnmatchedDose,
    perm=Perm.VACCINATE,
    object_type=QUEUE_TYPE,
    related="product",
    already_resolved=AlreadyResolved,
)

start_import = JOBS.start
run_import = JOBS.run
resumable = JOBS.resumable
jobs_visible_to = JOBS.visible_to
job_for = JOBS.get
unmatched_visible_to = QUEUE.visible_to
unmatched_for = QUEUE.get


# The matching queue ------------------------------------------------------------------------------------


def match_unmatched(
    *, by: Any, unmatched: UnmatchedDose, cccd: str = "", file_cccd_wrong: bool = False, clock: Clock = now
) -> int:
    """Record every open dose of this entry's CCCD for the person with `cccd` (by default the CCCD the
    file gave, for a person registered since) within the user's vaccination units; returns how many.
    When the file gave another CCCD, the officer must say that the file's was wrong.

    The doses go through the same checks as an import (the dose rule against the person's stored doses);
    one refused refuses them all, nothing written."""
    if not cccd.strip():
        cccd = field_cipher().decrypt(bytes(_ciphertext(unmatched)), associated=UNMATCHED_CCCD_AAD)
    person = selectors.person_by_cccd(by, cccd)
    if person is None:
        raise InvalidInput(_("No person with this CCCD is registered within your units."), field="cccd")
    overridden = person.cccd_index != unmatched.cccd_index
    if overridden and not file_cccd_wrong:
        # The file named a CCCD: the doses are that person's unless someone vouches otherwise.
        raise InvalidInput(
            _(
                "This CCCD differs from the one in the file. Register the person with the file's CCCD, or "
                "confirm that the file's CCCD was wrong."
            ),
            field="cccd",
        )
    if unmatched.birth_date and person.birth_date != unmatched.birth_date:
        raise InvalidInput(_("The birth date given in the file differs from this person's."), field="cccd")
    with transaction.atomic():
        entries = list(
            UnmatchedDose.objects.select_for_update()
            .filter(cccd_index=unmatched.cccd_index, status=UnmatchedDose.Status.OPEN)
            .order_by("dose_number")
        )
        if unmatched.pk not in {entry.pk for entry in entries}:
            raise AlreadyResolved()
        catalogue = Catalogue.load()
        planner = Planner(catalogue, local_date(clock()), stored_doses({person.pk}))
        result = BatchResult()
        for position, entry in enumerate(entries):
            values = DoseValues(entry.product_id, entry.lot, entry.given_on, entry.site, entry.vaccinator)
            line = DoseLine(position, "", entry.cccd_index, "", None, entry.dose_number, values)
            planner.registered(line, person.pk, person.unit_path, result)
        if result.rejections:
            refused = result.rejections[0]
            raise InvalidInput(
                _("Dose %(number)s: %(reason)s")
                % {"number": entries[refused.row].dose_number, "reason": refused.message},
                field="cccd",
            )
        write_plan(planner.plan, catalogue, job=None, by=by, encrypt=_no_queue, clock=clock)
        doses = dict(Dose.objects.filter(person=person).values_list("dose_number", "pk"))
        moment = clock()
        for entry in entries:
            UnmatchedDose.objects.filter(pk=entry.pk).update(
                status=UnmatchedDose.Status.MATCHED, dose_id=doses[entry.dose_number], resolved_by=by,
                resolved_at=moment, updated_at=moment,
            )  # fmt: skip
        audit.record(
            actor=by, action="vaccination.unmatched.match", object_type=QUEUE_TYPE, object_id=unmatched.pk,
            unit_path=person.unit_path,
            after={"person": str(person.pk), "doses": len(entries), "file_cccd_overridden": overridden},
            clock=clock,
        )  # fmt: skip
    return len(entries)


def _ciphertext(unmatched: UnmatchedDose) -> Any:
    # The queue's reads defer the ciphertext; fetch it only for this entry.
    return UnmatchedDose.objects.values_list("cccd_ciphertext", flat=True).get(pk=unmatched.pk)


def _no_queue(line: DoseLine) -> bytes:
    raise AssertionError("matching never queues a dose")


def dismiss_unmatched(*, by: Any, unmatched: UnmatchedDose, clock: Clock = now) -> None:
    """Close the entry without a person (a visitor without a CCCD in the registry, a test row...)."""
    QUEUE.dismiss(by=by, entry=unmatched, action="vaccination.unmatched.dismiss", clock=clock)


# The bulk dose service ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DoseEntry:
    """A dose to record, as record_dose takes it."""

    person: Any
    product: Product
    dose_number: int
    given_on: date
    lot: str
    site: str
    vaccinator: str


def _cleaned(value: str, field: str) -> str:
    text = nfc(value or "")
    if not text:
        raise InvalidInput(_("This field is required."), field=field)
    if len(text) > LIMITS[field]:
        raise InvalidInput(_("At most %(limit)s characters.") % {"limit": LIMITS[field]}, field=field)
    return text


def record_doses(*, by: Any, doses: Sequence[DoseEntry], clock: Clock = now) -> BatchResult:
    """Record many doses in one transaction, set-wise: the dose rule against each person's stored doses
    and the earlier entries, a retry changes nothing, a changed dose is a correction kept in history, and
    each touched person's summary is recomputed. Refused entries are returned (`row`: their position
    from 1), the others written."""
    persons: dict[uuid.UUID, Any] = {}
    for entry in doses:
        persons.setdefault(entry.person.pk, entry.person)
    for person in persons.values():  # before the transaction, so a logged attempt is kept
        require_within(
            by, Perm.VACCINATE, path=person.unit_path, object_type="people.person", object_id=person.pk
        )
    catalogue = Catalogue.load()
    lines = []
    for position, entry in enumerate(doses, start=1):
        values = DoseValues(
            entry.product.pk, _cleaned(entry.lot, "lot"), entry.given_on, _cleaned(entry.site, "site"),
            _cleaned(entry.vaccinator, "vaccinator"),
        )  # fmt: skip
        lines.append((entry.person.pk, DoseLine(position, "", "", "", None, entry.dose_number, values)))
    result = BatchResult()
    with transaction.atomic():
        planner = Planner(catalogue, local_date(clock()), stored_doses(persons))
        for person_id, line in sorted(
            lines, key=lambda item: (str(item[0]), item[1].dose_number, item[1].number)
        ):
            planner.registered(line, person_id, persons[person_id].unit_path, result)
        write_plan(planner.plan, catalogue, job=None, by=by, encrypt=_no_queue, clock=clock)
        audit.record(
            actor=by, action="vaccination.record_doses", object_type=selectors.DOSE_TYPE,
            unit_path=common_path([p.unit_path for p in persons.values()]),
            after={"accepted": result.accepted, "corrected": result.corrected, "refused": result.rejected},
            clock=clock,
        )  # fmt: skip
    return result
