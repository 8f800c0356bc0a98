"""The testing API (/api/v1/diagnostics): rounds and their sessions, samples, results, a person's samples.

Thin over services and selectors, as the pages. Errors are {"code", "message"}: 403 for a role without the
capability, 404 outside the user's units (logged), 409 for a duplicate sample code (duplicate_sample), a
person already sampled in the session, a full pool, a round closed or changed meanwhile; 422 for bad input.
Times must carry their UTC offset (e.g. 2021-09-10T08:00:00+07:00). A CCCD only travels in a POST body.
"""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.clock import plausible
from phaodai.core.errors import InvalidInput, NotPermitted
from phaodai.core.jurisdiction import paths_of
from phaodai.core.schemas import Strict
from phaodai.diagnostics import selectors, services
from phaodai.diagnostics.models import Sample, SamplingSession, TestingRound
from phaodai.territory import selectors as territory

router = Router(tags=["diagnostics"])


class SessionOut(Schema):
    id: int
    day: date
    area: str | None
    place: str
    status: str
    targeted: int
    sampled: int


class RoundOut(Schema):
    id: int
    name: str
    unit: str
    target: str
    lockdown: int | None
    risk_group: str
    areas: list[str]
    method: str
    pool_size: int | None
    cadence_days: int
    starts_on: date
    ends_on: date
    status: str
    version: int


class RoundDetailOut(RoundOut):
    sessions: list[SessionOut]


class RoundIn(Strict):
    unit: str = Field(max_length=5, description="The organising unit's GSO code, e.g. 00139")
    name: str = Field(max_length=services.NAME_MAX)
    target: str = Field(description="lockdown, areas or group")
    lockdown: int | None = Field(None, description="The lockdown's id, for a lockdown round")
    areas: list[str] = Field([], max_length=services.MAX_AREAS, description="Area codes, for an areas round")
    risk_group: str = Field("", max_length=16)
    method: str = Field(description="pcr, pcr_pooled or rapid_antigen")
    pool_size: int | None = Field(None, description="5 or 10, pooled PCR only")
    cadence_days: int | None = Field(None, description="Days between sessions; default 3 (S18) or 7")
    starts_on: date
    ends_on: date
    accept_slow_cadence: bool = False
    idempotency_key: str | None = Field(
        None, max_length=64, description="A retry with it returns the same round"
    )


class CloseIn(Strict):
    version: int | None = Field(None, ge=1, description="The version you read (compare-and-set)")


class SampleOut(Schema):
    id: int
    code: str
    method: str
    collected_at: datetime
    place: str
    team: str
    lab: str | None
    pool: str | None
    session: int | None
    retest_of: str | None
    outcome: str
    resulted_at: datetime | None
    version: int


class SampleIn(Strict):
    code: str = Field(max_length=40)
    cccd: str = Field(max_length=20)
    collected_at: datetime
    session: int | None = Field(None, description="The sampling session's id")
    method: str = Field("", description="Without a session: pcr or rapid_antigen")
    pool_code: str = Field("", max_length=40)
    lab: str = Field("", max_length=20, description="The laboratory's code")
    place: str = Field("", max_length=services.PLACE_MAX)
    team: str = Field("", max_length=services.TEAM_MAX)


class ResultIn(Strict):
    outcome: str = Field(description="negative, positive or invalid")
    resulted_at: datetime
    lab: str = Field("", max_length=20)
    version: int | None = Field(None, ge=1)


class ResultOut(Schema):
    change: str = Field(description="result, unchanged or corrected")
    sample: SampleOut


class PoolResultOut(Schema):
    change: str
    members_changed: int
    retests_requested: int


def _aware(moment: datetime, field: str) -> datetime:
    if timezone.is_naive(moment):
        raise InvalidInput(
            _("Give the time with its UTC offset, e.g. 2021-09-10T08:00:00+07:00."), field=field
        )
    if not plausible(moment):
        raise InvalidInput(_("Give a date and time."), field=field)
    return moment


def _round(testing_round: TestingRound) -> dict[str, Any]:
    return {
        "id": testing_round.pk,
        "name": testing_round.name,
        "unit": testing_round.unit.code,
        "target": testing_round.target,
        "lockdown": testing_round.lockdown_id,
        "risk_group": testing_round.risk_group,
        "areas": [area.code for area in testing_round.areas.all()],
        "method": testing_round.method,
        "pool_size": testing_round.pool_size,
        "cadence_days": testing_round.cadence_days,
        "starts_on": testing_round.starts_on,
        "ends_on": testing_round.ends_on,
        "status": testing_round.status,
        "version": testing_round.version,
    }


def _session(session: SamplingSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "day": session.day,
        "area": session.area.code if session.area else None,
        "place": session.place,
        "status": session.status,
        "targeted": session.targeted,
        "sampled": session.sampled,
    }


def _sample(sample: Sample) -> dict[str, Any]:
    return {
        "id": sample.pk,
        "code": sample.code,
        "method": sample.method,
        "collected_at": sample.collected_at,
        "place": sample.place,
        "team": sample.team,
        "lab": sample.lab.code if sample.lab else None,
        "pool": sample.pool.code if sample.pool else None,
        "session": sample.session_id,
        "retest_of": sample.retest_of.code if sample.retest_of else None,
        "outcome": sample.outcome,
        "resulted_at": sample.resulted_at,
        "version": sample.version,
    }


def _require_reader(user: Any) -> None:
    if not selectors.is_reader(user):
        raise NotPermitted()


# Rounds ------------------------------------------------------------------------------------------------


@router.get(
    "/rounds", url_name="diagnostics_rounds", response=list[RoundOut], summary="Testing rounds, newest first"
)
def list_rounds(request: HttpRequest, status: str = "", after: int | None = None) -> list[dict[str, Any]]:
    _require_reader(request.user)
    page = selectors.rounds_listed(request.user, status, after)
    rows = TestingRound.objects.filter(pk__in=[r.pk for r in page.items]).prefetch_related("areas")
    by_pk = {r.pk: r for r in rows.select_related("unit")}
    return [_round(by_pk[r.pk]) for r in page.items]


@router.post(
    "/rounds",
    url_name="diagnostics_rounds",
    response={200: RoundDetailOut, 201: RoundDetailOut},
    summary="Plan a round with its sessions (201; 200 for a retry with the same idempotency key)",
)
def create_round(request: HttpRequest, payload: RoundIn) -> tuple[int, dict[str, Any]]:
    user = request.user
    require_perm(user, Perm.PLAN_TESTING)
    unit = territory.unit_by_code(payload.unit)
    if unit is None:
        raise InvalidInput(_("There is no unit with this code."), field="unit")
    plan = services.RoundPlan(
        name=payload.name,
        target=payload.target,
        method=payload.method,
        cadence_days=payload.cadence_days or services.default_cadence(payload.target, payload.risk_group),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        lockdown_id=payload.lockdown,
        area_codes=payload.areas,
        risk_group=payload.risk_group,
        pool_size=payload.pool_size,
        accept_slow_cadence=payload.accept_slow_cadence,
    )
    key = f"api:{user.pk}:{payload.idempotency_key}" if payload.idempotency_key else None
    testing_round, created = services.create_round(by=user, unit=unit, plan=plan, idempotency_key=key)
    return (201 if created else 200), _round_detail(user, testing_round.pk)


def _round_detail(user: Any, pk: int) -> dict[str, Any]:
    testing_round = selectors.round_for(user, pk)
    return {
        **_round(testing_round),
        "sessions": [_session(s) for s in selectors.sessions_of(user, testing_round)],
    }


@router.get(
    "/rounds/{pk}", url_name="diagnostics_round", response=RoundDetailOut, summary="A round and its sessions"
)
def get_round(request: HttpRequest, pk: int) -> dict[str, Any]:
    _require_reader(request.user)
    return _round_detail(request.user, pk)


@router.post(
    "/rounds/{pk}/close", url_name="diagnostics_round_close", response=RoundDetailOut, summary="Close a round"
)
def close_round(request: HttpRequest, pk: int, payload: CloseIn) -> dict[str, Any]:
    user = request.user
    _require_reader(user)
    testing_round = selectors.round_for(user, pk)
    services.close_round(by=user, testing_round=testing_round, version=payload.version)
    return _round_detail(user, pk)


# Samples and results -----------------------------------------------------------------------------------


@router.post(
    "/samples",
    url_name="diagnostics_samples",
    response={200: SampleOut, 201: SampleOut},
    summary="Register a sample (201; 200 when the same swab was already registered)",
)
def register_sample(request: HttpRequest, payload: SampleIn) -> tuple[int, dict[str, Any]]:
    user = request.user
    if not paths_of(user, Perm.SAMPLE):
        raise NotPermitted()
    session = selectors.session_for(user, payload.session) if payload.session else None
    data = services.SampleInput(
        code=payload.code,
        cccd=payload.cccd,
        collected_at=_aware(payload.collected_at, "collected_at"),
        place=payload.place,
        team=payload.team,
        lab_code=payload.lab,
        method=payload.method,
        pool_code=payload.pool_code,
    )
    sample, created = services.register_sample(by=user, data=data, session=session)
    return (201 if created else 200), _sample(selectors.sample_for(user, sample.pk))


@router.post(
    "/samples/{pk}/result",
    url_name="diagnostics_sample_result",
    response=ResultOut,
    summary="Record a result",
)
def record_result(request: HttpRequest, pk: int, payload: ResultIn) -> dict[str, Any]:
    user = request.user
    if not selectors.is_result_reader(user):
        raise NotPermitted()
    sample = selectors.sample_for(user, pk)
    change = services.record_result(
        by=user,
        sample=sample,
        outcome=payload.outcome,
        resulted_at=_aware(payload.resulted_at, "resulted_at"),
        lab_code=payload.lab,
        version=payload.version,
    )
    return {"change": change.value, "sample": _sample(selectors.sample_for(user, pk))}


@router.post(
    "/pools/{pk}/result",
    url_name="diagnostics_pool_result",
    response=PoolResultOut,
    summary="Record a pool's result for all its members (positive: individual retests)",
)
def record_pool_result(request: HttpRequest, pk: int, payload: ResultIn) -> dict[str, Any]:
    user = request.user
    if not selectors.is_result_reader(user):
        raise NotPermitted()
    pool = selectors.pool_for(user, pk)
    result = services.record_pool_result(
        by=user,
        pool=pool,
        outcome=payload.outcome,
        resulted_at=_aware(payload.resulted_at, "resulted_at"),
        lab_code=payload.lab,
    )
    return {
        "change": result.change.value,
        "members_changed": result.members_changed,
        "retests_requested": result.retests_requested,
    }


@router.get(
    "/people/{person_id}/samples",
    url_name="diagnostics_person_samples",
    response=list[SampleOut],
    summary="A person's samples and results, newest first (404 outside your area)",
)
def person_samples(request: HttpRequest, person_id: str) -> list[dict[str, Any]]:
    _person, samples = selectors.samples_of_person(request.user, person_id)
    return [_sample(sample) for sample in samples]
