"""Tracing endpoints in the people namespace (/api/v1/people/status, /people/contacts): a CCCD travels
in the body, never in a URL.

config/api.py mounts this router before the registry's, whose `/{person_id}` would otherwise take
"status" and "contacts" for person ids (and answer 405). Only officers who may trace
a person (where they live, or where one of their cases was found) get an answer about them; anyone else
gets the same 404 as for a CCCD nobody holds, and the attempt is logged.
"""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.cases import selectors
from phaodai.cases.api import contacts_added
from phaodai.cases.api_schemas import ContactsOut, PersonContactsIn, StatusIn, StatusOut
from phaodai.core.jurisdiction import log_out_of_scope
from phaodai.people import selectors as people
from phaodai.quarantine import selectors as quarantine

router = Router(tags=["cases"])


def _traceable(request: HttpRequest, *, cccd: str = "", person_id: Any = None) -> Any:
    """The person the caller may trace, by CCCD or by id (living in any ward: the tracing scope, not the
    registry's); else 404, logged when they exist."""
    if person_id is not None:
        person = people.person_by_id_for_tracing(person_id)
    else:
        person = people.person_for_tracing(cccd)  # 422 for a malformed CCCD
    if person is None:
        raise Http404
    if not selectors.may_trace(request.user, person):
        log_out_of_scope(request.user, "people.person", person.pk, person.unit_path)
        raise Http404
    return person


def _isolation(order: Any) -> dict[str, Any] | None:
    if order is None:
        return None
    return {
        name: getattr(order, name)
        for name in (
            "id",
            "subject",
            "setting",
            "status",
            "starts_at",
            "isolation_ends_at",
            "monitoring_ends_at",
        )
    }


def _stay(person: Any) -> dict[str, Any] | None:
    stay = quarantine.current_admission(person)
    if stay is None:
        return None
    return {
        "admission": stay.pk,
        "facility": stay.facility_id,
        "name": stay.facility.name,
        "room_kind": stay.room_kind,
        "admitted_at": stay.admitted_at,
        "planned_release": stay.planned_release,
    }


@router.post(
    "/status",
    url_name="cases_person_status",
    response=StatusOut,
    summary="A person's F-level, open isolation order and quarantine stay, by CCCD (sent in the body)",
)
def status(request: HttpRequest, payload: StatusIn) -> dict[str, Any]:
    require_perm(request.user, Perm.TRACE)
    person = _traceable(request, cccd=payload.cccd)
    found = selectors.status_of(person)
    return {"f_level": found.label, "isolation": _isolation(found.isolation), "facility": _stay(person)}


@router.post(
    "/contacts",
    url_name="cases_person_contacts",
    response={200: ContactsOut, 201: ContactsOut},
    summary="Add a person's contacts (a contact's contacts), all or none; idempotent per pair and day",
)
def add_contacts(request: HttpRequest, payload: PersonContactsIn) -> tuple[int, dict[str, Any]]:
    require_perm(request.user, Perm.TRACE)
    source = _traceable(request, cccd=payload.cccd, person_id=payload.person)
    return contacts_added(request, source, payload.contacts)
