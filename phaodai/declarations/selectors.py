"""Reads: the person's pass by token, officials' scoped lists and worklist, and the checkpoint lookup.

Declarations carry health answers: officials read them only with Perm.TRACE and only within their
units (404 outside, logged). The identity number is matched through its blind index, never in plain.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from django.db.models import QuerySet
from django.http import Http404

from phaodai.accounts.roles import Perm
from phaodai.core.clock import local_date, local_day_bounds
from phaodai.core.crypto import blind_index
from phaodai.core.errors import InvalidInput, NotPermitted
from phaodai.core.identity import validate_cccd
from phaodai.core.jurisdiction import get_in_scope_or_404, paths_of, scope
from phaodai.core.text import search_key
from phaodai.declarations.models import Declaration, ValidityRule
from phaodai.people.cccd import cccd_index

READ_PERM: Final = Perm.TRACE
# Who files on someone's behalf: officials and health workers, and the police at checkpoints.
FILER_PERMS: Final = (Perm.ADD_PERSON, Perm.VERIFY_PASSES)
PAGE_SIZE: Final = 50
TOKEN_MAX: Final = 64
# What a list needs; the ciphertext, answers and the pass code stay in the database.
LIST_FIELDS: Final = (
    "id",
    "full_name",
    "id_kind",
    "id_masked",
    "birth_year",
    "unit_path",
    "ward__code",
    "ward__full_name",
    "district_name",
    "ward_name",
    "province_code",
    "has_symptoms",
    "has_exposure",
    "review",
    "channel",
    "submitted_at",
    "valid_to",
)


def validity_rule_at(at: datetime) -> ValidityRule | None:
    """The duration in force on the Hà Nội date of `at`."""
    return ValidityRule.objects.filter(valid_from__lte=local_date(at)).order_by("-valid_from").first()


def declaration_by_token(token: str) -> Declaration:
    """The declaration a person holds the link of; 404 for anything else (no hint which part was wrong)."""
    if not token or len(token) > TOKEN_MAX:
        raise Http404
    found = Declaration.objects.select_related("ward").filter(token=token).first()
    if found is None:
        raise Http404
    return found


def valid_declaration_for(cccd: str, at: datetime) -> Declaration | None:
    """The latest declaration of a CCCD valid at `at` (from its submission, for the configured hours)."""
    number = validate_cccd(cccd)
    return (
        Declaration.objects.filter(
            id_kind=Declaration.IdKind.CCCD,
            id_index=cccd_index(number),
            valid_from__lte=at,
            valid_to__gt=at,
        )
        .order_by("-submitted_at", "-id")
        .first()
    )


def can_read(user: Any) -> bool:
    return bool(paths_of(user, READ_PERM))


def declarations_visible_to(user: Any) -> QuerySet[Declaration]:
    if not can_read(user):
        raise NotPermitted()
    return scope(Declaration.objects.all(), user, "unit_path", READ_PERM)


def declaration_for(user: Any, pk: int) -> Declaration:
    """One declaration of the user's jurisdiction (404 outside it, and the attempt logged)."""
    if not can_read(user):
        raise NotPermitted()
    queryset = Declaration.objects.select_related("ward", "filed_by", "reviewed_by", "validity_rule")
    return get_in_scope_or_404(queryset, user, path_field="unit_path", perm=READ_PERM, pk=pk)


def _index_of(kind: str, number: str) -> str:
    compact = "".join(number.split())
    if kind == Declaration.IdKind.CCCD:
        return cccd_index(validate_cccd(compact))
    if kind == Declaration.IdKind.CMND:
        return blind_index()(compact, "cmnd")
    return blind_index()(compact.upper(), "passport")


@dataclass(frozen=True)
class Filters:
    """What officials narrow a list by; `id_number` is matched whole, through the blind index."""

    q: str = ""
    day: date | None = None
    flagged: bool | None = None
    open_only: bool = False
    id_kind: str = Declaration.IdKind.CCCD
    id_number: str = ""
    before: int | None = None


@dataclass(frozen=True)
class Page:
    rows: list[Declaration]
    next_before: int | None


def search(user: Any, filters: Filters, *, limit: int = PAGE_SIZE) -> Page:
    """Newest first, keyset-paged by id; by name (without diacritics), last digits of the id, day, flag."""
    rows = declarations_visible_to(user).select_related("ward").only(*LIST_FIELDS)
    q = filters.q.strip()
    if q.isascii() and q.isdigit() and len(q) <= 4:
        rows = rows.filter(id_masked__endswith=q)
    elif q:
        rows = rows.filter(name_key__contains=search_key(q))
    if filters.id_number.strip():
        if filters.id_kind not in Declaration.IdKind.values:
            raise InvalidInput(field="id_kind")
        rows = rows.filter(id_kind=filters.id_kind, id_index=_index_of(filters.id_kind, filters.id_number))
    if filters.day is not None:
        start, end = local_day_bounds(filters.day)
        rows = rows.filter(submitted_at__gte=start, submitted_at__lt=end)
    if filters.flagged is True:
        rows = rows.exclude(review=Declaration.Review.NONE)
    elif filters.flagged is False:
        rows = rows.filter(review=Declaration.Review.NONE)
    if filters.open_only:
        rows = rows.filter(review=Declaration.Review.OPEN)
    if filters.before is not None:
        rows = rows.filter(id__lt=filters.before)
    found = list(rows.order_by("-id")[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    return Page(rows=found, next_before=found[-1].pk if more and found else None)


def worklist(user: Any, *, before: int | None = None, limit: int = PAGE_SIZE) -> Page:
    """Flagged declarations of the user's units not yet followed up, newest first."""
    return search(user, Filters(open_only=True, before=before), limit=limit)
