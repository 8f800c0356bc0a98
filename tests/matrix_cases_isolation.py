"""The isolation rows of the authorization matrix: orders, their transitions, daily checks, worklists.

Objects (built lazily by `build_cases_isolation`), all of Bồ Đề's Tổ dân phố 1, ordered by Bồ Đề's health
worker:
- an F1 isolated at home since two days ago (read, released early with a reason, cancelled, checked);
- an F2 isolated at home since eight days ago, whose 7 days are over (moved to monitoring);
- a resident with no order (the one the create rows order isolated).
Officials who order isolation covering Bồ Đề act (city, Long Biên, Bồ Đề's ward officer and health
worker); Phúc Xá's ward officer orders isolation elsewhere and gets 404 for Bồ Đề's orders, 200 for the
lists (empty for them) and, by CCCD, the same 422 as for someone unknown; roles without the capability
get 403. Anonymous pages redirect to sign-in; the API answers 401.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

ISOLATORS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de", "health_worker_bo_de"}
OUTSIDE = {"ward_officer_phuc_xa"}
AREA = "00139-TDP01"
CCCD_WITHOUT_ORDER = "001085077003"


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    """The status named for each persona in `ok`; `other` (no isolation capability) for the rest."""
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


@dataclass
class IsolationObjects:
    f1: Any  # an open F1 order at home, started two days ago (version 1)
    f2: Any  # an open F2 order at home whose isolation is over (version 1)
    free: Any  # a resident without an order


def build_cases_isolation(request: Any) -> IsolationObjects:
    from phaodai.cases import isolation
    from phaodai.core.clock import now
    from phaodai.people import services as people
    from phaodai.territory import selectors as territory

    city = request.getfixturevalue("city_commander")
    health = request.getfixturevalue("health_worker_bo_de")
    area = territory.area_by_code(AREA)

    def resident(serial: int, name: str) -> Any:
        return people.register_person(
            by=city, cccd=f"0010850770{serial:02d}", full_name=name, birth_date=date(1985, 5, serial),
            sex="M", phone=None, residence_area=area,
        )  # fmt: skip

    moment = now()
    f1, _ = isolation.order_isolation(
        by=health, person=resident(1, "Lê Văn Cường"), subject="F1", setting="home",
        starts_at=moment - timedelta(days=2),
    )  # fmt: skip
    f2, _ = isolation.order_isolation(
        by=health, person=resident(2, "Phạm Văn Dũng"), subject="F2", setting="home",
        starts_at=moment - timedelta(days=8),
    )  # fmt: skip
    return IsolationObjects(f1=f1, f2=f2, free=resident(3, "Hoàng Văn Giang"))


def _yesterday() -> str:
    """Yesterday in Hà Nội when the matrix is loaded: a day of the F1's order (which began two days ago)."""
    from phaodai.core.clock import local_date, now

    return (local_date(now()) - timedelta(days=1)).isoformat()


def cases_isolation_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class. Every path is a callable of the world, so that the objects
    above exist for every row (the create rows order the resident without an order)."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("cases_isolation")
            return path.format(f1=o.f1.pk, f2=o.f2.pk, free=o.free.pk)

        return url

    def page(ok: int, *, outside: int = 404) -> dict[str, int]:
        return statuses({**each(OUTSIDE, outside), **each(ISOLATORS, ok)}, anon=302)

    def api(ok: int, *, outside: int = 404) -> dict[str, int]:
        return statuses({**each(OUTSIDE, outside), **each(ISOLATORS, ok)}, anon=401)

    yesterday = _yesterday()
    release = {"decision": "15/QĐ-UBND", "reason": "Ordered by mistake for the wrong day", "version": 1}
    check = {"day": yesterday, "result": "well"}
    return {
        # pages
        "cases:isolation": [
            req(w("/cases/isolation/"), page(200, outside=200)),
            req(w("/cases/isolation/?status=released"), page(200, outside=200)),
        ],
        "cases:isolation_new": [
            req(w("/cases/isolation/new/"), page(200, outside=200)),
            req(w("/cases/isolation/new/?person={free}"), page(200)),
            req(
                w("/cases/isolation/new/"),
                page(302, outside=422),
                method="post",
                data={"cccd": CCCD_WITHOUT_ORDER, "subject": "F1", "setting": "home"},
            ),
        ],
        "cases:isolation_order": [req(w("/cases/isolation/{f1}/"), page(200))],
        "cases:isolation_monitoring": [
            req(w("/cases/isolation/{f2}/monitoring/"), page(302), method="post", data={"version": 1})
        ],
        "cases:isolation_release": [
            req(w("/cases/isolation/{f1}/release/"), page(302), method="post", data=release)
        ],
        "cases:isolation_cancel": [
            req(
                w("/cases/isolation/{f1}/cancel/"),
                page(302),
                method="post",
                data={"reason": "Duplicate", "version": 1},
            )
        ],
        "cases:isolation_follow_up": [
            req(w("/cases/isolation/{f1}/follow-up/"), page(200)),
            req(w("/cases/isolation/{f1}/follow-up/"), page(302), method="post", data=check),
        ],
        "cases:isolation_worklist": [
            req(w("/cases/isolation/worklist/"), page(200, outside=200)),
            req(w(f"/cases/isolation/worklist/?area={AREA}"), page(200)),
        ],
        "cases:isolation_worklist_print": [
            req(w("/cases/isolation/worklist/print/"), page(200, outside=200))
        ],
        "cases:isolation_lost": [req(w("/cases/isolation/lost/"), page(200, outside=200))],
        # API
        "api-v1:isolation_orders": [
            req(w("/api/v1/isolation/orders"), api(200, outside=200)),
            req(
                w("/api/v1/isolation/orders"),
                api(201, outside=422),
                method="post",
                json=True,
                data={"cccd": CCCD_WITHOUT_ORDER, "subject": "F1", "setting": "home"},
            ),
        ],
        "api-v1:isolation_order": [req(w("/api/v1/isolation/orders/{f1}"), api(200))],
        "api-v1:isolation_order_monitoring": [
            req(
                w("/api/v1/isolation/orders/{f2}/monitoring"),
                api(200),
                method="post",
                json=True,
                data={"version": 1},
            )
        ],
        "api-v1:isolation_order_release": [
            req(w("/api/v1/isolation/orders/{f1}/release"), api(200), method="post", json=True, data=release)
        ],
        "api-v1:isolation_order_cancel": [
            req(
                w("/api/v1/isolation/orders/{f1}/cancel"),
                api(200),
                method="post",
                json=True,
                data={"reason": "Duplicate"},
            )
        ],
        "api-v1:isolation_follow_ups": [
            req(w("/api/v1/isolation/orders/{f1}/follow-ups"), api(200)),
            req(
                w("/api/v1/isolation/orders/{f1}/follow-ups"), api(201), method="post", json=True, data=check
            ),
        ],
        "api-v1:isolation_worklist": [
            req(w("/api/v1/isolation/worklist"), api(200, outside=200)),
            req(w(f"/api/v1/isolation/worklist?area={AREA}"), api(200)),
        ],
        "api-v1:isolation_lost": [req(w("/api/v1/isolation/lost"), api(200, outside=200))],
        "api-v1:isolation_counts": [req(w("/api/v1/isolation/counts"), api(200, outside=200))],
    }
