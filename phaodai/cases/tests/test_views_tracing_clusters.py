"""Tracing pages: clusters, and a cluster's chain (drawn by the vendored library, listed as a table)."""

# The shared fixtures are imported from test_views_tracing; pytest passes them by name.
# ruff: noqa: F811

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders

from phaodai.cases import pages_support, services
from phaodai.cases.models import Case, Cluster
from phaodai.cases.tests.test_views_tracing import (  # noqa: F401  (fixtures)
    outbreak,
    sept_10_afternoon,
    text,
)
from phaodai.core.clock import hanoi
from phaodai.territory.selectors import unit_by_code

pytestmark = pytest.mark.django_db


def cluster_of(case: Case) -> Cluster:
    found = Case.objects.get(pk=case.pk).cluster
    assert found is not None
    return found


def test_the_list_shows_clusters_by_status_with_counts_and_unknown_sources(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any
) -> None:
    cluster = cluster_of(outbreak["case"])
    client.force_login(ward_officer_bo_de)
    response = client.get("/cases/clusters/")
    assert response.status_code == 200
    body = text(response)
    assert f'href="/cases/clusters/{cluster.pk}/"' in body
    row = body[body.index(cluster.code) :]
    assert re.search(r'data-label="Cases">1<', row)
    assert re.search(r'data-label="Contacts">5<', row)
    assert '<span class="flag-unknown">1</span>' in row
    assert "10/09/2021" in row
    assert cluster.code not in text(client.get("/cases/clusters/?status=closed"))
    assert client.get("/cases/clusters/?status=bogus").status_code == 200  # shows the active ones


def test_the_list_is_scoped(client: Any, outbreak: dict[str, Any], ward_officer_phuc_xa: Any) -> None:
    client.force_login(ward_officer_phuc_xa)
    assert cluster_of(outbreak["case"]).code not in text(client.get("/cases/clusters/"))


def test_the_list_pages_newest_first(
    client: Any,
    outbreak: dict[str, Any],
    resident: Any,
    health_worker_bo_de: Any,
    ward_officer_bo_de: Any,
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(pages_support, "CLUSTERS_PER_PAGE", 2)
    client.force_login(ward_officer_bo_de)
    first = text(client.get("/cases/clusters/"))
    link = re.search(r'href="\?([^"]+)" rel="next"', first)
    assert link
    second = text(client.get("/cases/clusters/?" + link.group(1).replace("&amp;", "&")))
    codes = set(Cluster.objects.values_list("code", flat=True))
    assert len(codes) == 3
    assert {c for c in codes if c in first} | {c for c in codes if c in second} == codes
    assert not {c for c in codes if c in first} & {c for c in codes if c in second}


def test_the_chain_page_lists_every_link_and_draws_them_from_vendored_files(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any
) -> None:
    cluster = cluster_of(outbreak["case"])
    client.force_login(ward_officer_bo_de)
    response = client.get(f"/cases/clusters/{cluster.pk}/")
    assert response.status_code == 200
    body = text(response)
    links = re.findall(r'<tr>\s*<td data-label="From"><a href="#node-n\d+">([^<]+)</a></td>\s*'
                       r'<td data-label="To"><a href="#node-n\d+">([^<]+)</a></td>', body)  # fmt: skip
    case_label = f"F0 #{outbreak['case'].pk}"
    assert links[:3] == [(case_label, "F1-1"), (case_label, "F1-2"), (case_label, "F1-3")]
    # the first F1's two contacts, whichever number that F1 got
    assert [target for _source, target in links[3:]] == ["F2-1", "F2-2"]
    assert links[3][0] == links[4][0] and links[3][0].startswith("F1-")
    # drawn offline: the scripts are served from the project, never a CDN
    scripts = re.findall(r'<script src="([^"]+)"', body)
    assert scripts[-2:] == ["/static/vendor/cytoscape/cytoscape.min.js", "/static/cases/chain.js"]
    assert all(src.startswith("/static/") for src in scripts)
    assert f'data-graph-url="/cases/clusters/{cluster.pk}/graph.json"' in body
    # names in the side list, for the officer tracing where they live
    assert outbreak["f0"].full_name in body
    assert "source unknown" in body


def test_the_vendored_library_ships_with_its_license() -> None:
    library = finders.find("vendor/cytoscape/cytoscape.min.js")
    assert library
    folder = Path(library).parent
    assert "Permission is hereby granted" in (folder / "LICENSE").read_text()
    assert finders.find("cases/chain.js")


def test_the_graph_data_carries_no_names_nor_person_ids(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any
) -> None:
    cluster = cluster_of(outbreak["case"])
    client.force_login(ward_officer_bo_de)
    response = client.get(f"/cases/clusters/{cluster.pk}/graph.json")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    graph = response.json()
    assert [(n["label"], n["level"], n["unknown_source"]) for n in graph["nodes"]] == [
        (f"F0 #{outbreak['case'].pk}", 0, True),
        ("F1-1", 1, False),
        ("F1-2", 1, False),
        ("F1-3", 1, False),
        ("F2-1", 2, False),
        ("F2-2", 2, False),
    ]
    edges = [(e["source"], e["exposed_on"]) for e in graph["edges"]]
    assert edges[:3] == [("n1", "09/09/2021")] * 3
    assert edges[3] == edges[4] and edges[3][0] in {"n2", "n3", "n4"} and edges[3][1] == "10/09/2021"
    raw = text(response)
    for person in [outbreak["f0"], *outbreak["f1s"], *outbreak["f2s"]]:
        assert str(person.pk) not in raw
        assert person.full_name not in raw


def test_the_chain_hides_names_of_people_outside_the_officers_area(
    client: Any, outbreak: dict[str, Any], resident: Any, health_worker_bo_de: Any, ward_officer_phuc_xa: Any
) -> None:
    # A case of the cluster was found in Phúc Xá: Phúc Xá sees the cluster, not the Bồ Đề residents' names
    f1 = outbreak["f1s"][2]
    services.record_case(
        by=ward_officer_phuc_xa,
        person=f1,
        confirmed_at=hanoi(2021, 9, 10, 12),
        detected_in="screening",
        source_known=True,
        detected_unit=unit_by_code("00001"),
        test_ref="PX-1",
    )
    cluster = cluster_of(outbreak["case"])
    client.force_login(ward_officer_phuc_xa)
    response = client.get(f"/cases/clusters/{cluster.pk}/")
    assert response.status_code == 200
    body = text(response)
    assert f1.full_name in body  # their own case (found in Phúc Xá) lists its person
    assert outbreak["f0"].full_name not in body
    assert outbreak["f1s"][0].full_name not in body
    assert "outside your area" in body


def test_the_chain_pages_are_scoped(
    client: Any, outbreak: dict[str, Any], ward_officer_phuc_xa: Any, welfare_officer_bo_de: Any
) -> None:
    cluster = cluster_of(outbreak["case"])
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/cases/clusters/{cluster.pk}/").status_code == 404
    assert client.get(f"/cases/clusters/{cluster.pk}/graph.json").status_code == 404
    client.force_login(welfare_officer_bo_de)
    assert client.get("/cases/clusters/").status_code == 403
    assert client.get(f"/cases/clusters/{cluster.pk}/").status_code == 403
    assert client.get(f"/cases/clusters/{cluster.pk}/graph.json").status_code == 403


def test_a_cluster_too_large_to_draw_is_still_listed(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(pages_support, "MAX_NODES_DRAWN", 3)
    cluster = cluster_of(outbreak["case"])
    client.force_login(ward_officer_bo_de)
    body = text(client.get(f"/cases/clusters/{cluster.pk}/"))
    assert "too many to draw" in body
    assert "cytoscape.min.js" not in body
    assert body.count('data-label="From"') == 5
    assert client.get(f"/cases/clusters/{cluster.pk}/graph.json").json()["drawable"] is False


def test_the_chain_page_issues_a_bounded_number_of_queries(
    client: Any,
    outbreak: dict[str, Any],
    resident: Any,
    health_worker_bo_de: Any,
    ward_officer_bo_de: Any,
    django_assert_max_num_queries: Any,
) -> None:
    cluster = cluster_of(outbreak["case"])
    client.force_login(ward_officer_bo_de)
    with django_assert_max_num_queries(12):
        assert client.get(f"/cases/clusters/{cluster.pk}/").status_code == 200
    services.add_contacts(
        by=health_worker_bo_de,
        source=outbreak["f1s"][1],
        contacts=[
            services.ContactInput(
                exposed_on=hanoi(2021, 9, 10).date(), setting="market", person=resident(50 + n)
            )
            for n in range(15)
        ],
    )
    with django_assert_max_num_queries(12):
        response = client.get(f"/cases/clusters/{cluster.pk}/")
    assert text(response).count('data-label="From"') == 20
