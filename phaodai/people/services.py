"""Writes to the person registry: register, correct, and bulk-register persons.

Idempotency of `register_person`: a retry with the same CCCD and the same details returns the
person already registered (no second row, no second audit entry); the same CCCD with any
different detail is refused with PersonAlreadyRegistered (409), whose message never repeats the CCCD.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now
from phaodai.core.errors import Conflict, Duplicate, InvalidInput, NotPermitted
from phaodai.core.identity import validate_cccd
from phaodai.core.jurisdiction import covers, log_out_of_scope, require_within
from phaodai.core.text import nfc
from phaodai.people import ingest, validation
from phaodai.people.cccd import cccd_index, decrypt_cccd, encrypt_cccd
from phaodai.people.models import Person
from phaodai.people.rules import BulkResult, PersonRow


class PersonAlreadyRegistered(Duplicate):
    code = "person_exists"
    message = _("A person with this citizen ID (CCCD) is already registered with different details.")
    status = 409


class PersonChangedMeanwhile(Conflict):
    code = "person_changed"
    message = _(
        "Someone else changed this person while you were editing. Reload the page to see their "
        "changes, then make yours again."
    )


class PersonRegisteredElsewhere(PersonAlreadyRegistered):
    """The CCCD belongs to a resident outside the actor's units: say so, but show nothing of them."""

    code = "person_registered_elsewhere"
    message = _(
        "This citizen ID (CCCD) is already registered in another ward. If the person has moved, ask "
        "that ward to change their residence."
    )
    status = 409


@dataclass(frozen=True)
class Details:
    """A person's details once checked and normalised."""

    cccd: str
    full_name: str
    name_key: str
    birth_date: date
    sex: str
    phone: str
    residence_area_id: int
    household_id: int | None
    unit_path: str
    chronic_illness: bool
    disability_immobile: bool
    pregnant: bool

    def stored(self) -> dict[str, Any]:
        """The model field values, except the CCCD columns."""
        return {
            "full_name": self.full_name,
            "name_key": self.name_key,
            "birth_date": self.birth_date,
            "sex": self.sex,
            "phone": self.phone,
            "residence_area_id": self.residence_area_id,
            "household_id": self.household_id,
            "unit_path": self.unit_path,
            "chronic_illness": self.chronic_illness,
            "disability_immobile": self.disability_immobile,
            "pregnant": self.pregnant,
        }


def _clean(
    *,
    cccd: str,
    full_name: str,
    birth_date: date,
    sex: str,
    phone: str | None,
    residence_area: Any,
    household: Any,
    chronic_illness: bool,
    disability_immobile: bool,
    pregnant: bool,
    today: date,
) -> Details:
    """Check and normalise every detail, raising InvalidInput that names the first bad field."""
    name = nfc(full_name or "")
    validation.check_name(name)
    if not isinstance(birth_date, date):
        raise InvalidInput(_("The birth date is not a date."), field="birth_date")
    validation.check_birth_date(birth_date, today)
    validation.check_sex(sex, pregnant)
    number = validate_cccd(cccd, birth_date=birth_date, sex=sex)
    if household is not None and household.area_id != residence_area.pk:
        raise InvalidInput(_("The household does not belong to the residential area."), field="household")
    return Details(
        cccd=number,
        full_name=name,
        name_key=validation.name_key(name),
        birth_date=birth_date,
        sex=sex,
        phone=validation.clean_phone(phone),
        residence_area_id=residence_area.pk,
        household_id=household.pk if household is not None else None,
        unit_path=residence_area.path,
        chronic_illness=bool(chronic_illness),
        disability_immobile=bool(disability_immobile),
        pregnant=bool(pregnant),
    )


def _require_in_area(user: Any, perm: str, area: Any) -> None:
    require_within(user, perm, path=area.path, object_type="territory.area", object_id=area.pk)


def _audit_state(person: Person) -> dict[str, Any]:
    # Only audit.digest of this is stored, and that digest is keyed: it cannot be matched against
    # guessed names, dates or health flags.
    return {
        "cccd_index": person.cccd_index,
        "full_name": person.full_name,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "phone": person.phone,
        "residence_area": person.residence_area_id,
        "household": person.household_id,
        "health": [person.chronic_illness, person.disability_immobile, person.pregnant],
        "provisional": person.provisional,
    }


def _same_or_conflict(existing: Person, details: Details) -> Person:
    """The existing person when a retry carries the same details; otherwise a 409."""
    if any(getattr(existing, name) != value for name, value in details.stored().items()):
        raise PersonAlreadyRegistered(field="cccd")
    existing.registered_now = False
    return existing


def register_person(
    *,
    by: Any,
    cccd: str,
    full_name: str,
    birth_date: date,
    sex: str,
    phone: str | None,
    residence_area: Any,
    household: Any = None,
    chronic_illness: bool = False,
    disability_immobile: bool = False,
    pregnant: bool = False,
    clock: Clock = now,
) -> Person:
    """Register a resident of `residence_area`; a retry with identical details returns the same person."""
    # Checked before the transaction: a refusal's audit record must not be rolled back with it.
    _require_in_area(by, Perm.ADD_PERSON, residence_area)
    details = _clean(
        cccd=cccd,
        full_name=full_name,
        birth_date=birth_date,
        sex=sex,
        phone=phone,
        residence_area=residence_area,
        household=household,
        chronic_illness=chronic_illness,
        disability_immobile=disability_immobile,
        pregnant=pregnant,
        today=local_date(clock()),
    )
    _refuse_if_registered_elsewhere(by, details.cccd)
    with transaction.atomic():
        return _insert_or_match(by, details, clock)


def _refuse_if_registered_elsewhere(by: Any, cccd: str) -> None:
    """Uniqueness makes "exists" unavoidable to tell, but the attempt is logged and nothing is shown.

    Runs outside the write transaction so the logged attempt is not rolled back with the refusal.
    """
    existing = Person.objects.filter(cccd_index=cccd_index(cccd)).values_list("pk", "unit_path").first()
    if existing is not None and not covers(by, existing[1], Perm.VIEW_PERSON):
        log_out_of_scope(by, "people.person", existing[0], existing[1])
        raise PersonRegisteredElsewhere(field="cccd")


def _insert_or_match(by: Any, details: Details, clock: Clock) -> Person:
    index = cccd_index(details.cccd)
    existing = Person.objects.filter(cccd_index=index).first()
    if existing is not None:
        return _same_or_conflict(existing, details)
    person = Person(cccd_ciphertext=encrypt_cccd(details.cccd), cccd_index=index, **details.stored())
    try:
        with transaction.atomic():
            person.save(force_insert=True)
    except IntegrityError:
        # A concurrent registration of the same CCCD won the race: treat ours as its retry.
        return _same_or_conflict(Person.objects.get(cccd_index=index), details)
    audit.record(
        actor=by,
        action="people.register",
        object_type="people.person",
        object_id=person.pk,
        unit_path=person.unit_path,
        after=_audit_state(person),
        clock=clock,
    )
    person.registered_now = True
    return person


def _require_person_in_reach(user: Any, person: Person, area: Any) -> None:
    """403 without CHANGE_PERSON; 404 (logged) for a person, or a new area, outside the user's reach."""
    require_within(
        user, Perm.CHANGE_PERSON, path=person.unit_path, object_type="people.person", object_id=person.pk
    )
    if area.path != person.unit_path:
        _require_in_area(user, Perm.CHANGE_PERSON, area)


def update_person(
    *,
    by: Any,
    person: Person,
    full_name: str,
    birth_date: date,
    sex: str,
    phone: str | None,
    residence_area: Any,
    household: Any = None,
    chronic_illness: bool = False,
    disability_immobile: bool = False,
    pregnant: bool = False,
    cccd: str | None = None,
    expected_version: datetime | None = None,
    clock: Clock = now,
) -> Person:
    """Correct a person's details (all given; `cccd` only when it is corrected), within jurisdiction.

    `expected_version` is the `updated_at` the editor saw: a correction made meanwhile wins, and
    this one is refused rather than silently overwriting it.
    """
    _require_person_in_reach(by, person, residence_area)  # before the transaction, as in register_person
    if cccd is not None:
        try:
            normalized = validate_cccd(cccd)
        except InvalidInput:
            pass  # a malformed CCCD is reported by the full check below, with the other fields
        else:
            _refuse_if_registered_elsewhere(by, normalized)
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if expected_version is not None and locked.updated_at != expected_version:
            raise PersonChangedMeanwhile()
        if locked.unit_path != person.unit_path:  # moved meanwhile: check again against the stored row
            _require_person_in_reach(by, locked, residence_area)
        details = _clean(
            cccd=cccd if cccd is not None else _stored_cccd(locked),
            full_name=full_name,
            birth_date=birth_date,
            sex=sex,
            phone=phone,
            residence_area=residence_area,
            household=household,
            chronic_illness=chronic_illness,
            disability_immobile=disability_immobile,
            pregnant=pregnant,
            today=local_date(clock()),
        )
        return _apply(by, locked, details, clock)


def _stored_cccd(person: Person) -> str:
    # A provisional contact may have none yet: completing their registration then needs one.
    return decrypt_cccd(bytes(person.cccd_ciphertext)) if person.cccd_ciphertext else ""


def _apply(by: Any, person: Person, details: Details, clock: Clock) -> Person:
    before = _audit_state(person)
    person.provisional = False  # every detail has just been checked
    index = cccd_index(details.cccd)
    if index != person.cccd_index:
        if Person.objects.filter(cccd_index=index).exists():
            raise PersonAlreadyRegistered(field="cccd")
        person.cccd_index = index
        person.cccd_ciphertext = encrypt_cccd(details.cccd)
    for name, value in details.stored().items():
        setattr(person, name, value)
    after = _audit_state(person)
    if after == before:
        return person
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # A concurrent correction or registration took this CCCD after the check above.
        raise PersonAlreadyRegistered(field="cccd") from None
    audit.record(
        actor=by,
        action="people.update",
        object_type="people.person",
        object_id=person.pk,
        unit_path=person.unit_path,
        before=before,
        after=after,
        clock=clock,
    )
    return person


def register_contact(
    *, by: Any, residence_area: Any, full_name: str, phone: str = "", cccd: str = "", clock: Clock = now
) -> Person:
    """A contact named in tracing: the person with this CCCD if registered, else a provisional person
    known by CCCD, or by name and phone, believed to live in `residence_area` (any ward: contacts
    cross ward lines). A retry with the same CCCD, or the same name and phone, returns the same person.
    The ward of residence completes the registration later (update_person)."""
    if not has_perm(by, Perm.TRACE):
        raise NotPermitted()
    name = nfc(full_name or "")
    validation.check_name(name)
    number = validate_cccd(cccd) if (cccd or "").strip() else ""
    mobile = validation.clean_phone(phone)
    if not number and not mobile:
        raise InvalidInput(_("Give the contact's CCCD, or their name and phone."), field="phone")
    with transaction.atomic():
        if number:
            index = cccd_index(number)
            found = Person.objects.filter(cccd_index=index).first()
        else:
            index = None
            found = Person.objects.filter(
                provisional=True, cccd_index__isnull=True, name_key=validation.name_key(name), phone=mobile
            ).first()
        if found is not None:
            found.registered_now = False
            return found
        person = Person(
            cccd_ciphertext=encrypt_cccd(number) if number else None,
            cccd_index=index,
            full_name=name,
            name_key=validation.name_key(name),
            birth_date=None,
            sex="",
            phone=mobile,
            residence_area_id=residence_area.pk,
            unit_path=residence_area.path,
            provisional=True,
        )
        try:
            with transaction.atomic():
                person.save(force_insert=True)
        except IntegrityError:
            return Person.objects.get(cccd_index=index)  # a concurrent entry of the same CCCD won
        audit.record(
            actor=by,
            action="people.register_contact",
            object_type="people.person",
            object_id=person.pk,
            unit_path=person.unit_path,
            after=_audit_state(person),
            clock=clock,
        )
    person.registered_now = True
    return person


def bulk_register(rows: Iterable[PersonRow], *, batch_size: int = 5000) -> BulkResult:
    """Validate, encrypt and insert many persons, skipping CCCDs already registered (see people.ingest).

    A trusted path for the demo generator and imports: callers acting for a user check that the
    user may add persons in every unit the rows name before calling it.
    """
    return ingest.bulk_register(rows, batch_size=batch_size)
