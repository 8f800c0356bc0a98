"""Writes of the cases app: cases (F0), their contacts, outcomes, and the derivation of F-levels.

Every write re-derives what it changes in the same transaction (a new F0 moves its contacts and theirs
up at once), so the levels read right after a write are current. Refusals are checked before anything
is written: a list of contacts is accepted whole or not at all.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm
from phaodai.cases import clusters, prepared, rules, selectors, tracing
from phaodai.cases.errors import (
    CaseChanged,
    ContactProblem,
    DuplicateCase,
    InvalidContacts,
    KeyUsedForAnotherCase,
    NoTestNorReason,
)
from phaodai.cases.models import Case, Exposure, TraceLevel, TracingRule
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now, plausible, to_local
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import covers, log_out_of_scope, require_within
from phaodai.core.text import nfc
from phaodai.notifications.services import notify
from phaodai.people import services as people_services

CASE_TYPE = "cases.case"
TEXT_MAX = 4000


def spec_of(rule: Any) -> rules.TracingSpec:
    return rules.TracingSpec(
        days_before=rule.days_before,
        days_after=rule.days_after,
        isolation_lag_days=rule.isolation_lag_days,
        depth=rule.depth,
        horizon_days=rule.horizon_days,
        reinfection_days=rule.reinfection_days,
    )


# Cases ------------------------------------------------------------------------------------------------


def _same_case(existing: Case, fields: dict[str, Any]) -> bool:
    return all(getattr(existing, name) == value for name, value in fields.items())


def _episode(person: Any, confirmed_on: date, spec: rules.TracingSpec) -> int:
    """The episode number of a new case for `person`, or DuplicateCase naming the case in the way."""
    last = Case.objects.filter(person=person).order_by("-episode").first()
    if last is None:
        return 1
    if last.outcome == Case.Outcome.ACTIVE:
        raise DuplicateCase(
            _("This person is already a case under treatment (case #%(pk)s).") % {"pk": last.pk},
            existing=last.pk,
        )
    ended = local_date(last.outcome_at) if last.outcome_at else None
    if not rules.may_open_episode(ended, confirmed_on, spec):
        raise DuplicateCase(
            _("This person's last case (#%(pk)s) ended less than %(days)s days ago; correct that case.")
            % {"pk": last.pk, "days": spec.reinfection_days},
            existing=last.pk,
        )
    return last.episode + 1


def check_case_facts(
    *,
    confirmed_at: datetime,
    detected_in: str,
    severity: str = Case.Severity.ASYMPTOMATIC,
    care: str = Case.Care.FACILITY,
    test_ref: str = "",
    manual_reason: str = "",
    source_note: str = "",
    clock: Clock = now,
) -> None:
    """Every check of a case's own facts, apart from who the person is: callers that look the person
    up by CCCD run it first, so a refusal never depends on whether (or where) that CCCD is registered."""
    if not plausible(confirmed_at) or confirmed_at > clock() + timedelta(minutes=5):
        raise InvalidInput(_("The confirmation time cannot be in the future."), field="confirmed_at")
    if detected_in not in Case.DetectedIn.values:
        raise InvalidInput(field="detected_in")
    if severity not in Case.Severity.values:
        raise InvalidInput(field="severity")
    if care not in Case.Care.values:
        raise InvalidInput(field="care")
    test_ref, manual_reason = nfc(test_ref or "").strip(), nfc(manual_reason or "").strip()
    if not test_ref and not manual_reason:
        raise NoTestNorReason(field="test_ref")
    if len(test_ref) > 40 or len(manual_reason) > TEXT_MAX or len(source_note or "") > TEXT_MAX:
        raise InvalidInput(field="manual_reason" if len(manual_reason) > TEXT_MAX else "test_ref")
    tracing.rule_at(local_date(confirmed_at))  # a day before the first tracing rule: refused here too


def record_case(
    *,
    by: Any,
    person: Any,
    confirmed_at: datetime,
    detected_in: str,
    source_known: bool,
    detected_unit: Any = None,
    test_ref: str = "",
    manual_reason: str = "",
    source_note: str = "",
    severity: str = Case.Severity.ASYMPTOMATIC,
    care: str = Case.Care.FACILITY,
    idempotency_key: str | None = None,
    clock: Clock = now,
) -> tuple[Case, bool]:
    """Record a person confirmed positive; their contacts (and contacts' contacts) move up at once.

    `detected_unit` is where the case was found (default: the ward where the person lives); the officer
    must trace there. A retry (same key, or the same facts without one) returns the first case with
    created=False.
    """
    area = person.residence_area
    detected = detected_unit or area.ward
    require_within(by, Perm.TRACE, path=detected.path, object_type="territory.unit", object_id=detected.code)
    if idempotency_key:
        earlier = Case.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            if earlier.person_id != person.pk:
                raise KeyUsedForAnotherCase(field="idempotency_key")
            return earlier, False
    moment = clock()
    check_case_facts(
        confirmed_at=confirmed_at,
        detected_in=detected_in,
        severity=severity,
        care=care,
        test_ref=test_ref,
        manual_reason=manual_reason,
        source_note=source_note,
        clock=clock,
    )
    test_ref, manual_reason = nfc(test_ref or "").strip(), nfc(manual_reason or "").strip()
    confirmed_on = local_date(confirmed_at)
    rule = tracing.rule_at(confirmed_on)
    spec = spec_of(rule)
    facts = {
        "person_id": person.pk,
        "confirmed_at": confirmed_at,
        "detected_in": detected_in,
        "source_known": bool(source_known),
        "test_ref": test_ref,
        "manual_reason": manual_reason,
    }
    current = Case.objects.filter(person=person, outcome=Case.Outcome.ACTIVE).first()
    if current is not None and _same_case(current, facts):
        return current, False  # the same case sent again without a key
    window = rules.exposure_window(confirmed_on, spec)
    with transaction.atomic():
        try:
            episode = _episode(person, confirmed_on, spec)
        except DuplicateCase:
            if selectors.may_trace(by, person):
                raise
            # Found here but living elsewhere: that they have a case is needed to avoid a second one;
            # which case, and its history, belong to the wards that trace them.
            raise DuplicateCase(
                _("This person already has a case; the ward where they live can tell you more.")
            ) from None
        traced = TraceLevel.objects.filter(
            person_id=person.pk, level__gt=0, exposed_on__lte=confirmed_on
        ).first()  # a contact met after testing positive is not where they caught it
        # Someone traced before testing positive may have passed it on since their own exposure:
        # their window opens then, so everyone downstream (their F2s) moves up to F1 of this case.
        window_start = min(window.start, traced.exposed_on) if traced else window.start
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    **facts,
                    episode=episode,
                    confirmed_on=confirmed_on,
                    window_start=window_start,
                    window_end=window.end,
                    chain_window_end=window.chain_end,
                    source_note=nfc(source_note or "").strip(),
                    severity=severity,
                    care=care,
                    residence_unit=area.ward,
                    residence_area=area,
                    path=person.unit_path,
                    detected_unit=detected,
                    detected_path=detected.path,
                    traced_from_id=traced.root_case_id if traced else None,
                    traced_level=traced.level if traced else None,
                    cluster_id=_expected_cluster(traced, confirmed_on, local_date(moment), rule),
                    rule=rule,
                    created_by=by,
                    idempotency_key=idempotency_key or None,
                )
        except IntegrityError:
            # A concurrent entry for the same person (or the same key) won.
            winner = Case.objects.filter(person=person, outcome=Case.Outcome.ACTIVE).first()
            same_key = (
                idempotency_key is not None
                and winner is not None
                and winner.idempotency_key == idempotency_key
            )
            if winner is not None and (_same_case(winner, facts) or same_key):
                return winner, False
            shown = winner.pk if winner is not None and selectors.may_trace(by, person) else None
            raise DuplicateCase(existing=shown) from None
        # As of today, not the confirmation day: links recorded since then count too.
        new_case = tracing.NewCase(case.pk, person.pk, case.traced_from_id)
        writes: list[prepared.Statement] = []  # the rows' writes, sent with the clusters' statements
        reach = tracing.derive_around(
            [person.pk],
            local_date(moment),
            new_case=new_case,
            paths=[(person.pk, person.unit_path)],
            writes=writes,
        )
        if reach.placed is not None:  # its cluster was known from the rows around it
            clusters.recount(
                reach.roots | {case.pk},
                traced_moves=reach.traced_moves,
                placing=(case.pk, reach.placed),
                pending=writes,
            )
        else:
            if case.cluster_id is not None:
                # The walk groups it from scratch: the cluster expected before the derivation's lock
                # may no longer be its source's (a rebuild committed in between).
                Case.objects.filter(pk=case.pk).update(cluster=None)
            clusters.assign_clusters_for(reach.roots | {case.pk}, pending=writes)
        case.refresh_from_db()
        audit.record(
            actor=by,
            action="cases.record_case",
            object_type=CASE_TYPE,
            object_id=case.pk,
            unit_path=case.path,
            after={"episode": episode, "detected_in": detected_in, "source_known": case.source_known},
            clock=clock,
        )
        _announce(case, clock)
    return case, True


def _expected_cluster(
    traced: TraceLevel | None, confirmed_on: date, as_of: date, rule: TracingRule
) -> int | None:
    """The cluster a new case traced from another joins when that case's is the only one it meets (the
    common case: a traced contact turning positive), given it from the start so that grouping it writes
    nothing. The derivation confirms it from the rows it reads under its lock; when it cannot, the walk
    groups the case from scratch (record_case clears it first). None when it is not traced, or will
    not be a current case as of the derivation's day (no F0 row: grouped once it is)."""
    if traced is None or confirmed_on > as_of:
        return None
    horizon_days = (rule if as_of == confirmed_on else tracing.rule_at(as_of)).horizon_days
    return traced.cluster_id if confirmed_on >= rules.horizon_start(as_of, horizon_days) else None


def _announce(case: Case, clock: Clock) -> None:
    """Tell the ward of residence and, if elsewhere, the ward where the case was found."""
    subject = _("New F0 case #%(pk)s (%(detected)s)") % {
        "pk": case.pk,
        "detected": case.get_detected_in_display(),
    }
    body = _("Confirmed %(at)s; %(source)s.") % {
        "at": f"{to_local(case.confirmed_at):%H:%M %d/%m/%Y}",
        "source": _("source known") if case.source_known else _("source unknown"),
    }
    units = {case.residence_unit.pk: case.residence_unit, case.detected_unit.pk: case.detected_unit}
    for unit in units.values():
        notify(
            unit,
            kind="cases.new_case",
            subject=subject,
            body=body,
            perm=Perm.TRACE,
            severity="urgent",
            dedupe_key=f"cases.new:{case.pk}:{unit.code}",
            clock=clock,
        )


def record_outcome(
    *, by: Any, case: Case, outcome: str, at: datetime, version: int | None = None, clock: Clock = now
) -> Case:
    """The case recovered or died; compare-and-set on the version the officer saw."""
    require_within(by, Perm.TRACE, path=case.path, object_type=CASE_TYPE, object_id=case.pk)
    if outcome not in (Case.Outcome.RECOVERED, Case.Outcome.DIED):
        raise InvalidInput(field="outcome")
    if not plausible(at) or at < case.confirmed_at or at > clock() + timedelta(minutes=5):
        raise InvalidInput(_("The outcome date must be between the confirmation and now."), field="at")
    guard = {"pk": case.pk, "outcome": Case.Outcome.ACTIVE}
    if version is not None:
        guard["version"] = version
    with transaction.atomic():
        if not Case.objects.filter(**guard).update(outcome=outcome, outcome_at=at, version=case.version + 1):
            raise CaseChanged()
        audit.record(
            actor=by,
            action="cases.record_outcome",
            object_type=CASE_TYPE,
            object_id=case.pk,
            unit_path=case.path,
            after={"outcome": outcome, "at": at.isoformat()},
            clock=clock,
        )
    return Case.objects.get(pk=case.pk)


# Contacts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactInput:
    """A contact of the person being traced: a registered person, or someone named by CCCD, or by name
    and phone, believed to live in `residence_area` (registered provisionally on the way)."""

    exposed_on: date
    setting: str
    person: Any = None
    cccd: str = ""
    full_name: str = ""
    phone: str = ""
    residence_area: Any = None
    note: str = ""


@dataclass(frozen=True)
class ContactsAdded:
    added: int  # new links
    already_known: int  # links sent again (same pair and day)
    registered: int  # contacts registered provisionally on the way
    persons: tuple[Any, ...]  # the contacts, in the order sent


def _require_tracer(by: Any, source: Any) -> None:
    """Officers who trace where the person lives, or where one of their cases was found."""
    if covers(by, source.unit_path, Perm.TRACE):
        return
    for path in Case.objects.filter(person=source).values_list("detected_path", flat=True):
        if covers(by, path, Perm.TRACE):
            return
    if not has_perm(by, Perm.TRACE):
        raise NotPermitted()
    log_out_of_scope(by, "people.person", source.pk, source.unit_path)
    raise OutOfScope()


def _earliest_allowed(source: Any, today: date) -> tuple[date, str]:
    """The first day an exposure to `source` may be dated, and why."""
    row = TraceLevel.objects.filter(person_id=source.pk).first()
    if row is not None:
        return row.next_from, _("the start of this person's exposure window")
    return rules.horizon_start(today, tracing.rule_at(today).horizon_days), _("the tracing horizon")


def _check(contacts: Sequence[ContactInput], source: Any, today: date) -> list[ContactProblem]:
    problems = []
    earliest, why = _earliest_allowed(source, today)
    for index, contact in enumerate(contacts):
        if contact.setting not in Exposure.Setting.values:
            problems.append(ContactProblem(index, "setting", _("Unknown setting.")))
        if not isinstance(contact.exposed_on, date):
            problems.append(ContactProblem(index, "exposed_on", _("Not a date.")))
            continue
        if contact.exposed_on > today:
            problems.append(
                ContactProblem(index, "exposed_on", _("The exposure date is after the report date."))
            )
        elif contact.exposed_on < earliest:
            problems.append(
                ContactProblem(
                    index,
                    "exposed_on",
                    _("The exposure date is before %(why)s (%(day)s).")
                    % {"why": why, "day": f"{earliest:%d/%m/%Y}"},
                )
            )
        if contact.person is not None and contact.person.pk == source.pk:
            problems.append(ContactProblem(index, "cccd", _("A person cannot be their own contact.")))
        if contact.person is None and contact.residence_area is None:
            problems.append(ContactProblem(index, "residence_area", _("Say where the contact lives.")))
        if len(contact.note or "") > 300:
            problems.append(ContactProblem(index, "note", _("At most 300 characters.")))
    return problems


def add_contacts(
    *, by: Any, source: Any, contacts: Sequence[ContactInput], clock: Clock = now
) -> ContactsAdded:
    """Link `source` to each contact on a day; idempotent per pair and day; levels re-derived at once."""
    _require_tracer(by, source)
    if not contacts:
        raise InvalidInput(_("Add at least one contact."), field="contacts")
    if len(contacts) > 500:
        raise InvalidInput(_("At most 500 contacts at once."), field="contacts")
    today = local_date(clock())
    problems = _check(contacts, source, today)
    if problems:
        raise InvalidContacts(problems)
    with transaction.atomic():
        persons, registered = [], 0
        for index, contact in enumerate(contacts):
            person = contact.person
            if person is None:
                try:
                    person = people_services.register_contact(
                        by=by,
                        residence_area=contact.residence_area,
                        full_name=contact.full_name,
                        phone=contact.phone,
                        cccd=contact.cccd,
                        clock=clock,
                    )
                except InvalidInput as error:
                    field = error.field or "cccd"
                    raise InvalidContacts([ContactProblem(index, field, str(error.detail))]) from None
                registered += int(person.registered_now)
            if person.pk == source.pk:
                raise InvalidContacts(
                    [ContactProblem(index, "cccd", _("A person cannot be their own contact."))]
                )
            persons.append(person)
        links: dict[tuple[Any, Any, date], Exposure] = {}
        for contact, person in zip(contacts, persons, strict=True):
            low, high = sorted((source.pk, person.pk), key=str)
            links.setdefault(
                (low, high, contact.exposed_on),
                Exposure(
                    low_id=low,
                    high_id=high,
                    exposed_on=contact.exposed_on,
                    setting=contact.setting,
                    reported_for=source,
                    reported_by=by,
                    path=source.unit_path,
                    note=nfc(contact.note or "").strip(),
                ),
            )
        before = Exposure.objects.filter(
            low_id__in={k[0] for k in links}, high_id__in={k[1] for k in links}
        ).values_list("low_id", "high_id", "exposed_on")
        known = set(before) & set(links)
        new = [key for key in links if key not in known]  # (low, high, day)
        Exposure.objects.bulk_create([links[key] for key in new], ignore_conflicts=True)
        added = len(new)
        if added:
            seeds = [source, *persons]
            writes: list[prepared.Statement] = []  # the rows' writes, sent with the clusters' statements
            reach = tracing.derive_around(
                [p.pk for p in seeds],
                today,
                added=new,
                paths=[(p.pk, p.unit_path) for p in seeds],
                writes=writes,
            )
            linked_cases = reach.is_case(source.pk) and any(reach.is_case(p.pk) for p in persons)
            if linked_cases or reach.made_current:  # the groups may change: walk from the cases met
                clusters.assign_clusters_for(reach.roots, pending=writes)
            else:  # no new link between two cases, no case made current: the groups stand
                clusters.recount(reach.roots, traced_moves=reach.traced_moves, pending=writes)
        if added or registered:  # a retry that changes nothing leaves no trace either
            audit.record(
                actor=by,
                action="cases.add_contacts",
                object_type="people.person",
                object_id=source.pk,
                unit_path=source.unit_path,
                after={"added": added, "known": len(known), "registered": registered},
                clock=clock,
            )
    return ContactsAdded(added, len(known), registered, tuple(persons))


# Derivation -------------------------------------------------------------------------------------------


def rederive(*, as_of: date) -> tracing.Derivation:
    """Rebuild every level and cluster (nightly, and after corrections that can lower a level)."""
    return tracing.derive_all(as_of)
