"""Reads of welfare, scoped to the acting user; and the public, masked transparency lists (S33).

Readers of an application: whoever files, appraises or pays support within its ward (the ward, its
district, the city). Outside: 404 and the attempt is logged. Public lists show masked names only.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from phaodai.accounts.roles import Perm
from phaodai.core.clock import local_date, local_day_bounds, now
from phaodai.core.errors import NotPermitted
from phaodai.core.jurisdiction import covers, get_in_scope_or_404, paths_of, scope_q
from phaodai.territory import selectors as territory
from phaodai.welfare import rules
from phaodai.welfare.models import (
    Application,
    Decision,
    Document,
    Objection,
    Payment,
    Programme,
    SupportList,
)

READER_PERMS = (Perm.FILE_SUPPORT, Perm.APPRAISE_SUPPORT, Perm.PAY_SUPPORT)
MAX_PAGE = 100
PUBLIC_LIST_MAX = 2000
# Publicly listed: approved by the district, and what follows.
PUBLISHED = (rules.APPROVED, rules.PAID, rules.RECONCILED)


def reach_q(user: Any, field: str = "unit_path", perms: tuple[str, ...] = READER_PERMS) -> Q:
    condition = Q(pk__in=[])
    for perm in perms:
        condition |= scope_q(user, field, perm)
    return condition


def can_file(user: Any) -> bool:
    return bool(paths_of(user, Perm.FILE_SUPPORT))


def can_appraise(user: Any) -> bool:
    return bool(paths_of(user, Perm.APPRAISE_SUPPORT))


def can_pay(user: Any) -> bool:
    return bool(paths_of(user, Perm.PAY_SUPPORT))


def can_manage_programmes(user: Any) -> bool:
    return bool(paths_of(user, Perm.MANAGE_PROGRAMMES))


def is_reader(user: Any) -> bool:
    return any(paths_of(user, perm) for perm in READER_PERMS)


def require_reader(user: Any) -> None:
    """403 for roles that neither file, appraise nor pay support anywhere."""
    if not is_reader(user):
        raise NotPermitted()


# Programmes ----------------------------------------------------------------------------------------


def _in_force_q(day: date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def programmes_in_force(day: date | None = None) -> list[Programme]:
    """The latest version of each programme valid on `day` (default today in Hà Nội); public."""
    on = day or local_date(now())
    found: dict[str, Programme] = {}
    for programme in Programme.objects.filter(_in_force_q(on)).order_by("code", "-version"):
        found.setdefault(programme.code, programme)
    return list(found.values())


def all_programmes() -> QuerySet[Programme]:
    """Every version of every programme, newest version first per code."""
    return Programme.objects.order_by("code", "-version")


def programme_by_code(code: str, day: date | None = None) -> Programme:
    """The version of `code` in force on `day` (any day when it is None: the newest); Http404 if none."""
    programmes = Programme.objects.filter(code=code)
    if day is not None:
        programmes = programmes.filter(_in_force_q(day))
    found = programmes.order_by("-version").first()
    if found is None:
        raise Http404
    return found


# Applications --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    items: list[Application]
    next_after: int | None


def applications_visible_to(user: Any) -> QuerySet[Application]:
    return Application.objects.filter(reach_q(user)).select_related("programme", "person", "unit")


def application_for(user: Any, pk: Any, perm: str | None = None) -> Application:
    """One application in the user's reach (for `perm`, when given); 404, logged, outside it."""
    require_reader(user)
    queryset = Application.objects.select_related(
        "programme", "person", "unit", "household", "support_list", "decision", "filed_by"
    )
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if perm is not None:
        return get_in_scope_or_404(queryset, user, path_field="unit_path", perm=perm, pk=number)
    found = queryset.filter(reach_q(user), pk=number).first()
    if found is None:
        for reader in READER_PERMS:  # logs the attempt when the application exists elsewhere
            if paths_of(user, reader):
                return get_in_scope_or_404(queryset, user, path_field="unit_path", perm=reader, pk=number)
        raise Http404
    return found


def applications_page(
    user: Any,
    *,
    status: str = "",
    programme: str = "",
    ward: str = "",
    after: int | None = None,
    limit: int = 50,
) -> Page:
    """Visible applications, newest first, keyset-paginated by id (no COUNT)."""
    limit = max(1, min(limit, MAX_PAGE))
    rows = applications_visible_to(user)
    if status:
        rows = rows.filter(status=status)
    if programme:
        rows = rows.filter(programme_code=programme)
    if ward:
        rows = rows.filter(unit__code=ward)
    if after:
        rows = rows.filter(pk__lt=after)
    found = list(rows.order_by("-pk")[: limit + 1])
    items = found[:limit]
    return Page(items, items[-1].pk if len(found) > limit else None)


def documents_of(application: Application) -> list[Document]:
    return list(Document.objects.filter(application=application).order_by("pk"))


def document_for(user: Any, pk: Any) -> Document:
    """One document of an application in the user's reach; 404 otherwise."""
    require_reader(user)
    found = Document.objects.select_related("application").filter(pk=pk).first()
    if found is None:
        raise Http404
    application_for(user, found.application_id)
    return found


def objections_of(application: Application) -> list[Objection]:
    return list(Objection.objects.filter(application=application).order_by("received_at", "pk"))


def objection_for(user: Any, pk: Any) -> Objection:
    require_reader(user)
    found = Objection.objects.select_related("application").filter(pk=pk).first()
    if found is None:
        raise Http404
    found.application = application_for(user, found.application_id)
    return found


def earlier_record(person_id: Any, programme_code: str, period_key: str) -> Application | None:
    """The live application (or the paid one) of this person, programme and period, if any."""
    return (
        Application.objects.filter(person_id=person_id, programme_code=programme_code, period_key=period_key)
        .exclude(status__in=rules.CLOSED)
        .select_related("programme")
        .first()
    )


# Lists, decisions, payments ------------------------------------------------------------------------


def lists_visible_to(user: Any) -> QuerySet[SupportList]:
    return SupportList.objects.filter(reach_q(user)).select_related("unit", "programme", "decision")


def list_for(user: Any, pk: Any) -> SupportList:
    require_reader(user)
    found = lists_visible_to(user).filter(pk=pk).first()
    if found is None:
        for reader in READER_PERMS:
            if paths_of(user, reader):
                return get_in_scope_or_404(
                    SupportList.objects.select_related("unit", "programme"),
                    user,
                    path_field="unit_path",
                    perm=reader,
                    pk=pk,
                )
        raise Http404
    return found


def entries_of(support_list: SupportList) -> QuerySet[Application]:
    return (
        Application.objects.filter(support_list=support_list)
        .select_related("person", "programme")
        .order_by("line_no", "pk")
    )


def decisions_visible_to(user: Any) -> QuerySet[Decision]:
    """Decisions of the user's district (or city), and those covering a ward of theirs."""
    ward_q = reach_q(user, "applications__unit_path")
    ids = Decision.objects.filter(reach_q(user) | ward_q).values("pk")
    return Decision.objects.filter(pk__in=ids).select_related("unit", "programme")


def decision_for(user: Any, pk: Any) -> Decision:
    require_reader(user)
    found = decisions_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def decision_lines(decision: Decision, user: Any = None) -> QuerySet[Application]:
    """The decision's applications by line number (within the user's reach when a user is given)."""
    lines = Application.objects.filter(decision=decision).select_related("person", "unit").order_by("line_no")
    return lines.filter(reach_q(user)) if user is not None else lines


def payments_visible_to(user: Any) -> QuerySet[Payment]:
    return Payment.objects.filter(reach_q(user)).select_related("application", "person", "decision")


def payment_for(user: Any, pk: Any) -> Payment:
    require_reader(user)
    found = payments_visible_to(user).filter(pk=pk).first()
    if found is None:
        for reader in READER_PERMS:
            if paths_of(user, reader):
                return get_in_scope_or_404(
                    Payment.objects.select_related("application", "person", "decision"),
                    user,
                    path_field="unit_path",
                    perm=reader,
                    pk=pk,
                )
        raise Http404
    return found


def payments_of(decision: Decision, ward: Any = None) -> QuerySet[Payment]:
    payments = Payment.objects.filter(decision=decision).select_related("person", "application")
    return payments.filter(unit_path__startswith=ward.path) if ward is not None else payments


# Food-allowance candidates -------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A person isolated as F0 or F1 in the ward, with no food-allowance application for that isolation."""

    person_id: Any
    full_name: str
    birth_year: int | None
    subject: str
    starts_on: date
    days: int
    amount: int
    order_id: int


def isolation_days(starts_at: datetime, ends_at: datetime | None) -> int:
    """Days of an isolation counted from its start to its end (or its release), at least one."""
    if ends_at is None:
        return 1
    return max(1, (local_date(ends_at) - local_date(starts_at)).days)


def isolation_orders_of(user: Any, person: Any, limit: int = 20) -> list[Any]:
    """The person's isolation orders (any status but cancelled), newest first, read through the cases
    selectors: every one the user may read as an isolating officer (Perm.ORDER_ISOLATION); the F0/F1
    ones, open or released, for whoever files support in the person's ward (welfare officers); and the
    open one. The caller holds the person through its ward (FILE_SUPPORT).
    """
    from phaodai.cases import isolation_selectors as isolation

    found: dict[int, Any] = {}
    if paths_of(user, Perm.ORDER_ISOLATION):
        readable = (
            isolation.orders_visible_to(user)
            .filter(person_id=person.pk)
            .exclude(status="cancelled")
            .order_by("-starts_at", "-pk")[:limit]
        )
        found.update((order.pk, order) for order in readable)
    if covers(user, person.unit_path, Perm.FILE_SUPPORT):
        supported = (
            isolation.orders_for_support(person.unit_path)
            .filter(person_id=person.pk)
            .order_by("-starts_at", "-pk")[:limit]
        )
        found.update((order.pk, order) for order in supported)
    current = isolation.open_order_of(person)
    if current is not None:
        found.setdefault(current.pk, current)
    return sorted(found.values(), key=lambda order: (order.starts_at, order.pk), reverse=True)


def _live_income_support() -> QuerySet[Application]:
    # In flight counts too (filed to appraised): else a person filed for both is paid both.
    return Application.objects.filter(programme_code__in=rules.INCOME_SUPPORT).exclude(
        status__in=rules.CLOSED
    )


def income_support_of(person_id: Any) -> list[Application]:
    """The person's live NQ 68 income-support applications (rules.INCOME_SUPPORT), oldest first: any but
    the rejected, returned or withdrawn ones."""
    return list(_live_income_support().filter(person_id=person_id).order_by("pk"))


def income_support_persons() -> QuerySet[Application, Any]:
    """The persons with a live NQ 68 income support, for `person_id__in`: PostgreSQL reads these few
    thousand first and looks each up among the lines, where a correlated EXISTS probed every line."""
    return _live_income_support().values("person_id")


def income_support_of_persons(person_ids: Iterable[Any]) -> dict[Any, list[Application]]:
    """income_support_of for many persons at once (one query), by person id."""
    found: dict[Any, list[Application]] = {}
    live = _live_income_support().filter(person_id__in=list(person_ids))
    for other in live.only("pk", "person_id", "programme_code", "reference", "status").order_by("pk"):
        found.setdefault(other.person_id, []).append(other)
    return found


def food_candidates(
    user: Any, ward: Any, *, since: date, until: date, code: str = "NQ68-FOOD"
) -> list[Candidate]:
    """F0/F1 isolation orders of the ward's residents starting in [since, until] (Hà Nội days), newest
    first, not applied for yet (one allowance per order).

    Read through the cases selectors: the orders of the ward's residents, for whoever files support there.
    """
    from phaodai.cases import isolation_selectors as isolation

    if not covers(user, ward.path, Perm.FILE_SUPPORT) or since > until:
        return []
    try:
        programme = programme_by_code(code)
    except Http404:  # the programme is not loaded: nothing to propose
        return []
    policy = programme.amount_policy()
    first, _end = local_day_bounds(since)
    _start, last = local_day_bounds(until)
    orders = (
        isolation.orders_for_support(ward.path)
        .filter(starts_at__gte=first, starts_at__lt=last)
        .order_by("-starts_at", "-pk")[:PUBLIC_LIST_MAX]
    )
    found = []
    for order in orders:
        end = order.released_at or order.isolation_ends_at
        days = min(isolation_days(order.starts_at, end), rules.days_cap(policy, order.subject) or 10**6)
        person = order.person
        found.append(
            Candidate(
                person.pk,
                person.full_name,
                person.birth_date.year if person.birth_date else None,
                order.subject,
                local_date(order.starts_at),
                days,
                policy.amount * days,
                order.pk,
            )
        )
    applied = set(
        Application.objects.filter(
            programme_code=code,
            person_id__in=[c.person_id for c in found],
        )
        .exclude(status__in=rules.CLOSED)
        .values_list("person_id", "period_key")
    )
    return [c for c in found if (c.person_id, rules.episode_key(c.order_id)) not in applied]


# Public transparency (no user; masked names only) --------------------------------------------------


@dataclass(frozen=True)
class PublicRow:
    masked_name: str
    programme_code: str
    programme_name: str
    amount: int
    decision_number: str
    paid: bool


@dataclass(frozen=True)
class PublicList:
    ward: Any
    district: Any
    rows: list[PublicRow]
    count: int
    total: int


@dataclass(frozen=True)
class PublicWard:
    code: str
    name: str
    district_code: str
    district_name: str
    count: int
    total: int


@dataclass(frozen=True)
class TotalRow:
    programme_code: str
    programme_name: str
    district_code: str
    district_name: str
    count: int
    total: int
    paid_count: int
    paid_total: int


def public_wards() -> list[PublicWard]:
    """Wards with approved beneficiaries: counts and totals, by district then ward."""
    rows = (
        Application.objects.filter(status__in=PUBLISHED)
        .values("unit__code", "unit__name", "unit__parent__code", "unit__parent__name")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by("unit__parent__code", "unit__code")
    )
    return [
        PublicWard(
            r["unit__code"],
            r["unit__name"],
            r["unit__parent__code"] or "",
            r["unit__parent__name"] or "",
            r["count"],
            r["total"] or 0,
        )
        for r in rows
    ]


def public_ward_list(ward_code: str, programme: str = "") -> PublicList:
    """A ward's approved beneficiaries with masked names ("Nguyễn V. A., 1978"); Http404 for no such ward."""
    ward = territory.unit_by_code(ward_code)
    if ward is None or ward.level != "ward":
        raise Http404
    approved = Application.objects.filter(unit=ward, status__in=PUBLISHED)
    if programme:
        approved = approved.filter(programme_code=programme)
    totals = approved.aggregate(count=Count("pk"), total=Sum("amount"))
    rows = [
        PublicRow(
            rules.masked(full_name, born.year if born else None),
            code,
            name_vi if _vietnamese() else name_en,
            amount,
            number or "",
            status in (rules.PAID, rules.RECONCILED),
        )
        for full_name, born, code, name_vi, name_en, amount, number, status in approved.order_by(
            "programme_code", "decision__number", "line_no", "pk"
        ).values_list(
            "person__full_name",
            "person__birth_date",
            "programme_code",
            "programme__name_vi",
            "programme__name_en",
            "amount",
            "decision__number",
            "status",
        )[:PUBLIC_LIST_MAX]
    ]
    return PublicList(ward, ward.parent, rows, totals["count"] or 0, totals["total"] or 0)


def public_totals() -> list[TotalRow]:
    """Approved beneficiaries and amounts per programme and district, with what is paid so far."""
    paid = Q(status__in=(rules.PAID, rules.RECONCILED))
    rows = (
        Application.objects.filter(status__in=PUBLISHED)
        .values("programme_code", "unit__parent__code", "unit__parent__name")
        .annotate(
            count=Count("pk"),
            total=Sum("amount"),
            paid_count=Count("pk", filter=paid),
            paid_total=Sum("amount", filter=paid),
        )
        .order_by("programme_code", "unit__parent__code")
    )
    names = {p.code: p.name for p in reversed(list(all_programmes()))}  # the newest version's name
    return [
        TotalRow(
            r["programme_code"],
            names.get(r["programme_code"], r["programme_code"]),
            r["unit__parent__code"] or "",
            r["unit__parent__name"] or "",
            r["count"],
            r["total"] or 0,
            r["paid_count"],
            r["paid_total"] or 0,
        )
        for r in rows
    ]


def _vietnamese() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "vi").startswith("vi")
