"""The cases API (/api/v1/cases): record F0 cases, their outcome and their contacts; list and read them.

Through the same services as the pages. Errors are {"code", "message"}: 401 without credentials, 403 for
a role that does not trace, 404 outside the caller's units (logged), 409 `duplicate_case` (with
`existing_case`), `case_changed` or `idempotency_key_reused`, 422 for bad input (`person_not_registered`
when no one the caller traces holds the CCCD — not registered, or registered in a ward the caller does
not trace, alike: register the person first through POST /api/v1/people, or give `detected_unit`;
`invalid_contacts` with every problem as {"index", "field", "message"}). `POST /cases` with an
`Idempotency-Key` header (or the same body again) answers 201 the first time and 200 with the same case
on a retry. A contact's `f_level` is null unless the caller may trace that contact.
"""

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.cases import rules, selectors, services
from phaodai.cases.api_schemas import (
    CaseDetailOut,
    CaseIn,
    CasePage,
    CaseQuery,
    ContactIn,
    ContactsIn,
    ContactsOut,
    OutcomeIn,
)
from phaodai.cases.errors import ContactProblem, InvalidContacts
from phaodai.cases.models import Case, TraceLevel
from phaodai.core.errors import InvalidInput
from phaodai.core.idempotency import header_key
from phaodai.core.identity import normalize_phone
from phaodai.core.jurisdiction import covers, log_out_of_scope, require_within
from phaodai.core.text import mask_name
from phaodai.people import selectors as people
from phaodai.territory import selectors as territory

router = Router(tags=["cases"])


class PersonNotRegistered(InvalidInput):
    """Also the answer for someone registered in a ward the caller does not trace (no existence oracle)."""

    code = "person_not_registered"
    message = gettext_lazy(
        "No one in your units is registered with this CCCD: register the person first (POST /api/v1/people);"
        " or, if they live elsewhere and the case was found in one of your wards, give that ward as"
        " detected_unit."
    )


class LivesOutsideYourUnits(InvalidInput):
    code = "detected_unit_required"
    message = gettext_lazy(
        "This person lives outside your units: give detected_unit, the ward of yours where the case"
        " was found."
    )


# Shaping ------------------------------------------------------------------------------------------


def _ref(code: str, name: str) -> dict[str, str]:
    return {"code": code, "name": name}


def _case(case: Case) -> dict[str, Any]:
    """A case read through a scoped selector (person, places and cluster already joined)."""
    person = case.person
    cluster = case.cluster
    return {
        "id": case.pk,
        "episode": case.episode,
        "person": {
            "id": person.pk,
            "name": mask_name(person.full_name),
            "cccd_masked": people.profile_of(person).cccd_masked,
        },
        **{
            name: getattr(case, name)
            for name in (
                "confirmed_at",
                "confirmed_on",
                "detected_in",
                "source_known",
                "source_note",
                "test_ref",
                "manual_reason",
                "severity",
                "care",
                "outcome",
                "outcome_at",
                "traced_level",
                "version",
            )
        },
        "traced_from": case.traced_from_id,
        "residence_unit": _ref(case.residence_unit.code, case.residence_unit.full_name),
        "residence_area": _ref(case.residence_area.code, case.residence_area.name),
        "detected_unit": _ref(case.detected_unit.code, case.detected_unit.full_name),
        "exposure_window": {"start": case.window_start, "end": case.window_end},
        "cluster": {"id": cluster.pk, "code": cluster.code, "name": cluster.name} if cluster else None,
    }


def _derived_levels(case: Case) -> dict[str, int]:
    # Counts only (no person): the consequences of a case reach contacts in any ward.
    rows = (
        TraceLevel.objects.filter(root_case_id=case.pk, level__gt=0)
        .values("level")
        .annotate(n=Count("person_id"))
        .order_by("level")
    )
    return {str(rules.f_label(row["level"])): row["n"] for row in rows}


def _detail(case: Case) -> dict[str, Any]:
    return {
        **_case(case),
        "derived": {"levels": _derived_levels(case), "cluster": case.cluster.code if case.cluster else None},
    }


# Look-ups -----------------------------------------------------------------------------------------


API_WITHOUT_SAMPLE = (
    "Ghi nhận qua API, không kèm mã mẫu xét nghiệm (Recorded through the API without a sample code)."
)


def _case_subject(user: Any, cccd: str, detected: Any) -> Any:
    """The person a new case is for. Anyone may be found positive in the caller's ward (`detected`);
    without it, the person must be someone the caller traces: anyone else gets the same 422 as a CCCD
    nobody holds (logged), so the answer never says "registered, but in another ward"."""
    person = people.person_for_tracing(cccd)  # 422 for a malformed CCCD
    if person is None or detected is not None:
        if person is None:
            raise PersonNotRegistered(field="cccd")
        return person
    if covers(user, person.unit_path, Perm.TRACE):
        return person
    if selectors.may_trace(user, person):  # one of their cases was found here: no secret to keep
        raise LivesOutsideYourUnits(field="detected_unit")
    log_out_of_scope(user, "people.person", person.pk, person.unit_path)
    raise PersonNotRegistered(field="cccd")


def _ward(code: str, field: str) -> Any:
    unit = territory.unit_by_code(code.strip())
    if unit is None or unit.level != "ward":
        raise InvalidInput(_("There is no ward with this code."), field=field)
    return unit


def _unit(code: str, field: str) -> Any:
    unit = territory.unit_by_code(code.strip())
    if unit is None:
        raise InvalidInput(_("There is no unit with this code."), field=field)
    return unit


# Contacts (shared with POST /people/contacts) -----------------------------------------------------


def _contact_input(
    index: int, item: ContactIn, areas: dict[str, Any]
) -> tuple[services.ContactInput, list[ContactProblem]]:
    """The service's input for one contact, and what in it cannot be resolved (`areas`: a cache)."""
    problems: list[ContactProblem] = []

    def refuse(field: str, message: Any) -> None:
        problems.append(ContactProblem(index, field, str(message)))

    cccd, area_code = item.cccd.strip(), item.residence_area.strip()
    person, malformed = None, False
    if cccd:
        try:
            person = people.person_for_tracing(cccd)
        except InvalidInput as error:
            refuse("cccd", error.detail)
            malformed = True
    if area_code and area_code not in areas:
        areas[area_code] = territory.area_by_code(area_code)
    area = areas.get(area_code)
    if area_code and area is None:
        refuse("residence_area", _("There is no residential area with this code."))
    if person is None and not malformed:
        # Not registered yet: the service registers them provisionally, so it needs who and where.
        if not item.full_name.strip():
            refuse("full_name", _("Give the name of a contact who is not registered."))
        if item.phone.strip():
            try:
                normalize_phone(item.phone)
            except InvalidInput as error:
                refuse("phone", error.detail)
        elif not cccd:
            refuse("phone", _("Give the contact's CCCD, or their phone."))
        if not area_code:
            refuse("residence_area", _("Give the area code where a contact not registered lives."))
    contact = services.ContactInput(
        exposed_on=item.exposed_on,
        setting=item.setting,
        person=person,
        cccd="" if person is not None else cccd,
        full_name=item.full_name,
        phone=item.phone,
        residence_area=area,
        note=item.note,
    )
    return contact, problems


def contacts_added(request: HttpRequest, source: Any, items: list[ContactIn]) -> tuple[int, dict[str, Any]]:
    """Link `source` to every contact, or to none (422 listing each problem); 201 when a link is new."""
    areas: dict[str, Any] = {}
    inputs, problems = [], []
    for index, item in enumerate(items):
        contact, refused = _contact_input(index, item, areas)
        inputs.append(contact)
        problems.extend(refused)
    if problems:
        raise InvalidContacts(problems)
    result = services.add_contacts(by=request.user, source=source, contacts=inputs)
    # Naming a CCCD as a contact must not reveal that person's level (an F0 elsewhere is health data):
    # the level is given only for contacts the caller may trace, null for the others.
    traceable = selectors.traceable_ids(request.user, ((p.pk, p.unit_path) for p in result.persons))
    levels = selectors.levels_by_person([person.pk for person in result.persons if person.pk in traceable])
    body = {
        "added": result.added,
        "already_known": result.already_known,
        "registered": result.registered,
        "contacts": [
            {"id": person.pk, "f_level": rules.f_label(levels.get(person.pk))} for person in result.persons
        ],
    }
    return (201 if result.added else 200), body


# Endpoints ----------------------------------------------------------------------------------------


@router.post(
    "",
    url_name="cases_case_list",
    response={200: CaseDetailOut, 201: CaseDetailOut},
    summary="Record a case (F0) for a registered person (201; a retry answers 200 with the same case)",
)
def record_case(request: HttpRequest, payload: CaseIn) -> tuple[int, dict[str, Any]]:
    require_perm(request.user, Perm.TRACE)
    key = header_key(request) or None
    detected = _ward(payload.detected_unit, "detected_unit") if payload.detected_unit else None
    if detected is not None:
        # Checked before the person is looked up, so the answer is the same whoever holds the CCCD.
        require_within(
            request.user,
            Perm.TRACE,
            path=detected.path,
            object_type="territory.unit",
            object_id=detected.code,
        )
    manual_reason = payload.manual_reason
    if not payload.test_ref.strip() and not manual_reason.strip():
        # The four facts alone (a lab's or a hospital's system, which keeps its own sample codes) are a
        # case too: recorded as entered without a sample code, saying so, rather than refused. A fixed
        # text (not the caller's language), so that the same facts sent again are the same case.
        manual_reason = API_WITHOUT_SAMPLE
    # The case's own facts first: a refusal must not depend on whether or where the CCCD is registered.
    services.check_case_facts(
        confirmed_at=payload.confirmed_at,
        detected_in=payload.detected_in,
        severity=payload.severity,
        care=payload.care,
        test_ref=payload.test_ref,
        manual_reason=manual_reason,
        source_note=payload.source_note,
    )
    person = _case_subject(request.user, payload.cccd, detected)
    # A key already used for another person's case: the service answers 409 idempotency_key_reused.
    case, created = services.record_case(
        by=request.user,
        person=person,
        confirmed_at=payload.confirmed_at,
        detected_in=payload.detected_in,
        source_known=payload.source_known,
        detected_unit=detected,
        test_ref=payload.test_ref,
        manual_reason=manual_reason,
        source_note=payload.source_note,
        severity=payload.severity,
        care=payload.care,
        idempotency_key=key,
    )
    return (201 if created else 200), _detail(selectors.case_for(request.user, case.pk))


@router.get(
    "",
    url_name="cases_case_list",
    response=CasePage,
    summary="Cases living or found within our units, latest confirmation first (keyset pages)",
)
def list_cases(request: HttpRequest, filters: Query[CaseQuery]) -> dict[str, Any]:
    selectors.require_tracer(request.user)
    cases = selectors.cases_visible_to(request.user).select_related("person", "cluster")
    if filters.from_ and filters.to and filters.to < filters.from_:
        raise InvalidInput(_("The end date is before the start date."), field="to")
    if filters.from_:
        cases = cases.filter(confirmed_on__gte=filters.from_)
    if filters.to:
        cases = cases.filter(confirmed_on__lte=filters.to)
    if filters.ward:
        unit = _unit(filters.ward, "ward")
        cases = cases.filter(Q(path__startswith=unit.path) | Q(detected_path__startswith=unit.path))
    if filters.detected_in:
        cases = cases.filter(detected_in=filters.detected_in)
    if filters.source_known is not None:
        cases = cases.filter(source_known=filters.source_known)
    if filters.after:
        anchor = cases.filter(pk=filters.after).values_list("confirmed_at", flat=True).first()
        if anchor is None:
            raise InvalidInput(_("This page link has expired; start the list again."), field="after")
        cases = cases.filter(Q(confirmed_at__lt=anchor) | Q(confirmed_at=anchor, pk__lt=filters.after))
    rows = list(cases.order_by("-confirmed_at", "-pk")[: filters.limit + 1])
    items = rows[: filters.limit]
    return {"items": [_case(c) for c in items], "next": items[-1].pk if len(rows) > filters.limit else None}


@router.get("/{pk}", url_name="cases_case", response=CaseDetailOut, summary="A case and what it set off")
def get_case(request: HttpRequest, pk: int) -> dict[str, Any]:
    selectors.require_tracer(request.user)
    return _detail(selectors.case_for(request.user, pk))


@router.post(
    "/{pk}/outcome",
    url_name="cases_case_outcome",
    response=CaseDetailOut,
    summary="Record that the case recovered or died (409 case_changed when the version is stale)",
)
def record_outcome(request: HttpRequest, pk: int, payload: OutcomeIn) -> dict[str, Any]:
    selectors.require_tracer(request.user)
    case = selectors.case_for(request.user, pk)
    services.record_outcome(
        by=request.user, case=case, outcome=payload.outcome, at=payload.at, version=payload.version
    )
    return _detail(selectors.case_for(request.user, pk))


@router.post(
    "/{pk}/contacts",
    url_name="cases_case_contacts",
    response={200: ContactsOut, 201: ContactsOut},
    summary="Add the case's contacts, all or none (idempotent per pair and day; 201 when a link is new)",
)
def add_contacts(request: HttpRequest, pk: int, payload: ContactsIn) -> tuple[int, dict[str, Any]]:
    require_perm(request.user, Perm.TRACE)
    case = selectors.case_for(request.user, pk)
    return contacts_added(request, case.person, payload.contacts)
