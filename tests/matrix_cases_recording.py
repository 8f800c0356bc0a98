"""The case-recording rows of the authorization matrix: the page of the user's wards and starting one.

Objects (built lazily by `build_cases_recording`): Phúc Xá keeps its cases here since 01/09/2021.
Those who trace (city, Long Biên, the two ward officers, Bồ Đề's health worker) read the page of their
wards (200) and start Bồ Đề's recording (302 back to the page); Phúc Xá's officer is outside Bồ Đề
(404). Roles that do not trace get 403; anonymous pages redirect to the login.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

TRACERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de", "health_worker_bo_de"}
OUTSIDE = {"ward_officer_phuc_xa"}


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


def build_cases_recording(request: Any) -> Any:
    from phaodai.cases import recording
    from phaodai.core.clock import hanoi

    officer, unit = request.getfixturevalue("ward_officer_phuc_xa"), request.getfixturevalue("unit")
    made, _created = recording.start_recording(
        by=officer, ward=unit("00001"), since=date(2021, 9, 1), clock=lambda: hanoi(2021, 9, 1, 8)
    )
    return made


def cases_recording_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def page(world: Any) -> str:
        world.lazy("cases_recording")
        return "/cases/recording/"

    return {
        "cases:recording": [req(page, statuses(each(TRACERS | OUTSIDE, 200), anon=302))],
        "cases:recording_start": [
            req(
                "/cases/recording/00139/start/",
                statuses({**each(OUTSIDE, 404), **each(TRACERS, 302)}, anon=302),
                method="post",
                data={"00139-since": "01/09/2021"},
            )
        ],
    }
