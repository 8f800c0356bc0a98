"""Reads of the person registry, always scoped to what the acting user may see."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import Perm
from phaodai.core.clock import Clock, local_date, now
from phaodai.core.errors import InvalidInput
from phaodai.core.identity import validate_cccd
from phaodai.core.jurisdiction import get_in_scope_or_404, paths_of, scope
from phaodai.core.text import search_key
from phaodai.people.cccd import cccd_index, decrypt_cccd
from phaodai.people.models import Person
from phaodai.people.rules import PriorityGroup, age_on, mask_cccd, priority_groups
from phaodai.territory import selectors as territory

MAX_PAGE = 100


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"
    message = _("This page link has expired; start the search again.")


@dataclass(frozen=True)
class Page:
    """One page of a keyset-paginated list; `next_after` is None on the last page."""

    items: list[Person]
    next_after: str | None


PRIORITY_LABELS = {
    PriorityGroup.ELDERLY: _("Aged 65 or over"),
    PriorityGroup.CHRONIC_ILLNESS: _("Chronic illness"),
    PriorityGroup.DISABILITY_IMMOBILE: _("Disability or immobile"),
    PriorityGroup.PREGNANT: _("Pregnant"),
}


@dataclass(frozen=True)
class Profile:
    """What a screen or API answer shows of a person: the CCCD only masked, groups derived."""

    person: Person
    cccd_masked: str  # "" for a provisional contact known by name and phone only
    age: int | None  # None while the birth date is unknown
    priority_groups: tuple[str, ...]

    @property
    def priority_labels(self) -> list[str]:
        return [str(PRIORITY_LABELS[group]) for group in self.priority_groups]


def profile_of(person: Person, clock: Clock = now) -> Profile:
    """The display form of a person already fetched through a scoped selector."""
    today = local_date(clock())
    ciphertext, born = person.cccd_ciphertext, person.birth_date
    return Profile(
        person=person,
        cccd_masked=mask_cccd(decrypt_cccd(bytes(ciphertext))) if ciphertext else "",
        age=age_on(born, today) if born else None,
        priority_groups=priority_groups(
            birth_date=born,
            today=today,
            chronic_illness=person.chronic_illness,
            disability_immobile=person.disability_immobile,
            pregnant=person.pregnant,
        )
        if born
        else (),
    )


def person_for_tracing(cccd: str) -> Person | None:
    """The person with this CCCD wherever they live, for tracing only: a positive test or a contact
    may concern a resident of any ward. The caller has checked the tracing capability."""
    number = validate_cccd(cccd)
    return Person.objects.filter(cccd_index=cccd_index(number)).first()


def person_by_id_for_tracing(person_id: Any) -> Person | None:
    """The person with this id wherever they live, or None (also for a malformed id); for tracing only,
    like person_for_tracing: the caller checks its tracing scope (cases.selectors.may_trace)."""
    try:
        pk = uuid.UUID(str(person_id))
    except ValueError:
        return None
    return Person.objects.select_related("residence_area__ward").filter(pk=pk).first()


def persons_visible_to(user: Any) -> QuerySet[Person]:
    """Persons residing within the units where the user may read persons."""
    return scope(Person.objects.all(), user, "unit_path", perm=Perm.VIEW_PERSON)


def person_for(user: Any, person_id: Any) -> Person:
    """One visible person; 404 (and a logged attempt) for anyone else, or for a malformed id."""
    try:
        pk = uuid.UUID(str(person_id))
    except ValueError:
        raise Http404 from None
    queryset = Person.objects.select_related("residence_area__ward", "household")
    return get_in_scope_or_404(queryset, user, path_field="unit_path", perm=Perm.VIEW_PERSON, pk=pk)


def lookup_by_cccd(user: Any, cccd: str) -> Person | None:
    """The visible person with this CCCD, or None; someone registered elsewhere is equally None."""
    number = validate_cccd(cccd)
    # One query whatever the outcome: no extra probe that would time or log "exists elsewhere".
    return (
        persons_visible_to(user)
        .select_related("residence_area__ward")
        .filter(cccd_index=cccd_index(number))
        .first()
    )


def _name_match(key: str) -> Q:
    # Word-prefix match: "an" finds "nguyen van an" and "le thi anh", not "tran van ban".
    return Q(name_key__startswith=key) | Q(name_key__contains=f" {key}")


def search(user: Any, q: str, after: str | None = None, limit: int = 50) -> Page:
    """Visible persons whose name matches `q` without diacritics, by (name_key, id), no COUNT."""
    limit = max(1, min(limit, MAX_PAGE))
    persons = persons_visible_to(user)
    key = search_key(q or "")
    if key:
        persons = persons.filter(_name_match(key))
    if after:
        # The cursor is a person id, not a name: page links must not carry names of other people.
        try:
            anchor = persons_visible_to(user).values_list("name_key", "id").get(pk=uuid.UUID(after))
        except (ValueError, Person.DoesNotExist):
            raise InvalidCursor(field="after") from None
        persons = persons.filter(Q(name_key__gt=anchor[0]) | Q(name_key=anchor[0], id__gt=anchor[1]))
    # Lists never need the CCCD columns: leave the ciphertext in the database.
    persons = persons.select_related("residence_area").defer("cccd_ciphertext", "cccd_index")
    rows = list(persons.order_by("name_key", "id")[: limit + 1])
    more = len(rows) > limit
    items = rows[:limit]
    return Page(items=items, next_after=str(items[-1].pk) if more else None)


def areas_for_registration(user: Any, perm: str = Perm.ADD_PERSON) -> list[Any]:
    """Residential areas where the user may register (or, with `perm`, correct) persons."""
    areas: list[Any] = []
    taken: list[str] = []
    for path in paths_of(user, perm):  # sorted, so a district comes before its wards
        if any(path.startswith(prefix) for prefix in taken):
            continue
        taken.append(path)
        unit = territory.unit_by_code(path.strip("/").rpartition("/")[2])
        if unit is not None and unit.path == path:
            areas.extend(territory.areas_within(unit).select_related("ward").order_by("path", "name_key"))
    return areas


def area_by_code(code: str) -> Any:
    """The active area with this code; InvalidInput when there is none (scope is checked by services)."""
    area = territory.area_by_code(code.strip()) if code else None
    if area is None:
        raise InvalidInput(_("There is no residential area with this code."), field="residence_area")
    return area


def residents_by_cccd_index(indexes: set[str]) -> dict[str, tuple[uuid.UUID, str]]:
    """(person id, residence ward path) by CCCD blind index, for the indexes registered — for bulk
    imports that match rows to persons by CCCD (unscoped: the caller scopes what it writes)."""
    ordered = sorted(indexes)
    found: dict[str, tuple[uuid.UUID, str]] = {}
    for start in range(0, len(ordered), 5000):  # SQLite limits a statement's parameters
        rows = Person.objects.filter(cccd_index__in=ordered[start : start + 5000])
        for index, pk, path in rows.values_list("cccd_index", "id", "unit_path"):
            if index is not None:
                found[index] = (pk, path)
    return found
