"""Reads of testing, always scoped to the acting user: rounds, sessions, samples, retests, positives.

A round is read by those who plan testing or sample where it is organised, or where one of its sessions
takes place; a session, a sample, a retest where it takes place (a sample where its person lives).
Outside: 404, and the attempt is logged. Lists are keyset-paginated and never count a large table.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from phaodai.accounts.roles import Perm
from phaodai.cases import selectors as cases
from phaodai.core.errors import NotPermitted
from phaodai.core.jurisdiction import log_out_of_scope, paths_of, scope_q
from phaodai.diagnostics.models import (
    Lab,
    Method,
    Outcome,
    Pool,
    Retest,
    Sample,
    SamplingSession,
    SessionTarget,
    TestingRound,
)
from phaodai.people import selectors as people

READER_PERMS = (Perm.PLAN_TESTING, Perm.SAMPLE)
# Results are read by those who sample (in their area) and by the laboratories that give them.
RESULT_PERMS = (Perm.SAMPLE, Perm.IMPORT_RESULTS)
PAGE_SIZE = 50
# An areas round of a district can hold thousands of sessions: the page shows the first ones.
SESSIONS_SHOWN = 400
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list; `next_after` is None on the last page."""

    items: list[T]
    next_after: str | None


def _any_q(user: Any, field: str, perms: Sequence[str]) -> Q:
    condition = Q(pk__in=[])
    for perm in perms:
        condition |= scope_q(user, field, perm)
    return condition


def is_reader(user: Any) -> bool:
    return any(paths_of(user, perm) for perm in READER_PERMS)


def is_result_reader(user: Any) -> bool:
    return any(paths_of(user, perm) for perm in RESULT_PERMS)


def _one_or_404(
    queryset: QuerySet[Any], user: Any, object_type: str, pk: Any, path_field: str = "path"
) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        other = queryset.model.objects.filter(pk=pk).values_list(path_field, flat=True).first()
        if other is not None:
            log_out_of_scope(user, object_type, pk, other)
        raise Http404
    return found


# Rounds and sessions -----------------------------------------------------------------------------------


def rounds_visible_to(user: Any) -> QuerySet[TestingRound]:
    in_sessions = SamplingSession.objects.filter(_any_q(user, "path", READER_PERMS), round=OuterRef("pk"))
    return TestingRound.objects.filter(_any_q(user, "path", READER_PERMS) | Q(Exists(in_sessions)))


def rounds_listed(
    user: Any, status: str = "", after: int | None = None, limit: int = PAGE_SIZE
) -> Page[TestingRound]:
    """The user's rounds, newest first (keyset on id)."""
    rows = rounds_visible_to(user).select_related("unit", "lockdown__area")
    if status in TestingRound.Status.values:
        rows = rows.filter(status=status)
    if after is not None:
        rows = rows.filter(pk__lt=after)
    found = list(rows.order_by("-pk")[: limit + 1])
    return Page(found[:limit], str(found[limit - 1].pk) if len(found) > limit else None)


def round_for(user: Any, pk: int) -> TestingRound:
    queryset = rounds_visible_to(user).select_related("unit", "lockdown__area", "created_by")
    return _one_or_404(queryset, user, "diagnostics.testinground", pk)


def sessions_of(user: Any, testing_round: TestingRound, limit: int = SESSIONS_SHOWN) -> list[SamplingSession]:
    """The round's sessions the user may see, by day then area (at most `limit`), with their counters."""
    return list(
        testing_round.sessions.filter(_any_q(user, "path", READER_PERMS))
        .select_related("area")
        .order_by("day", "area__code", "pk")[:limit]
    )


def coverage_of(user: Any, testing_round: TestingRound) -> tuple[int, int]:
    """(sampled, targeted) over the round's sessions the user may see."""
    totals = testing_round.sessions.filter(_any_q(user, "path", READER_PERMS)).aggregate(
        sampled=Sum("sampled"), targeted=Sum("targeted")
    )
    return totals["sampled"] or 0, totals["targeted"] or 0


def sessions_today(user: Any, day: Any, limit: int = PAGE_SIZE) -> list[SamplingSession]:
    """The user's sampling sessions of a day in rounds still open (the sampling team's worklist)."""
    return list(
        SamplingSession.objects.filter(_any_q(user, "path", READER_PERMS), day=day)
        .exclude(status=SamplingSession.Status.CANCELLED)
        .exclude(round__status=TestingRound.Status.CLOSED)
        .select_related("round", "area")
        .order_by("path", "area__code", "pk")[:limit]
    )


def session_for(user: Any, pk: int) -> SamplingSession:
    queryset = SamplingSession.objects.filter(_any_q(user, "path", READER_PERMS)).select_related(
        "round", "area"
    )
    return _one_or_404(queryset, user, "diagnostics.samplingsession", pk)


def session_targets(
    session: SamplingSession, after: int | None = None, limit: int = PAGE_SIZE
) -> Page[SessionTarget]:
    """A session's targets in registration order (keyset on id), each with their person and sample."""
    rows = (
        SessionTarget.objects.filter(session=session)
        .select_related("person", "sample")
        .defer("person__cccd_ciphertext", "person__cccd_index")
    )
    if after is not None:
        rows = rows.filter(pk__gt=after)
    found = list(rows.order_by("pk")[: limit + 1])
    return Page(found[:limit], str(found[limit - 1].pk) if len(found) > limit else None)


def coverage_pct(sampled: int, targeted: int) -> float | None:
    """Sampled / targeted as a percentage with one decimal; None when nobody is targeted."""
    return round(sampled * 100 / targeted, 1) if targeted else None


# Samples -----------------------------------------------------------------------------------------------


def samples_visible_to(user: Any) -> QuerySet[Sample]:
    return Sample.objects.filter(_any_q(user, "path", RESULT_PERMS))


def sample_for(user: Any, pk: int) -> Sample:
    queryset = samples_visible_to(user).select_related("person", "lab", "pool", "session__round", "retest_of")
    return _one_or_404(queryset, user, "diagnostics.sample", pk)


def sample_by_code(user: Any, code: str) -> Sample | None:
    """The visible sample with this code, or None (a code of someone else's sample is equally None)."""
    return samples_visible_to(user).select_related("person", "lab", "pool").filter(code=code.strip()).first()


def samples_of_person(user: Any, person_id: Any, limit: int = 200) -> tuple[Any, list[Sample]]:
    """A person the user may read, with their samples (newest first); 404 for anyone else."""
    if not is_result_reader(user):
        raise NotPermitted()
    person = people.person_for(user, person_id)
    rows = (
        samples_visible_to(user)
        .filter(person=person)
        .select_related("lab", "pool", "retest_of")
        .order_by("-collected_at", "-pk")[:limit]
    )
    return person, list(rows)


def corrections_of(sample: Sample) -> list[Any]:
    return list(sample.corrections.select_related("lab", "corrected_by").order_by("corrected_at", "pk"))


def pool_for(user: Any, pk: int) -> Pool:
    queryset = Pool.objects.filter(_any_q(user, "path", RESULT_PERMS)).select_related("session__round", "lab")
    return _one_or_404(queryset, user, "diagnostics.pool", pk)


def pool_by_code(user: Any, code: str) -> Pool | None:
    return Pool.objects.filter(_any_q(user, "path", RESULT_PERMS), code=code.strip()).first()


def pool_members(pool: Pool) -> list[Sample]:
    return list(
        Sample.objects.filter(pool=pool)
        .select_related("person")
        .defer("person__cccd_ciphertext", "person__cccd_index")
        .order_by("pk")
    )


def labs() -> list[Lab]:
    return list(Lab.objects.filter(active=True).order_by("code"))


# Retests and positives to confirm ----------------------------------------------------------------------


def open_retests(user: Any, after: int | None = None, limit: int = PAGE_SIZE) -> Page[Retest]:
    """Members of positive pools still to be retested individually, in the user's area, oldest first."""
    rows = (
        Retest.objects.filter(_any_q(user, "path", (Perm.SAMPLE,)), status=Retest.Status.OPEN)
        .select_related("sample__person", "pool")
        .defer("sample__person__cccd_ciphertext", "sample__person__cccd_index")
    )
    if after is not None:
        rows = rows.filter(pk__gt=after)
    found = list(rows.order_by("pk")[: limit + 1])
    return Page(found[:limit], str(found[limit - 1].pk) if len(found) > limit else None)


def persons_with_case_q() -> Q:
    """Samples whose person has a case under treatment, or one confirmed since the sample was taken."""
    return cases.has_case_since_q("person_id", "collected_at")


def positives_to_confirm(user: Any, after: int | None = None, limit: int = PAGE_SIZE) -> Page[Sample]:
    """Positive results of the user's area whose person has no case for them yet, oldest result first."""
    rows = (
        Sample.objects.filter(scope_q(user, "path", Perm.TRACE), outcome=Outcome.POSITIVE)
        .exclude(persons_with_case_q())
        .select_related("person", "lab")
        .defer("person__cccd_ciphertext", "person__cccd_index")
    )
    if after is not None:
        rows = rows.filter(pk__gt=after)
    found = list(rows.order_by("pk")[: limit + 1])
    return Page(found[:limit], str(found[limit - 1].pk) if len(found) > limit else None)


def waiting_since(
    user: Any, before: datetime, after: tuple[datetime, int] | None = None, limit: int = PAGE_SIZE
) -> Page[Sample]:
    """Samples of the user's area still waiting for a result, taken before `before`, oldest first.

    Keyset on (collected_at, id); the partial index on waiting samples serves it.
    """
    rows = (
        samples_visible_to(user)
        .filter(outcome=Outcome.PENDING, collected_at__lt=before)
        .select_related("lab")
    )
    if after is not None:
        moment, pk = after
        rows = rows.filter(Q(collected_at__gt=moment) | Q(collected_at=moment, pk__gt=pk))
    found = list(rows.order_by("collected_at", "pk")[: limit + 1])
    more = len(found) > limit
    items = found[:limit]
    return Page(items, f"{items[-1].collected_at.isoformat()}|{items[-1].pk}" if more else None)


def is_pooled(method: str) -> bool:
    return method == Method.PCR_POOLED
