"""The testing rows of the authorization matrix: rounds, sessions, samples, results, worklists, API.

Objects (built lazily by `build_diagnostics`): CDC Hà Nội; a pooled round (pools of 5, daily) over the
world's Bồ Đề area 00139-TDP01 planned by Bồ Đề's ward officer from two days ago to three days ahead; the
world's resident swabbed into pool MX-POOL-1 at its first session, and once more alone by PCR.
Planners (`diagnostics.plan`: city, Long Biên, the ward officers) plan and close; samplers (planners and
Bồ Đề's health worker) register samples and read results in their area; the lab technician (city) enters
PCR and pool results and reads results, but not rounds. Phúc Xá's officer plans and samples elsewhere:
404 on Bồ Đề's objects, 200 on lists of their own unit, 422 for a CCCD not of their area (as for one
nobody holds). Other roles get 403; anonymous pages redirect (302), the API answers 401.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

PLANNERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de"}
SAMPLERS = PLANNERS | {"health_worker_bo_de"}
LAB = {"lab_tech_cdc"}
OUTSIDE = {"ward_officer_phuc_xa"}
CCCD = "001085012345"  # the world's resident of Bồ Đề (tests/test_authorization_matrix.py)


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    """The status named for each persona in `ok`; `other` (no testing capability) for the rest."""
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


@dataclass
class DiagnosticsObjects:
    round: Any
    session: Any
    pool: Any
    sample: Any


def build_diagnostics(request: Any) -> DiagnosticsObjects:
    from datetime import time

    from phaodai.core.clock import at_local, local_date, now
    from phaodai.diagnostics import services
    from phaodai.diagnostics.models import Lab
    from phaodai.territory import selectors as territory

    ward = request.getfixturevalue("ward_officer_bo_de")
    health = request.getfixturevalue("health_worker_bo_de")
    area = territory.area_by_code("00139-TDP01")
    assert area is not None
    city = territory.city()
    Lab.objects.get_or_create(code="CDC-HN", defaults={"name": "CDC Hà Nội", "unit": city, "path": city.path})
    today = local_date(now())
    plan = services.RoundPlan(
        name="Sàng lọc TDP1", target="areas", method="pcr_pooled", pool_size=5, cadence_days=1,
        starts_on=today - timedelta(days=2), ends_on=today + timedelta(days=3), area_codes=[area.code],
    )  # fmt: skip
    testing_round, _ = services.create_round(by=ward, unit=area.ward, plan=plan)
    session = testing_round.sessions.order_by("day").first()
    taken = at_local(today - timedelta(days=2), time(9, 0))
    pooled, _ = services.register_sample(
        by=health,
        data=services.SampleInput(code="MX-POOLED-1", cccd=CCCD, collected_at=taken, pool_code="MX-POOL-1"),
        session=session,
    )
    single, _ = services.register_sample(
        by=health,
        data=services.SampleInput(
            code="MX-SINGLE-1", cccd=CCCD, collected_at=taken, method="pcr", lab_code="CDC-HN"
        ),
    )
    return DiagnosticsObjects(testing_round, session, pooled.pool, single)


def _result_times() -> tuple[str, str]:
    """A result time an hour ago, as the page's datetime-local and as ISO 8601 with its offset."""
    from phaodai.core.clock import now, to_local

    moment = to_local(now() - timedelta(hours=1))
    return moment.strftime("%Y-%m-%dT%H:%M"), moment.replace(microsecond=0).isoformat()


def diagnostics_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""
    from phaodai.core.clock import local_date, now

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            built = world.lazy("diagnostics")
            return path.format(
                round=built.round.pk, session=built.session.pk, pool=built.pool.pk, sample=built.sample.pk,
                person=world.bo_de_person.pk,
            )  # fmt: skip

        return url

    page_result, api_result = _result_times()
    today = local_date(now())
    readers = SAMPLERS | OUTSIDE
    result_readers = readers | LAB
    on_bo_de = {**each(OUTSIDE, 404), **each(SAMPLERS, 200)}
    results_on_bo_de = {**on_bo_de, **each(LAB, 200)}
    planning_on_bo_de = {**each(OUTSIDE, 404), **each(PLANNERS, 200)}
    lab_enters = {**each(OUTSIDE, 404), **each(SAMPLERS, 403)}
    round_form = {
        "token": "matrix", "name": "Sàng lọc", "unit": "00139", "target": "areas", "areas": ["00139-TDP01"],
        "method": "pcr", "cadence_days": "3", "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=6)).isoformat(),
    }  # fmt: skip
    sample_form = {"code": "MX-NEW-1", "cccd": CCCD, "collected_at": page_result, "method": "pcr"}
    sample_body = {"code": "MX-NEW-2", "cccd": CCCD, "collected_at": api_result, "method": "pcr"}
    round_body = {
        "unit": "00139", "name": "Sàng lọc", "target": "areas", "areas": ["00139-TDP01"], "method": "pcr",
        "cadence_days": 3, "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=6)).isoformat(),
    }  # fmt: skip
    return {
        # pages
        "diagnostics:home": [req("/diagnostics/", statuses(each(result_readers, 200), anon=302))],
        "diagnostics:round_new": [
            req("/diagnostics/rounds/new/", statuses(each(PLANNERS | OUTSIDE, 200), anon=302)),
            # Phúc Xá's officer cannot choose Bồ Đề: not among the units offered (422 beside the field).
            req(
                "/diagnostics/rounds/new/",
                statuses({**each(OUTSIDE, 422), **each(PLANNERS, 302)}, anon=302),
                method="post",
                data=round_form,
            ),
        ],
        "diagnostics:round": [req(w("/diagnostics/rounds/{round}/"), statuses(on_bo_de, anon=302))],
        "diagnostics:round_close": [
            req(
                w("/diagnostics/rounds/{round}/close/"),
                statuses({**lab_enters, **each(PLANNERS, 302)}, anon=302),
                method="post",
                data={"version": "1"},
            )
        ],
        "diagnostics:round_targets": [
            req(
                w("/diagnostics/rounds/{round}/targets/"),
                statuses({**planning_on_bo_de, "health_worker_bo_de": 403}, anon=302),
            ),
            req(
                w("/diagnostics/rounds/{round}/targets/"),
                statuses({**planning_on_bo_de, "health_worker_bo_de": 403}, anon=302),
                method="post",
                data={"cccds": CCCD},
            ),
        ],
        "diagnostics:session": [req(w("/diagnostics/sessions/{session}/"), statuses(on_bo_de, anon=302))],
        "diagnostics:sample_new": [
            req("/diagnostics/samples/new/", statuses(each(readers, 200), anon=302)),
            req(w("/diagnostics/samples/new/?session={session}"), statuses(on_bo_de, anon=302)),
            req(
                "/diagnostics/samples/new/",
                statuses({**each(OUTSIDE, 422), **each(SAMPLERS, 302)}, anon=302),
                method="post",
                data=sample_form,
            ),
        ],
        "diagnostics:sample": [
            req(w("/diagnostics/samples/{sample}/"), statuses(results_on_bo_de, anon=302))
        ],
        "diagnostics:sample_result": [
            req(
                w("/diagnostics/samples/{sample}/result/"),
                statuses({**lab_enters, **each(LAB, 302)}, anon=302),
                method="post",
                data={"outcome": "negative", "resulted_at": page_result, "version": "1"},
            )
        ],
        "diagnostics:pool": [req(w("/diagnostics/pools/{pool}/"), statuses(results_on_bo_de, anon=302))],
        "diagnostics:pool_result": [
            req(
                w("/diagnostics/pools/{pool}/result/"),
                statuses({**lab_enters, **each(LAB, 302)}, anon=302),
                method="post",
                data={"outcome": "positive", "resulted_at": page_result},
            )
        ],
        "diagnostics:results": [
            req("/diagnostics/results/", statuses(each(result_readers, 200), anon=302)),
            req(
                w("/diagnostics/results/?code=MX-SINGLE-1"),
                statuses({**each(OUTSIDE, 404), **each(SAMPLERS | LAB, 302)}, anon=302),
            ),
        ],
        "diagnostics:retests": [req("/diagnostics/retests/", statuses(each(readers, 200), anon=302))],
        "diagnostics:positives": [req("/diagnostics/positives/", statuses(each(readers, 200), anon=302))],
        "diagnostics:turnaround": [
            req("/diagnostics/turnaround/", statuses(each(result_readers, 200), anon=302)),
            req(
                "/diagnostics/turnaround/?first=2021-09-01&last=2021-09-30",
                statuses(each(result_readers, 200), anon=302),
            ),
        ],
        # API
        "api-v1:diagnostics_rounds": [
            req("/api/v1/diagnostics/rounds", statuses(each(readers, 200), anon=401)),
            req(
                "/api/v1/diagnostics/rounds",
                statuses({**each(OUTSIDE, 404), **each(PLANNERS, 201)}, anon=401),
                method="post",
                data=round_body,
                json=True,
            ),
        ],
        "api-v1:diagnostics_round": [
            req(w("/api/v1/diagnostics/rounds/{round}"), statuses(on_bo_de, anon=401))
        ],
        "api-v1:diagnostics_round_close": [
            req(
                w("/api/v1/diagnostics/rounds/{round}/close"),
                statuses({**lab_enters, **each(PLANNERS, 200)}, anon=401),
                method="post",
                data={"version": 1},
                json=True,
            )
        ],
        "api-v1:diagnostics_samples": [
            req(
                "/api/v1/diagnostics/samples",
                statuses({**each(OUTSIDE, 422), **each(SAMPLERS, 201)}, anon=401),
                method="post",
                data=sample_body,
                json=True,
            )
        ],
        "api-v1:diagnostics_sample_result": [
            req(
                w("/api/v1/diagnostics/samples/{sample}/result"),
                statuses({**lab_enters, **each(LAB, 200)}, anon=401),
                method="post",
                data={"outcome": "negative", "resulted_at": api_result},
                json=True,
            )
        ],
        "api-v1:diagnostics_pool_result": [
            req(
                w("/api/v1/diagnostics/pools/{pool}/result"),
                statuses({**lab_enters, **each(LAB, 200)}, anon=401),
                method="post",
                data={"outcome": "positive", "resulted_at": api_result},
                json=True,
            )
        ],
        # Labs enter results but read no persons: a person's page is 404 to them, as to another ward.
        "api-v1:diagnostics_person_samples": [
            req(
                w("/api/v1/diagnostics/people/{person}/samples"),
                statuses({**each(OUTSIDE | LAB, 404), **each(SAMPLERS, 200)}, anon=401),
            )
        ],
    }
