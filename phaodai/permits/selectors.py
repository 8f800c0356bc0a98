"""Reads of travel permits, always scoped: officers with ISSUE_PERMITS see their units' organisations,
entries and permits; a business representative sees the organisations of the businesses they represent.
Anything else answers 404 (and the attempt is logged)."""

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from phaodai.accounts.roles import Perm
from phaodai.business import selectors as business_selectors
from phaodai.core.clock import now
from phaodai.core.jurisdiction import covers, log_out_of_scope, paths_of, scope_q
from phaodai.core.text import search_key
from phaodai.permits import rules
from phaodai.permits.models import Entry, Organisation, Permit
from phaodai.territory import selectors as territory

LIST_LIMIT = 200


def is_officer(user: Any) -> bool:
    return bool(paths_of(user, Perm.ISSUE_PERMITS))


def may_issue_at(user: Any, path: str) -> bool:
    return covers(user, path, Perm.ISSUE_PERMITS)


def represented_ids(user: Any) -> list[int]:
    return [business.pk for business in business_selectors.represented_by(user)]


def is_reader(user: Any) -> bool:
    """Officers, and business representatives (who reach only their own businesses' organisations)."""
    return is_officer(user) or bool(paths_of(user, Perm.REPRESENT_BUSINESS))


def _visible_q(user: Any, prefix: str = "") -> Q:
    condition = scope_q(user, f"{prefix}path", Perm.ISSUE_PERMITS)
    represented = represented_ids(user)
    if represented:
        condition |= Q(**{f"{prefix}business_id__in": represented})
    return condition


def organisations_visible_to(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(_visible_q(user)).select_related("ward", "business")


def search_organisations(user: Any, query: str = "", status: str = "") -> list[Organisation]:
    rows = organisations_visible_to(user)
    key = search_key(query or "")
    if key:
        rows = rows.filter(Q(name_key__contains=key) | Q(tax_code__startswith=query.strip()))
    if status in Organisation.Status.values:
        rows = rows.filter(status=status)
    return list(rows.order_by("name_key", "pk")[:LIST_LIMIT])


def _not_found(user: Any, model: Any, object_type: str, pk: Any) -> Http404:
    path = model.objects.filter(pk=pk).values_list("path", flat=True).first()
    if path is not None:
        log_out_of_scope(user, object_type, pk, path)
    return Http404()


def organisation_for(user: Any, pk: int) -> Organisation:
    found = organisations_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise _not_found(user, Organisation, "permits.organisation", pk)
    return found


def _entries() -> QuerySet[Entry]:
    # Lists never need the CCCD ciphertext: leave it in the database.
    return Entry.objects.select_related("organisation", "ward").defer("cccd_ciphertext")


def entries_of(organisation: Organisation, status: str = "") -> list[Entry]:
    rows = _entries().filter(organisation=organisation)
    if status in Entry.Status.values:
        rows = rows.filter(status=status)
    return _with_active_permits(list(rows.order_by("name_key", "pk")[:1000]))


def _with_active_permits(entries: list[Entry]) -> list[Entry]:
    """Each entry gains `active_permit` (or None) with one query for all."""
    active = {
        permit.entry_id: permit
        for permit in Permit.objects.filter(entry__in=[e.pk for e in entries], status=Permit.Status.ACTIVE)
    }
    for entry in entries:
        entry.active_permit = active.get(entry.pk)  # type: ignore[attr-defined]
    return entries


def entries_awaiting(user: Any, *, residents: bool | None = None) -> list[Entry]:
    """The decision desk: pending entries of the user's units, oldest first."""
    rows = _entries().filter(scope_q(user, "path", Perm.ISSUE_PERMITS), status=Entry.Status.PENDING)
    if residents is not None:
        rows = rows.filter(organisation__isnull=residents)
    return list(rows.order_by("created_at", "pk")[:LIST_LIMIT])


def recent_applications(user: Any) -> list[Entry]:
    """Residents' (group 5) applications of the user's units, newest first."""
    rows = _entries().filter(scope_q(user, "path", Perm.ISSUE_PERMITS), organisation__isnull=True)
    return _with_active_permits(list(rows.order_by("-created_at", "-pk")[:50]))


def entry_for(user: Any, pk: int) -> Entry:
    """One entry: officers of its ward (and above), or a representative of its organisation's business."""
    rows = Entry.objects.select_related("organisation", "organisation__business", "ward", "decided_by")
    found = rows.filter(_visible_q(user, "organisation__") | scope_q(user, "path", Perm.ISSUE_PERMITS), pk=pk)
    entry = found.first()
    if entry is None:
        raise _not_found(user, Entry, "permits.entry", pk)
    return entry


def permits_of_entry(entry: Entry) -> list[Permit]:
    return list(Permit.objects.filter(entry=entry).order_by("-created_at", "-pk"))


def _permits() -> QuerySet[Permit]:
    return Permit.objects.select_related("entry", "entry__organisation", "issuing_unit")


def permit_for(user: Any, pk: int) -> Permit:
    condition = scope_q(user, "path", Perm.ISSUE_PERMITS) | _visible_q(user, "entry__organisation__")
    permit = _permits().filter(condition, pk=pk).first()
    if permit is None:
        raise _not_found(user, Permit, "permits.permit", pk)
    return permit


def permit_by_token(token: str) -> Permit:
    """The holder's phone page: whoever has the unguessable link sees the permit (no sign-in)."""
    if not token or len(token) > 40:
        raise Http404
    permit = _permits().filter(token=token).first()
    if permit is None:
        raise Http404
    return permit


def active_permits_of(organisation: Organisation) -> list[Permit]:
    """The organisation's valid permits, by holder's name: the printable list."""
    rows = _permits().filter(entry__organisation=organisation, status=Permit.Status.ACTIVE)
    return list(rows.order_by("entry__name_key", "pk")[:1000])


def revoked_permit_ids(at: datetime | None = None) -> list[str]:
    """Pass ids of revoked permits that would still be valid: what an offline device must refuse.

    Expired permits fail on their own validity, so they leave the list and keep it short.
    """
    moment = at or now()
    rows = Permit.objects.filter(status=Permit.Status.REVOKED, valid_to__gt=moment)
    return list(rows.order_by("pass_id").values_list("pass_id", flat=True))


def groups() -> list[rules.Group]:
    return list(rules.GROUPS.values())


def group_of(entry: Entry) -> rules.Group:
    return rules.GROUPS[entry.group]


def wards_of(user: Any) -> list[Any]:
    """Wards where the user may register organisations (for the form's choice)."""
    wards: list[Any] = []
    for path in paths_of(user, Perm.ISSUE_PERMITS):
        unit = territory.unit_by_path(path)
        if unit is None:
            continue
        if unit.level == "ward":
            wards.append(unit)
        else:
            wards.extend(territory.within(unit).filter(level="ward").order_by("name"))
    return wards[:2000]
