"""GET /clusters and /clusters/{id}/graph: the clusters an officer may see, and each one's graph."""

from typing import Any

import pytest
import time_machine

from phaodai.cases.models import Cluster
from phaodai.cases.tests.test_api import NOW, Api, cccd_of
from phaodai.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tenth_of_september():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def api(client: Any, health_worker_bo_de: Any) -> Api:
    return Api(client).login(health_worker_bo_de)


def record(api: Api, n: int, at: str = "2021-09-10T09:00") -> dict[str, Any]:
    answer = api.post(
        "/cases",
        {"cccd": cccd_of(n), "confirmed_at": at, "detected_in": "community", "source_known": False,
         "test_ref": f"T-{n}"},
    )  # fmt: skip
    assert answer.status_code == 201, answer.json()
    return answer.json()


@pytest.fixture
def chain(api: Api, resident: Any) -> dict[str, Any]:
    """F0 (resident 0) → F1s (residents 1, 2) → F2 (resident 3, through resident 1)."""
    people = [resident(n) for n in range(4)]
    case = record(api, 0)
    link = {"exposed_on": "2021-09-10", "setting": "household"}
    api.post(f"/cases/{case['id']}/contacts", {"contacts": [{"cccd": cccd_of(n), **link} for n in (1, 2)]})
    api.post("/people/contacts", {"cccd": cccd_of(1), "contacts": [{"cccd": cccd_of(3), **link}]})
    cluster = api.get(f"/cases/{case['id']}").json()["cluster"]
    return {"case": case, "people": people, "cluster": cluster}


def test_the_graph_names_persons_by_id_with_their_level(api, chain):
    answer = api.get(f"/clusters/{chain['cluster']['id']}/graph")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    f0, f1a, f1b, f2 = (str(p.pk) for p in chain["people"])
    assert {(n["id"], n["level"], n["f_level"]) for n in body["nodes"]} == {
        (f0, 0, "F0"),
        (f1a, 1, "F1"),
        (f1b, 1, "F1"),
        (f2, 2, "F2"),
    }
    assert {(e["from"], e["to"], e["exposed_on"]) for e in body["edges"]} == {
        (f0, f1a, "2021-09-10"),
        (f0, f1b, "2021-09-10"),
        (f1a, f2, "2021-09-10"),
    }
    assert body["exposures"] == 3
    assert body["cluster"]["code"] == chain["cluster"]["code"]
    assert (body["cluster"]["cases_count"], body["cluster"]["unit"]["code"]) == (1, "00139")
    text = answer.content.decode()
    assert all(cccd_of(n) not in text for n in range(4))
    assert all(p.full_name not in text for p in chain["people"])


def test_the_list_shows_visible_clusters_latest_first(api, chain, resident, client, ward_officer_phuc_xa):
    resident(5)
    other = record(api, 5, at="2021-09-10T10:00")  # no link to the first: a cluster of its own
    first = api.get("/clusters").json()
    assert [c["id"] for c in first["items"]] == [other["cluster"]["id"], chain["cluster"]["id"]]
    assert first["next"] is None
    paged = api.get("/clusters", limit=1).json()
    assert ([c["id"] for c in paged["items"]], paged["next"]) == (
        [other["cluster"]["id"]],
        other["cluster"]["id"],
    )
    rest = api.get("/clusters", limit=1, after=paged["next"]).json()
    assert ([c["id"] for c in rest["items"]], rest["next"]) == ([chain["cluster"]["id"]], None)
    Cluster.objects.filter(pk=chain["cluster"]["id"]).update(status="closed")
    assert [c["id"] for c in api.get("/clusters", status="closed").json()["items"]] == [
        chain["cluster"]["id"]
    ]
    assert Api(client).login(ward_officer_phuc_xa).get("/clusters").json()["items"] == []


@pytest.mark.parametrize("params", [{"status": "burning"}, {"limit": 0}, {"after": 999999}])
def test_bad_list_filters_are_422(api, chain, params):
    assert api.get("/clusters", **params).status_code == 422


def test_who_may_read_a_cluster(
    api, client, chain, ward_officer_phuc_xa, welfare_officer_bo_de, city_commander
):
    url = f"/clusters/{chain['cluster']['id']}/graph"
    assert Api(client).login(city_commander).get(url).status_code == 200
    assert Api(client).login(ward_officer_phuc_xa).get(url).status_code == 404
    assert AuditEntry.objects.filter(action="scope.denied", object_type="cases.cluster").exists()
    assert Api(client).login(welfare_officer_bo_de).get(url).status_code == 403
    assert Api(client).login(welfare_officer_bo_de).get("/clusters").status_code == 403
    assert Api(client).login(city_commander).get("/clusters/999999/graph").status_code == 404
    client.logout()
    assert client.get(f"/api/v1{url}").status_code == 401


def test_a_person_the_caller_may_not_trace_is_drawn_under_an_alias(
    api: Api, resident: Any, ward_officer_phuc_xa: Any, city_commander: Any, client: Any
) -> None:
    from datetime import date

    from phaodai.people import services as people_services
    from phaodai.people.tests.conftest import make_area

    resident(0)
    visitor = people_services.register_person(
        by=ward_officer_phuc_xa, cccd=cccd_of(90), full_name="Đỗ Văn Khách", birth_date=date(1980, 1, 1),
        sex="M", phone=None, residence_area=make_area("00001", "TDP01", "Tổ dân phố 1"),
    )  # fmt: skip
    case = record(api, 0)
    api.post(
        f"/cases/{case['id']}/contacts",
        {"contacts": [{"cccd": cccd_of(90), "exposed_on": "2021-09-09", "setting": "workplace"}]},
    )
    cluster = api.get(f"/cases/{case['id']}").json()["cluster"]["id"]
    body = api.get(f"/clusters/{cluster}/graph").json()
    assert str(visitor.pk) not in str(body)  # the contact named by CCCD: no id to match a level to
    assert {(n["id"], n["level"]) for n in body["nodes"]} == {(str(case["person"]["id"]), 0), ("p2", 1)}
    assert [(e["from"], e["to"]) for e in body["edges"]] == [(str(case["person"]["id"]), "p2")]
    # The city traces everyone: real ids
    city = Api(client).login(city_commander).get(f"/clusters/{cluster}/graph").json()
    assert str(visitor.pk) in {n["id"] for n in city["nodes"]}
