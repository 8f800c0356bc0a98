"""The authorization matrix: every URL pattern, every persona, the answer each must get.

A URL pattern that is not listed here fails the build, so a new page or endpoint cannot ship without
saying who may use it. Objects belong to Bồ Đề (ward 00139, Long Biên 004) unless named otherwise.
Statuses: 200/201/204 allowed, 302 redirect (to sign-in for anonymous pages), 401 API without
credentials, 403 role lacks the permission, 404 outside jurisdiction (or does not exist).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.matrix_business import build_business, business_matrix
from tests.matrix_cases_api import build_cases_api, cases_api_matrix
from tests.matrix_cases_isolation import build_cases_isolation, cases_isolation_matrix
from tests.matrix_cases_lockdowns import build_cases_lockdowns, cases_lockdowns_matrix
from tests.matrix_cases_recording import build_cases_recording, cases_recording_matrix
from tests.matrix_cases_tracing import build_cases_tracing, cases_tracing_matrix
from tests.matrix_checkpoint_verifier import build_checkpoint_verifier, checkpoint_verifier_matrix
from tests.matrix_checkpoints import build_checkpoints, checkpoints_matrix
from tests.matrix_command_bodies import build_command_bodies, command_bodies_matrix
from tests.matrix_command_tasks import build_command_tasks, command_tasks_matrix
from tests.matrix_community import build_community, community_matrix
from tests.matrix_declarations import build_declarations, declarations_matrix
from tests.matrix_diagnostics import build_diagnostics, diagnostics_matrix
from tests.matrix_diagnostics_imports import build_diagnostics_imports, diagnostics_imports_matrix
from tests.matrix_inspections_api import build_inspections_api, inspections_api_matrix
from tests.matrix_inspections_pages import build_inspections_pages, inspections_pages_matrix
from tests.matrix_markets_allocation import build_markets_allocation, markets_allocation_matrix
from tests.matrix_markets_gate import build_markets_gate, markets_gate_matrix
from tests.matrix_markets_prices import build_markets_prices, markets_prices_matrix
from tests.matrix_markets_registry import build_markets_registry, markets_registry_matrix
from tests.matrix_passes_api import build_passes_api, passes_api_matrix
from tests.matrix_permits import build_permits, permits_matrix
from tests.matrix_personas import ANON, PERSONAS
from tests.matrix_quarantine import build_quarantine, quarantine_matrix
from tests.matrix_relief import build_relief, relief_matrix
from tests.matrix_sitreps_api import build_sitreps_api, sitreps_api_matrix
from tests.matrix_sitreps_pages import build_sitreps_pages, sitreps_pages_matrix
from tests.matrix_vaccination import build_vaccination, vaccination_matrix
from tests.matrix_vaccination_imports import build_vaccination_imports, vaccination_imports_matrix
from tests.matrix_vehicles import build_vehicles, vehicles_matrix
from tests.matrix_welfare import build_welfare, welfare_matrix
from tests.matrix_welfare_api import build_welfare_api, welfare_api_matrix
from tests.matrix_zoning import build_zoning, public_matrix, zoning_matrix

EVERYONE = [ANON, *PERSONAS]

# Who may change Bồ Đề's areas, and who does not even cover Bồ Đề (so gets 404, not 403).
AREA_EDITORS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de"}
NOT_COVERING_BO_DE = {"ward_officer_phuc_xa", "checkpoint_officer_ql6"}
# Who may read Bồ Đề's persons.
PERSON_READERS = {
    "city_commander",
    "district_officer_long_bien",
    "ward_officer_bo_de",
    "health_worker_bo_de",
    "welfare_officer_bo_de",
}
PERSON_WRITERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de", "health_worker_bo_de"}
# Readers of persons somewhere, but not in Bồ Đề: they get 404 for a Bồ Đề person.
PERSON_READERS_ELSEWHERE = {"ward_officer_phuc_xa"}
BO_DE_CCCD = "001085012345"


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(EVERYONE, status)


def signed_in(status: int, *, anon: int = 302) -> dict[str, int]:
    return {ANON: anon, **dict.fromkeys(PERSONAS, status)}


def scoped(allowed: set[str], ok: int, *, anon: int, elsewhere: set[str]) -> dict[str, int]:
    """`ok` for the allowed personas, 404 for those acting only elsewhere, 403 for the rest."""
    result = {ANON: anon}
    for persona in PERSONAS:
        result[persona] = ok if persona in allowed else 404 if persona in elsewhere else 403
    return result


def area_editing(ok: int, *, anon: int = 302) -> dict[str, int]:
    return scoped(AREA_EDITORS, ok, anon=anon, elsewhere=NOT_COVERING_BO_DE)


def person_reading(ok: int, *, anon: int = 302) -> dict[str, int]:
    return scoped(PERSON_READERS, ok, anon=anon, elsewhere=PERSON_READERS_ELSEWHERE)


def person_searching(ok: int, *, anon: int = 302) -> dict[str, int]:
    """Search pages are not about one object: anyone who may read persons somewhere gets them."""
    return scoped(PERSON_READERS | PERSON_READERS_ELSEWHERE, ok, anon=anon, elsewhere=set())


def person_writing(ok: int, *, anon: int = 302) -> dict[str, int]:
    return scoped(PERSON_WRITERS, ok, anon=anon, elsewhere=PERSON_READERS_ELSEWHERE)


def person_form(area_code: str = "00139-TDP01") -> dict[str, Any]:
    return {
        "cccd": "001190054321", "full_name": "Trần Thị Bình", "birth_date": "1990-07-15", "sex": "F",
        "phone": "0987654321", "residence_area": area_code,
    }  # fmt: skip


@dataclass
class World:
    """The objects the matrix requests are about."""

    bo_de_area: Any
    phuc_xa_area: Any
    bo_de_person: Any
    # Zoning objects are built on first use: only zoning cases pay for a round and a draft table.
    build_zoning: Callable[[], Any] | None = None
    _zoning: Any = None
    # Other apps' objects, built on first use by name (`world.lazy("sitreps")`).
    builders: dict[str, Callable[[], Any]] = field(default_factory=dict)
    _built: dict[str, Any] = field(default_factory=dict)

    def lazy(self, name: str) -> Any:
        if name not in self._built:
            self._built[name] = self.builders[name]()
        return self._built[name]

    @property
    def zoning(self) -> Any:
        if self._zoning is None:
            assert self.build_zoning is not None
            self._zoning = self.build_zoning()
        return self._zoning

    def person_url(self, suffix: str = "") -> str:
        return f"/people/{self.bo_de_person.pk}/{suffix}"


@dataclass(frozen=True)
class Req:
    path: str | Callable[[World], str]
    expect: dict[str, int]
    method: str = "get"
    data: dict[str, Any] | None = None
    json: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    def url(self, world: World) -> str:
        return self.path(world) if callable(self.path) else self.path


def area_form(name: str = "Tổ dân phố 99") -> dict[str, Any]:
    return {"local_code": "TDP99", "name": name, "kind": "to_dan_pho", "population": 900, "households": 250}


MATRIX: dict[str, list[Req]] = {
    # accounts
    # A business's representative has their businesses as home (redirected there).
    "accounts:home": [Req("/", {**signed_in(200), "business_rep_bo_de": 302})],
    "accounts:login": [Req("/login/", {ANON: 200, **dict.fromkeys(PERSONAS, 302)})],
    "accounts:logout": [Req("/logout/", everyone(302), method="post")],
    "set_language": [Req("/i18n/setlang/", everyone(302), method="post", data={"language": "en"})],
    # territory pages: reading is public, changing is scoped
    "territory:browse": [Req("/territory/", everyone(200)), Req("/territory/?q=bo+de", everyone(200))],
    "territory:unit": [
        Req("/territory/004/", everyone(200)),
        Req("/territory/00139/", everyone(200)),
        Req("/territory/99999/", everyone(404)),
    ],
    "territory:area_add": [
        Req("/territory/00139/areas/add/", area_editing(200)),
        Req("/territory/00139/areas/add/", area_editing(302), method="post", data=area_form()),
    ],
    "territory:area_edit": [
        Req("/territory/00139/areas/TDP01/edit/", area_editing(200)),
        Req(
            "/territory/00139/areas/TDP01/edit/",
            area_editing(302),
            method="post",
            data={**area_form("Tổ dân phố 1 mới"), "local_code": "TDP01"},
        ),
    ],
    "territory:area_deactivate": [
        Req("/territory/00139/areas/TDP01/deactivate/", area_editing(302), method="post"),
    ],
    "territory:area_import": [Req("/territory/00139/areas/import/", area_editing(200))],
    "territory:import_result": [Req("/territory/00139/areas/import/result/", area_editing(302))],
    "territory:import_report": [Req("/territory/00139/areas/import/report.csv", area_editing(302))],
    # API: auth
    "api-v1:api-root": [Req("/api/v1/", everyone(404))],
    "api-v1:openapi-json": [Req("/api/v1/openapi.json", everyone(200))],
    "api-v1:openapi-view": [Req("/api/v1/docs", everyone(200))],
    "api-v1:create_token": [
        Req(
            "/api/v1/auth/token",
            everyone(401),
            method="post",
            json=True,
            data={"username": "x", "password": "y"},
        )
    ],
    "api-v1:me": [Req("/api/v1/auth/me", signed_in(200, anon=401))],
    "api-v1:revoke": [Req("/api/v1/auth/token/revoke", signed_in(204, anon=401), method="post")],
    # API: territory
    "api-v1:get_unit": [Req("/api/v1/territory/units/004", everyone(200))],
    "api-v1:list_areas": [Req("/api/v1/territory/units/00139/areas", everyone(200))],
    "api-v1:create_area": [
        Req(
            "/api/v1/territory/units/00139/areas",
            area_editing(201, anon=401),
            method="post",
            json=True,
            data=area_form(),
        ),
    ],
    "api-v1:update_area": [
        Req(
            "/api/v1/territory/areas/00139-TDP01",
            area_editing(200, anon=401),
            method="patch",
            json=True,
            data={"population": 1300},
        ),
    ],
}

MATRIX.update({
    # people pages: everything is scoped; the registry is never public
    "people:search": [
        Req("/people/", person_searching(200)),
        Req("/people/?q=nguyen", person_searching(200)),
        # A CCCD look-up finds the person in scope (redirect to the page), and says "not found" elsewhere.
        Req("/people/", {**person_searching(200), **dict.fromkeys(PERSON_READERS, 302)}, method="post",
            data={"cccd": BO_DE_CCCD}),
    ],
    "people:register": [
        # The form is not about one object: anyone who may register persons somewhere gets it.
        Req("/people/register/", {**person_writing(200), "ward_officer_phuc_xa": 200}),
        # Phúc Xá's officer may register, but not into a Bồ Đề area: the form refuses the choice.
        Req("/people/register/", {**person_writing(302), "ward_officer_phuc_xa": 200}, method="post",
            data=person_form()),
    ],
    "people:detail": [Req(lambda w: w.person_url(), person_reading(200))],
    "people:edit": [
        Req(lambda w: w.person_url("edit/"), {**person_writing(200), "welfare_officer_bo_de": 403}),
    ],
    # people API: the same rules, 401 without credentials
    "api-v1:register": [
        Req("/api/v1/people", person_writing(201, anon=401), method="post", json=True, data=person_form()),
    ],
    "api-v1:search": [Req("/api/v1/people?q=nguyen", person_searching(200, anon=401))],
    "api-v1:lookup": [
        Req("/api/v1/people/lookup", {**person_reading(200, anon=401), "ward_officer_phuc_xa": 404},
            method="post", json=True, data={"cccd": BO_DE_CCCD}),
    ],
    "api-v1:detail": [Req(lambda w: f"/api/v1/people/{w.bo_de_person.pk}", person_reading(200, anon=401))],
})  # fmt: skip

MATRIX.update(zoning_matrix(Req))
MATRIX.update(public_matrix(Req))
# Apps with their own matrix module add (name -> builder of their objects) here and update MATRIX.
LAZY_BUILDERS: dict[str, Callable[[Any], Any]] = {}
LAZY_BUILDERS["command_tasks"] = build_command_tasks
MATRIX.update(command_tasks_matrix(Req))
LAZY_BUILDERS["sitreps_pages"] = build_sitreps_pages
LAZY_BUILDERS["command_bodies"] = build_command_bodies
LAZY_BUILDERS["sitreps_api"] = build_sitreps_api
MATRIX.update(sitreps_api_matrix(Req))
MATRIX.update(command_bodies_matrix(Req))
MATRIX.update(sitreps_pages_matrix(Req))
LAZY_BUILDERS["business"] = build_business
MATRIX.update(business_matrix(Req))
LAZY_BUILDERS["quarantine"] = build_quarantine
MATRIX.update(quarantine_matrix(Req))
LAZY_BUILDERS["cases_tracing"] = build_cases_tracing
MATRIX.update(cases_tracing_matrix(Req))
LAZY_BUILDERS["cases_api"] = build_cases_api
MATRIX.update(cases_api_matrix(Req))
LAZY_BUILDERS["cases_isolation"] = build_cases_isolation
MATRIX.update(cases_isolation_matrix(Req))
LAZY_BUILDERS["cases_lockdowns"] = build_cases_lockdowns
MATRIX.update(cases_lockdowns_matrix(Req))
LAZY_BUILDERS["cases_recording"] = build_cases_recording
MATRIX.update(cases_recording_matrix(Req))
LAZY_BUILDERS["inspections_pages"] = build_inspections_pages
MATRIX.update(inspections_pages_matrix(Req))
LAZY_BUILDERS["inspections_api"] = build_inspections_api
MATRIX.update(inspections_api_matrix(Req))
LAZY_BUILDERS["vaccination"] = build_vaccination
LAZY_BUILDERS["diagnostics"] = build_diagnostics
MATRIX.update(diagnostics_matrix(Req))
LAZY_BUILDERS["diagnostics_imports"] = build_diagnostics_imports
MATRIX.update(diagnostics_imports_matrix(Req))
MATRIX.update(vaccination_matrix(Req))
LAZY_BUILDERS["vaccination_imports"] = build_vaccination_imports
MATRIX.update(vaccination_imports_matrix(Req))
LAZY_BUILDERS["checkpoints"] = build_checkpoints
MATRIX.update(checkpoints_matrix(Req))
LAZY_BUILDERS["permits"] = build_permits
MATRIX.update(permits_matrix(Req))
LAZY_BUILDERS["declarations"] = build_declarations
MATRIX.update(declarations_matrix(Req))
LAZY_BUILDERS["vehicles"] = build_vehicles
MATRIX.update(vehicles_matrix(Req))
LAZY_BUILDERS["passes_api"] = build_passes_api
MATRIX.update(passes_api_matrix(Req))
LAZY_BUILDERS["checkpoint_verifier"] = build_checkpoint_verifier
MATRIX.update(checkpoint_verifier_matrix(Req))
LAZY_BUILDERS["markets_registry"] = build_markets_registry
MATRIX.update(markets_registry_matrix(Req))
LAZY_BUILDERS["markets_allocation"] = build_markets_allocation
MATRIX.update(markets_allocation_matrix(Req))
LAZY_BUILDERS["markets_gate"] = build_markets_gate
MATRIX.update(markets_gate_matrix(Req))
LAZY_BUILDERS["markets_prices"] = build_markets_prices
MATRIX.update(markets_prices_matrix(Req))
LAZY_BUILDERS["welfare"] = build_welfare
MATRIX.update(welfare_matrix(Req))
LAZY_BUILDERS["welfare_api"] = build_welfare_api
MATRIX.update(welfare_api_matrix(Req))
LAZY_BUILDERS["relief"] = build_relief
MATRIX.update(relief_matrix(Req))
LAZY_BUILDERS["community"] = build_community
MATRIX.update(community_matrix(Req))

# Admin pages are for system administrators (is_staff) only; no persona is staff.
ADMIN = [Req("/admin/", everyone(302)), Req("/admin/territory/unit/", everyone(302))]


def url_pattern_names() -> set[str]:
    """Every named URL pattern the project serves, admin collapsed to one entry."""
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                walk(pattern.url_patterns, f"{namespace}:{inner}".strip(":") if inner else namespace)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name or pattern.pattern}".strip(":")
                names.add("admin:*" if name.startswith("admin:") else name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_pattern_is_in_the_matrix():
    unlisted = url_pattern_names() - set(MATRIX) - {"admin:*"}
    assert not unlisted, f"add these URL patterns to the authorization matrix: {sorted(unlisted)}"


def test_the_matrix_lists_no_url_that_does_not_exist():
    assert set(MATRIX) - url_pattern_names() == set()


@pytest.fixture
def world(db, request, unit, city_commander) -> World:
    from phaodai.people import services as people
    from phaodai.territory import services as territory
    from phaodai.territory.rules import AreaRow

    bo_de_area, _ = territory.bulk_create_areas(
        ward=unit("00139"),
        rows=[
            AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 1200, 310),
            AreaRow("CC01", "Chung cư", "chung_cu", 800, 240),
        ],
    )
    phuc_xa_area = territory.bulk_create_areas(
        ward=unit("00001"), rows=[AreaRow("TDP01", "Tổ 1 Phúc Xá", "to_dan_pho", 500, 120)]
    )[0]
    bo_de_person = people.register_person(
        by=city_commander, cccd=BO_DE_CCCD, full_name="Nguyễn Văn An", birth_date=date(1985, 3, 2), sex="M",
        phone="0912345678", residence_area=bo_de_area,
    )  # fmt: skip
    return World(
        bo_de_area=bo_de_area,
        phuc_xa_area=phuc_xa_area,
        bo_de_person=bo_de_person,
        build_zoning=lambda: build_zoning(request),
        builders={name: functools.partial(build, request) for name, build in LAZY_BUILDERS.items()},
    )


CASES = [
    (name, index, persona)
    for name, reqs in MATRIX.items()
    for index in range(len(reqs))
    for persona in EVERYONE
]
CASES += [("admin:*", index, persona) for index in range(len(ADMIN)) for persona in EVERYONE]


@pytest.mark.parametrize(("name", "index", "persona"), CASES)
def test_each_persona_gets_the_answer_the_matrix_says(client, request, world, name, index, persona):
    req = (ADMIN if name == "admin:*" else MATRIX[name])[index]
    if persona != ANON:
        client.force_login(request.getfixturevalue(persona))
    call = getattr(client, req.method)
    if req.json:
        response = call(req.url(world), req.data or {}, content_type="application/json", headers=req.headers)
    else:
        response = call(req.url(world), req.data or {}, headers=req.headers)
    assert response.status_code == req.expect[persona], (
        f"{req.method.upper()} {req.url(world)} as {persona}: {response.status_code}, "
        f"expected {req.expect[persona]}"
    )
