"""Lockdown pages: the list, declaring (refusals beside the field), extending, lifting (conflicts shown)."""

from datetime import timedelta
from typing import Any

import pytest

from phaodai.cases import lockdowns
from phaodai.cases.models import Lockdown
from phaodai.cases.tests.conftest import at
from phaodai.core.clock import hanoi, now, to_local
from phaodai.people.tests.conftest import make_area

pytestmark = pytest.mark.django_db

LOCAL = "%Y-%m-%dT%H:%M"


def local(moment: Any) -> str:
    return f"{to_local(moment):{LOCAL}}"


def form(area: Any, **overrides: Any) -> dict[str, Any]:
    start = now().replace(second=0, microsecond=0) - timedelta(hours=1)
    fields = {
        "ward": "00139",
        "area": area.code,
        "scope": "building",
        "place": "Chung cư CT1",
        "reason": "3 ca F0 trong toà nhà.",
        "decision_number": "140/QĐ-UBND",
        "cluster": "",
        "starts_at": local(start),
        "planned_end_at": local(start + timedelta(days=14)),
        "people_inside": "350",
        "checkpoints": "Cổng chính\nCổng phụ\n",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def declared(ward_officer_bo_de: Any, bo_de_area: Any) -> Lockdown:
    start = now().replace(second=0, microsecond=0) - timedelta(days=2)
    return lockdowns.declare_lockdown(
        by=ward_officer_bo_de, area=bo_de_area, scope="area", reason="Ổ dịch", decision_number="120/QĐ-UBND",
        starts_at=start, planned_end_at=start + timedelta(days=14),
    )[0]  # fmt: skip


def test_a_ward_officer_declares_a_lockdown_from_the_page(
    client: Any, ward_officer_bo_de: Any, bo_de_area: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    page = client.get("/cases/lockdowns/new/")
    assert page.status_code == 200
    assert bo_de_area.code in page.content.decode()
    response = client.post("/cases/lockdowns/new/", form(bo_de_area))
    lockdown = Lockdown.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/lockdowns/{lockdown.pk}/"
    assert (lockdown.scope, lockdown.place, lockdown.people_inside) == ("building", "Chung cư CT1", 350)
    assert lockdown.checkpoints == ["Cổng chính", "Cổng phụ"]
    detail = client.get(response["Location"]).content.decode()
    assert "Chung cư CT1" in detail and "Lockdown declared; the ward and the district are told." in detail


def test_a_lockdown_ending_before_it_starts_is_shown_beside_the_field(
    client: Any, ward_officer_bo_de: Any, bo_de_area: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    start = now().replace(second=0, microsecond=0)
    response = client.post(
        "/cases/lockdowns/new/",
        form(bo_de_area, starts_at=local(start), planned_end_at=local(start - timedelta(days=1))),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_planned_end_at-errors"' in page
    assert "The planned end must be after the start." in page
    assert not Lockdown.objects.exists()


def test_a_building_without_its_name_is_refused(
    client: Any, ward_officer_bo_de: Any, bo_de_area: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    response = client.post("/cases/lockdowns/new/", form(bo_de_area, place=""))
    assert response.status_code == 422
    assert "Name the building or lane locked down." in response.content.decode()


def test_a_district_officer_chooses_the_ward_first(
    client: Any, district_officer_long_bien: Any, bo_de_area: Any
) -> None:
    ngoc_lam = make_area("00133", "TDP02", "Tổ dân phố 2 Ngọc Lâm")
    client.force_login(district_officer_long_bien)
    page = client.get("/cases/lockdowns/new/?ward=00133").content.decode()
    assert ngoc_lam.code in page and bo_de_area.code not in page
    assert client.get("/cases/lockdowns/new/?ward=00001").status_code == 404  # Phúc Xá, Ba Đình


def test_the_list_shows_lockdowns_in_force_first_in_a_few_queries(
    client: Any,
    declared: Lockdown,
    ward_officer_bo_de: Any,
    bo_de_area: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(5):
        lockdowns.declare_lockdown(
            by=ward_officer_bo_de, area=bo_de_area, scope="building", place=f"Nhà số {n}", reason="F0",
            decision_number=f"{n}/QĐ", starts_at=hanoi(2021, 9, 1), planned_end_at=hanoi(2021, 9, 15),
        )  # fmt: skip
    client.force_login(ward_officer_bo_de)
    with django_assert_max_num_queries(8):
        page = client.get("/cases/lockdowns/").content.decode()
    assert page.count("data-lockdown=") == 6
    assert page.index(f'data-lockdown="{declared.pk}"') < page.index("Nhà số 0")


def test_extending_and_lifting_from_the_page(
    client: Any, declared: Lockdown, ward_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    later = declared.planned_end_at + timedelta(days=7)
    response = client.post(
        f"/cases/lockdowns/{declared.pk}/extend/", {"planned_end_at": local(later), "version": "1"}
    )
    assert response.status_code == 302
    assert Lockdown.objects.get().planned_end_at == later
    lifted_at = now().replace(second=0, microsecond=0)
    response = client.post(
        f"/cases/lockdowns/{declared.pk}/lift/", {"ended_at": local(lifted_at), "version": "2"}
    )
    assert response.status_code == 302
    assert (Lockdown.objects.get().status, Lockdown.objects.get().ended_at) == ("lifted", lifted_at)
    detail = client.get(f"/cases/lockdowns/{declared.pk}/").content.decode()
    assert 'id="lift"' not in detail and 'data-status="lifted"' in detail


def test_lifting_twice_shows_the_conflict_and_the_lockdown_as_it_is(
    client: Any, declared: Lockdown, ward_officer_bo_de: Any
) -> None:
    ended = now().replace(second=0, microsecond=0)
    lockdowns.lift(by=ward_officer_bo_de, lockdown=declared, ended_at=ended, clock=at(ended))
    client.force_login(ward_officer_bo_de)
    response = client.post(
        f"/cases/lockdowns/{declared.pk}/lift/", {"ended_at": local(ended), "version": "1"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="conflict"' in page and "This lockdown was already lifted at" in page


def test_an_early_extension_is_shown_beside_its_field(
    client: Any, declared: Lockdown, ward_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    earlier = declared.planned_end_at - timedelta(days=1)
    response = client.post(f"/cases/lockdowns/{declared.pk}/extend/", {"planned_end_at": local(earlier)})
    assert response.status_code == 422
    assert "to end it sooner, lift it" in response.content.decode()


def test_a_health_worker_reads_but_does_not_act(
    client: Any, declared: Lockdown, health_worker_bo_de: Any
) -> None:
    client.force_login(health_worker_bo_de)
    page = client.get(f"/cases/lockdowns/{declared.pk}/")
    assert page.status_code == 200 and 'id="lift"' not in page.content.decode()
    assert client.post(f"/cases/lockdowns/{declared.pk}/lift/", {"ended_at": local(now())}).status_code == 403
