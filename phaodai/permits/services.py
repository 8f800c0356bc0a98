"""Writes of travel permits: registering organisations, staff entries, decisions, issuing and revoking.

Every write checks who acts where (ISSUE_PERMITS at the entry's ward, or a representative of the
organisation's business for its own list), runs in one short transaction, and is audited without
personal values. Decisions, issuing and revoking are compare-and-set: concurrent attempts get one
winner and a Conflict for the rest.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.business import selectors as business_selectors
from phaodai.business import services as business_services
from phaodai.core import audit
from phaodai.core.clock import Clock, at_local, local_date, now
from phaodai.core.crypto import field_cipher
from phaodai.core.errors import DomainError, Duplicate, InvalidInput, NotPermitted
from phaodai.core.identity import InvalidCCCD, normalize_phone, parse_cccd
from phaodai.core.jurisdiction import covers, require_within
from phaodai.core.text import nfc
from phaodai.passes import services as passes
from phaodai.passes.payload import PassPayload, PassType
from phaodai.people import selectors as people_selectors
from phaodai.people.cccd import cccd_index
from phaodai.people.cccd import decrypt_cccd as decrypt_person_cccd
from phaodai.people.validation import check_name, name_key
from phaodai.permits import rules
from phaodai.permits.errors import (
    AlreadyConfirmed,
    AlreadyDecided,
    AlreadyIssued,
    AlreadyRevoked,
    NotApproved,
    OrganisationNotConfirmed,
    from_rule,
    invalid,
)
from phaodai.permits.models import Entry, Organisation, Permit
from phaodai.territory import selectors as territory
from phaodai.vaccination import selectors as vaccination

# Binds each ciphertext to this column: a blob copied from another encrypted column will not open.
CCCD_AAD = b"permits.entry.cccd"
ORG_TYPE = "permits.organisation"
ENTRY_TYPE = "permits.entry"
PERMIT_TYPE = "permits.permit"
REASON_LIMIT = 500


def mask(number: str) -> str:
    """The CCCD as a pass carries it: province code and last three digits ("001******234")."""
    return f"{number[:3]}******{number[-3:]}"


def decrypt_cccd(entry: Entry) -> str:
    return field_cipher().decrypt(bytes(entry.cccd_ciphertext), associated=CCCD_AAD)


def _text(value: str | None, field_name: str, limit: int, *, required: bool = True) -> str:
    cleaned = " ".join(nfc(value or "").split())
    if required and not cleaned:
        raise invalid(_("This field is required."), field_name)
    if len(cleaned) > limit:
        raise invalid(_("At most %(limit)d characters.") % {"limit": limit}, field_name)
    return cleaned


def _actor(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


# Organisations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationDetails:
    name: str
    address: str
    contact_name: str
    tax_code: str = ""
    governing_body: str = ""
    contact_phone: str = ""
    contact_email: str = ""


def clean_organisation(details: OrganisationDetails) -> dict[str, str]:
    tax_code = business_services.clean_tax_code(details.tax_code) if details.tax_code.strip() else ""
    governing_body = _text(details.governing_body, "governing_body", 200, required=False)
    if not tax_code and not governing_body:
        raise invalid(_("Give the tax code, or for an agency the body it belongs to."), "tax_code")
    phone = details.contact_phone.strip()
    try:
        phone = normalize_phone(phone) if phone else ""
    except InvalidInput as error:
        raise invalid(error.detail, "contact_phone") from None
    email = details.contact_email.strip()
    if email and ("@" not in email or len(email) > 200 or " " in email):
        raise invalid(_("Enter a valid e-mail address."), "contact_email")
    name = _text(details.name, "name", 200)
    return {
        "name": name,
        "name_key": name_key(name),
        "tax_code": tax_code,
        "governing_body": governing_body,
        "address": _text(details.address, "address", 300),
        "contact_name": _text(details.contact_name, "contact_name", 150),
        "contact_phone": phone,
        "contact_email": email,
    }


def org_state(org: Organisation) -> dict[str, Any]:
    # No contact phone or e-mail: the audit log keeps no personal values.
    state = {"name": org.name, "tax_code": org.tax_code, "address": org.address, "ward": org.ward.code}
    return {**state, "status": org.status}


def register_organisation(
    *, by: Any, ward: Any, details: OrganisationDetails, business: Any = None, clock: Clock = now
) -> tuple[Organisation, bool]:
    """Register an organisation at its ward; (organisation, created). An officer's entry is confirmed at
    once; a business representative's waits for the ward. Registering again returns the first one."""
    if ward is None or ward.level != "ward":
        raise invalid(_("Choose the ward the organisation sits in."), "ward")
    officer = covers(by, ward.path, Perm.ISSUE_PERMITS)
    if not officer:
        if business is None or not business_selectors.represents(by, business):
            require_within(
                by, Perm.ISSUE_PERMITS, path=ward.path, object_type="territory.unit", object_id=ward.code
            )
            raise NotPermitted()
        if business.unit_id != ward.pk:
            raise invalid(_("A business registers at the ward it is registered in."), "ward")
    if business is not None:
        if (
            details.tax_code.strip()
            and business_services.clean_tax_code(details.tax_code) != business.tax_code
        ):
            raise invalid(_("The tax code differs from the business's."), "tax_code")
        details = replace(details, tax_code=business.tax_code)
    values = clean_organisation(details)
    existing = _existing_organisation(ward, values)
    if existing is not None:
        return existing, False
    at = clock()
    try:
        with transaction.atomic():
            org = Organisation.objects.create(
                ward=ward,
                path=ward.path,
                business=business,
                status=Organisation.Status.CONFIRMED if officer else Organisation.Status.PENDING,
                confirmed_by=by if officer else None,
                confirmed_at=at if officer else None,
                created_by=_actor(by),
                **values,
            )
            audit.record(
                actor=by,
                action="permits.organisation_registered",
                object_type=ORG_TYPE,
                object_id=org.pk,
                unit_path=ward.path,
                after=org_state(org),
                clock=clock,
            )
    except IntegrityError:
        existing = _existing_organisation(ward, values)
        if existing is None:
            raise Duplicate() from None
        return existing, False
    return org, True


def _existing_organisation(ward: Any, values: dict[str, str]) -> Organisation | None:
    found = None
    if values["tax_code"]:
        found = Organisation.objects.filter(tax_code=values["tax_code"]).select_related("ward").first()
    if found is None:
        found = (
            Organisation.objects.filter(ward=ward, name_key=values["name_key"]).select_related("ward").first()
        )
    if found is not None and found.ward_id != ward.pk:
        raise Duplicate(
            _("An organisation with this tax code is registered in another ward."), field="tax_code"
        )
    return found


def confirm_organisation(*, by: Any, organisation: Organisation, clock: Clock = now) -> Organisation:
    """The ward confirms a registration a representative submitted (once)."""
    require_within(
        by, Perm.ISSUE_PERMITS, path=organisation.path, object_type=ORG_TYPE, object_id=organisation.pk
    )
    at = clock()
    with transaction.atomic():
        changed = Organisation.objects.filter(pk=organisation.pk, status=Organisation.Status.PENDING).update(
            status=Organisation.Status.CONFIRMED, confirmed_by=by, confirmed_at=at, updated_at=at
        )
        if not changed:
            raise AlreadyConfirmed()
        organisation.refresh_from_db()
        audit.record(
            actor=by,
            action="permits.organisation_confirmed",
            object_type=ORG_TYPE,
            object_id=organisation.pk,
            unit_path=organisation.path,
            before={"status": Organisation.Status.PENDING},
            after=org_state(organisation),
            clock=clock,
        )
    return organisation


# Staff entries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    """One person of a staff list as typed or uploaded (text, checked by `clean_row`)."""

    full_name: str
    cccd: Any
    birth_year: Any
    group: Any
    purpose: str
    valid_from: date
    valid_to: date
    job: str = ""
    zones: str | Iterable[str] = ""
    route: str = ""
    plate: str = ""


@dataclass(frozen=True)
class CleanRow:
    full_name: str
    number: str
    birth_year: int
    group: int
    purpose: str
    valid_from: date
    valid_to: date
    job: str
    zones: tuple[str, ...]
    route: str
    plate: str
    supporting_paper: str = ""


class ZoneCache:
    """Which unit codes exist, remembered across the rows of one list."""

    def __init__(self) -> None:
        self.known: dict[str, bool] = {}

    def exists(self, code: str) -> bool:
        if code not in self.known:
            self.known[code] = territory.unit_by_code(code) is not None
        return self.known[code]


def _year(raw: Any) -> int:
    text = str(raw).strip() if raw is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) != 4:
        raise invalid(_("The birth year is four digits, e.g. 1985."), "birth_year")
    return int(text)


def clean_row(
    row: StaffRow, *, today: date, zones: ZoneCache | None = None, resident: bool = False
) -> CleanRow:
    """A staff row checked field by field; the first problem raises, naming its field.

    A bad CCCD is refused as it is, never "repaired" (a lost leading zero means a wrong person).
    """
    full_name = _text(row.full_name, "full_name", 150)
    check_name(full_name)
    try:
        facts = parse_cccd(row.cccd)
    except InvalidCCCD as error:
        raise invalid(error.detail, "cccd") from None
    birth_year = _year(row.birth_year)
    try:
        rules.check_birth_year(birth_year, facts.birth_year, today)
        group = rules.group(row.group)
        if group.for_residents != resident:
            if resident:
                raise invalid(_("A resident applies in group 5."), "group")
            raise invalid(_("Group 5 is for residents, who apply at their ward."), "group")
        plate = rules.normal_plate(row.plate or "")
        codes = (
            rules.split_zones(row.zones)
            if isinstance(row.zones, str)
            else rules.split_zones(" ".join(row.zones))
        )
        rules.check_validity(row.valid_from, row.valid_to, today)
    except rules.RuleError as error:
        raise from_rule(error) from None
    cache = zones or ZoneCache()
    for code in codes:
        if not cache.exists(code):
            raise invalid(_("No unit has the code %(code)s.") % {"code": code}, "zones")
    route = _text(row.route, "route", rules.MAX_TEXT, required=False)
    if not codes and not route:
        raise invalid(_("Give the zones (unit codes) or the route the permit covers."), "zones")
    return CleanRow(
        full_name=full_name[: rules.MAX_TEXT],
        number=facts.number,
        birth_year=birth_year,
        group=group.code,
        purpose=_text(row.purpose, "purpose", rules.MAX_TEXT),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        job=_text(row.job, "job", 120, required=False),
        zones=codes,
        route=route,
        plate=plate,
    )


def _entry_state(entry: Entry) -> dict[str, Any]:
    return {
        "organisation": entry.organisation_id,
        "group": entry.group,
        "status": entry.status,
        "valid_from": entry.valid_from,
        "valid_to": entry.valid_to,
        "version": entry.version,
    }


def may_submit(by: Any, organisation: Organisation) -> bool:
    """Officers of the organisation's ward, and representatives of its business."""
    if covers(by, organisation.path, Perm.ISSUE_PERMITS):
        return True
    business = organisation.business
    return business is not None and business_selectors.represents(by, business)


def require_submitter(by: Any, organisation: Organisation) -> None:
    if not may_submit(by, organisation):
        require_within(
            by, Perm.ISSUE_PERMITS, path=organisation.path, object_type=ORG_TYPE, object_id=organisation.pk
        )
        raise NotPermitted()
    if organisation.status != Organisation.Status.CONFIRMED:
        raise OrganisationNotConfirmed()


@dataclass
class Submitted:
    entry: Entry
    created: bool


def _insert(
    *, by: Any, row: CleanRow, organisation: Organisation | None, ward: Any, person: Any, clock: Clock
) -> Submitted:
    index = cccd_index(row.number)
    lookup: dict[str, Any] = {"cccd_index": index, "valid_from": row.valid_from, "valid_to": row.valid_to}
    owner: dict[str, Any] = (
        {"organisation": organisation} if organisation else {"organisation__isnull": True, "ward": ward}
    )
    existing = Entry.objects.filter(**owner, **lookup).first()
    if existing is not None:
        return Submitted(existing, False)
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                organisation=organisation,
                person=person,
                ward=ward,
                path=ward.path,
                full_name=row.full_name,
                name_key=name_key(row.full_name),
                cccd_ciphertext=field_cipher().encrypt(row.number, associated=CCCD_AAD),
                cccd_index=index,
                cccd_masked=mask(row.number),
                birth_year=row.birth_year,
                job=row.job,
                group=row.group,
                purpose=row.purpose,
                supporting_paper=row.supporting_paper,
                zones=list(row.zones),
                route=row.route,
                plate=row.plate,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                submitted_by=_actor(by),
            )
            audit.record(
                actor=by,
                action="permits.entry_submitted",
                object_type=ENTRY_TYPE,
                object_id=entry.pk,
                unit_path=ward.path,
                after=_entry_state(entry),
                clock=clock,
            )
    except IntegrityError:
        # A concurrent retry of the same submission won the insert: answer with its entry.
        again = Entry.objects.filter(**owner, **lookup).first()
        if again is None:
            raise
        return Submitted(again, False)
    return Submitted(entry, True)


def submit_entry(*, by: Any, organisation: Organisation, row: StaffRow, clock: Clock = now) -> Submitted:
    """Add one person to an organisation's staff list; the same person for the same days is one entry."""
    require_submitter(by, organisation)
    clean = clean_row(row, today=local_date(clock()))
    return _insert(
        by=by, row=clean, organisation=organisation, ward=organisation.ward, person=None, clock=clock
    )


def submit_clean_rows(
    *, by: Any, organisation: Organisation, rows: Iterable[CleanRow], clock: Clock = now
) -> list[Submitted]:
    """Insert rows already checked by `clean_row` (the CSV import), each on its own."""
    require_submitter(by, organisation)
    return [
        _insert(by=by, row=row, organisation=organisation, ward=organisation.ward, person=None, clock=clock)
        for row in rows
    ]


@dataclass(frozen=True)
class Application:
    """A group-5 resident's application, filed by a ward officer."""

    purpose: str  # a rules.ResidentPurpose
    valid_from: date
    valid_to: date
    supporting_paper: str = ""
    zones: str = ""
    route: str = ""
    plate: str = ""


def file_application(*, by: Any, person: Any, application: Application, clock: Clock = now) -> Submitted:
    """A resident's group-5 application at their ward (the ward People's Committee decides it)."""
    ward = person.residence_area.ward
    require_within(by, Perm.ISSUE_PERMITS, path=ward.path, object_type="people.person", object_id=person.pk)
    if not person.cccd_ciphertext:
        raise invalid(_("This person has no citizen ID (CCCD) on record."), "cccd")
    try:
        purpose = rules.ResidentPurpose(application.purpose)
    except ValueError:
        raise invalid(_("Choose the purpose from the list."), "purpose") from None
    paper = _text(application.supporting_paper, "supporting_paper", 200, required=False)
    if purpose in rules.NEEDS_PAPER and not paper:
        raise invalid(
            _("This purpose needs a supporting paper: note which (e.g. appointment, ticket)."),
            "supporting_paper",
        )
    number = decrypt_person_cccd(bytes(person.cccd_ciphertext))
    birth_year = person.birth_date.year if person.birth_date else parse_cccd(number).birth_year
    row = StaffRow(
        full_name=person.full_name,
        cccd=number,
        birth_year=birth_year,
        group=rules.RESIDENT_GROUPS[0],
        purpose=rules.PURPOSE_NAMES[purpose][0],
        valid_from=application.valid_from,
        valid_to=application.valid_to,
        zones=application.zones or ward.code,
        route=application.route,
        plate=application.plate,
    )
    clean = clean_row(row, today=local_date(clock()), resident=True)
    clean = CleanRow(**{**clean.__dict__, "supporting_paper": paper})
    return _insert(by=by, row=clean, organisation=None, ward=ward, person=person, clock=clock)


def resident_by_cccd(*, by: Any, cccd: str) -> Any:
    """The registered resident with this CCCD within the officer's reach, or InvalidInput."""
    try:
        person = people_selectors.lookup_by_cccd(by, cccd)
    except InvalidCCCD as error:
        raise invalid(error.detail, "cccd") from None
    if person is None:
        raise invalid(
            _("No resident of your area is registered with this CCCD; register them first."), "cccd"
        )
    return person


# Decisions ----------------------------------------------------------------------------------


@dataclass
class Decision:
    entry: Entry
    permit: Permit | None = None
    issue_error: DomainError | None = field(default=None)


def decide_entry(
    *,
    by: Any,
    entry: Entry,
    approve: bool,
    reason: str = "",
    version: int | None = None,
    issue: bool = True,
    clock: Clock = now,
) -> Decision:
    """Approve or reject a pending entry (once: a second officer gets AlreadyDecided); an approval
    issues the permit at once unless `issue` is False (a failure to issue leaves it approved)."""
    require_within(by, Perm.ISSUE_PERMITS, path=entry.path, object_type=ENTRY_TYPE, object_id=entry.pk)
    reason = _text(reason, "reason", REASON_LIMIT, required=not approve)
    at = clock()
    status = Entry.Status.APPROVED if approve else Entry.Status.REJECTED
    with transaction.atomic():
        pending = Entry.objects.filter(pk=entry.pk, status=Entry.Status.PENDING)
        if version is not None:
            pending = pending.filter(version=version)
        changed = pending.update(
            status=status,
            reason=reason,
            decided_by=by,
            decided_at=at,
            version=F("version") + 1,
            updated_at=at,
        )
        if not changed:
            raise AlreadyDecided()
        before = _entry_state(entry)
        entry.refresh_from_db()
        audit.record(
            actor=by,
            action="permits.entry_" + ("approved" if approve else "rejected"),
            object_type=ENTRY_TYPE,
            object_id=entry.pk,
            unit_path=entry.path,
            before=before,
            after=_entry_state(entry),
            clock=clock,
        )
    decision = Decision(entry)
    if approve and issue:
        try:
            decision.permit = issue_permit(by=by, entry=entry, clock=clock)
        except DomainError as error:
            if error.status in (403, 404):
                raise
            decision.issue_error = error
    return decision


# Permits ------------------------------------------------------------------------------------


def _window(entry: Entry) -> tuple[Any, Any]:
    """From 00:00 of the first day to 24:00 of the last, Hà Nội time."""
    return at_local(entry.valid_from, time(0, 0)), at_local(entry.valid_to + timedelta(days=1), time(0, 0))


def _organisation_label(entry: Entry) -> str | None:
    if entry.organisation is None:
        return None
    return entry.organisation.name[: rules.MAX_TEXT]


def doses_of(entry: Entry, on: date) -> int:
    """The holder's vaccine doses in the registry (0 when the registry does not know the CCCD): a
    gateway checks the count the permit carries (S23: two doses to cross the city boundary)."""
    person_id = entry.person_id
    if person_id is None:
        found = people_selectors.residents_by_cccd_index({entry.cccd_index}).get(entry.cccd_index)
        person_id = found[0] if found else None
    return vaccination.doses_recorded(person_id, on) if person_id is not None else 0


def payload_of(entry: Entry, pass_id: str, *, doses: int = 0) -> PassPayload:
    valid_from, valid_to = _window(entry)
    return PassPayload(
        type=PassType.PERMIT,
        pass_id=pass_id,
        valid_from=valid_from,
        valid_to=valid_to,
        holder=entry.full_name[: rules.MAX_TEXT],
        birth_year=entry.birth_year,
        cccd_masked=entry.cccd_masked,
        purpose_group=entry.group,
        purpose=entry.purpose[: rules.MAX_TEXT],
        zones=tuple(entry.zones),
        route=entry.route or None,
        plate=entry.plate or None,
        organisation=_organisation_label(entry),
        doses=doses,
    )


def _permit_state(permit: Permit) -> dict[str, Any]:
    return {
        "entry": permit.entry_id,
        "pass_id": permit.pass_id,
        "status": permit.status,
        "valid_from": permit.valid_from,
        "valid_to": permit.valid_to,
    }


def issue_permit(*, by: Any, entry: Entry, clock: Clock = now) -> Permit:
    """Sign and store the permit of an approved entry; one valid permit per entry at a time."""
    require_within(by, Perm.ISSUE_PERMITS, path=entry.path, object_type=ENTRY_TYPE, object_id=entry.pk)
    entry = Entry.objects.select_related("organisation", "ward").get(pk=entry.pk)
    if entry.status != Entry.Status.APPROVED:
        raise NotApproved()
    if Permit.objects.filter(entry=entry, status=Permit.Status.ACTIVE).exists():
        raise AlreadyIssued()
    at = clock()
    valid_from, valid_to = _window(entry)
    if valid_to <= at:
        raise invalid(
            _("The days asked for have passed; the organisation must submit new dates."), "valid_to"
        )
    pass_id = "GDD-" + secrets.token_hex(6).upper()
    doses = doses_of(entry, local_date(clock()))
    code = passes.sign_pass(payload=payload_of(entry, pass_id, doses=doses), clock=clock)
    try:
        with transaction.atomic():
            permit = Permit.objects.create(
                entry=entry,
                path=entry.path,
                issuing_unit=entry.ward,
                pass_id=pass_id,
                token=secrets.token_urlsafe(24),
                code=code,
                valid_from=valid_from,
                valid_to=valid_to,
                issued_by=by,
            )
            audit.record(
                actor=by,
                action="permits.permit_issued",
                object_type=PERMIT_TYPE,
                object_id=permit.pk,
                unit_path=entry.path,
                after=_permit_state(permit),
                clock=clock,
            )
    except IntegrityError:
        raise AlreadyIssued() from None
    return permit


def revoke_permit(*, by: Any, permit: Permit, reason: str, clock: Clock = now) -> Permit:
    """Revoke a valid permit with a reason; its pass id joins the revocation list devices carry."""
    require_within(by, Perm.ISSUE_PERMITS, path=permit.path, object_type=PERMIT_TYPE, object_id=permit.pk)
    reason = _text(reason, "reason", REASON_LIMIT)
    at = clock()
    with transaction.atomic():
        changed = Permit.objects.filter(pk=permit.pk, status=Permit.Status.ACTIVE).update(
            status=Permit.Status.REVOKED, revoked_reason=reason, revoked_by=by, revoked_at=at, updated_at=at
        )
        if not changed:
            raise AlreadyRevoked()
        before = _permit_state(permit)
        permit.refresh_from_db()
        audit.record(
            actor=by,
            action="permits.permit_revoked",
            object_type=PERMIT_TYPE,
            object_id=permit.pk,
            unit_path=permit.path,
            before=before,
            after={**_permit_state(permit), "reason": reason},
            clock=clock,
        )
        # In the same transaction: the checkpoint bundle is re-published with the pass id in it.
        passes.revoke_pass(
            by=by, pass_id=permit.pass_id, pass_type=PassType.PERMIT, expires_at=permit.valid_to, clock=clock
        )
    return permit
