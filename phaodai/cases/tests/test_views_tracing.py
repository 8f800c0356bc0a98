"""Tracing pages: the home page (the day's cases of my area) and recording a new case.

Shared fixtures of the tracing page tests live here (the other test_views_tracing_* modules import them).
"""

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import time_machine

from phaodai.cases import pages_support, services
from phaodai.cases.models import Case, TraceLevel
from phaodai.cases.tests.conftest import SEPT_10_MORNING, at
from phaodai.core.clock import hanoi
from phaodai.people.tests.conftest import cccd_for, make_area

pytestmark = pytest.mark.django_db

AFTERNOON = hanoi(2021, 9, 10, 15, 0)


@pytest.fixture(autouse=True)
def sept_10_afternoon() -> Iterator[None]:
    """Pages read "today" and services "now" from the clock: 15:00 on 10/9/2021 in Hà Nội."""
    with time_machine.travel(AFTERNOON, tick=False):
        yield


def contact(person: Any, day: date, setting: str = "household") -> services.ContactInput:
    return services.ContactInput(exposed_on=day, setting=setting, person=person)


def cccd_of(n: int, born: int = 1980, sex: str = "M") -> str:
    """The CCCD the `resident` fixture gives its n-th resident."""
    return cccd_for(born, sex, serial=100000 + n)


def record(by: Any, person: Any, moment: Any, detected_in: str = "community", known: bool = True) -> Case:
    case, _created = services.record_case(
        by=by,
        person=person,
        confirmed_at=moment,
        detected_in=detected_in,
        source_known=known,
        test_ref=f"LB-{moment:%m%d%H%M}",
        clock=at(moment),
    )
    return case


@pytest.fixture
def outbreak(resident: Any, health_worker_bo_de: Any) -> dict[str, Any]:
    """Bồ Đề on 10/9: a community case of unknown source (with 3 F1 and 2 F2), a case found in
    quarantine and one found by screening."""
    f0, f1s, f2s = resident(0), [resident(1 + i) for i in range(3)], [resident(10), resident(11)]
    first = record(health_worker_bo_de, f0, SEPT_10_MORNING, known=False)
    services.add_contacts(
        by=health_worker_bo_de,
        source=f0,
        contacts=[contact(p, date(2021, 9, 9)) for p in f1s],
        clock=at(hanoi(2021, 9, 10, 10)),
    )
    services.add_contacts(
        by=health_worker_bo_de,
        source=f1s[0],
        contacts=[contact(p, date(2021, 9, 10), "workplace") for p in f2s],
        clock=at(hanoi(2021, 9, 10, 11)),
    )
    in_quarantine = record(health_worker_bo_de, resident(20), hanoi(2021, 9, 10, 10), "quarantine")
    screened = record(health_worker_bo_de, resident(21), hanoi(2021, 9, 10, 11), "screening")
    return {
        "f0": f0,
        "f1s": f1s,
        "f2s": f2s,
        "case": first,
        "quarantine": in_quarantine,
        "screened": screened,
    }


@pytest.fixture
def ngoc_lam_area(db: Any) -> Any:
    return make_area("00133", "TDP02", "Tổ dân phố 2")


def text(response: Any) -> str:
    return response.content.decode()


def count(response: Any, name: str) -> int:
    found = re.search(rf'id="count-{name}">(\d+)<', text(response))
    assert found, name
    return int(found.group(1))


# Home -------------------------------------------------------------------------------------------------


def test_home_needs_sign_in_and_a_tracing_role(client: Any, welfare_officer_bo_de: Any) -> None:
    assert client.get("/cases/").status_code == 302
    client.force_login(welfare_officer_bo_de)
    assert client.get("/cases/").status_code == 403


def test_home_shows_todays_cases_by_where_found_and_flags_unknown_sources(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    response = client.get("/cases/")
    assert response.status_code == 200
    assert [count(response, n) for n in ("total", "community", "quarantine", "others")] == [3, 1, 1, 1]
    assert count(response, "unknown") == 1
    assert (count(response, "f1"), count(response, "f2")) == (3, 2)
    body = text(response)
    assert body.count("source unknown") == 1
    assert f'href="/cases/{outbreak["case"].pk}/"' in body
    assert outbreak["f0"].full_name in body
    cluster_id = Case.objects.get(pk=outbreak["case"].pk).cluster_id
    assert f'href="/cases/clusters/{cluster_id}/"' in body
    assert "10/09/2021" in body


def test_home_filters_by_day_and_ward(
    client: Any, outbreak: dict[str, Any], district_officer_long_bien: Any
) -> None:
    client.force_login(district_officer_long_bien)
    yesterday = client.get("/cases/", {"day": "09/09/2021"})
    assert count(yesterday, "total") == 0
    assert "No case was confirmed on this day" in text(yesterday)
    # Ngọc Lâm (another ward of Long Biên) has none of Bồ Đề's cases; Bồ Đề has them all
    assert count(client.get("/cases/", {"day": "10/09/2021", "ward": "00133"}), "total") == 0
    assert count(client.get("/cases/", {"day": "2021-09-10", "ward": "00139"}), "total") == 3


def test_home_refuses_bad_filters_beside_the_field(
    client: Any, outbreak: dict[str, Any], district_officer_long_bien: Any
) -> None:
    client.force_login(district_officer_long_bien)
    response = client.get("/cases/", {"day": "31/02/2021", "ward": "00001"})
    assert response.status_code == 200
    body = text(response)
    assert "Enter a valid date." in body
    assert "Select a valid choice." in body  # Phúc Xá is not a ward of Long Biên
    assert count(client.get("/cases/", {"day": "10/09/0001"}), "total") == 3  # refused, today shown
    assert "between 1900 and 2200" in text(client.get("/cases/", {"day": "10/09/0001"}))


def test_home_shows_nothing_of_another_jurisdiction(
    client: Any, outbreak: dict[str, Any], ward_officer_phuc_xa: Any
) -> None:
    client.force_login(ward_officer_phuc_xa)
    response = client.get("/cases/")
    assert response.status_code == 200
    assert count(response, "total") == 0
    assert (count(response, "f1"), count(response, "f2")) == (0, 0)
    assert outbreak["f0"].full_name not in text(response)


def test_home_pages_the_days_cases_newest_first(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(pages_support, "CASES_PER_PAGE", 2)
    client.force_login(ward_officer_bo_de)
    first = text(client.get("/cases/"))
    link = re.search(r'href="\?([^"]+)" rel="next"', first)
    assert link
    second = text(client.get("/cases/?" + link.group(1).replace("&amp;", "&")))
    shown = [re.findall(r'href="/cases/(\d+)/"', page) for page in (first, second)]
    assert shown == [
        [str(outbreak["screened"].pk), str(outbreak["quarantine"].pk)],
        [str(outbreak["case"].pk)],
    ]


def test_home_issues_a_bounded_number_of_queries(
    client: Any,
    outbreak: dict[str, Any],
    resident: Any,
    health_worker_bo_de: Any,
    district_officer_long_bien: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(district_officer_long_bien)
    with django_assert_max_num_queries(12):
        assert client.get("/cases/").status_code == 200
    for n in range(30, 40):
        record(health_worker_bo_de, resident(n), hanoi(2021, 9, 10, 12, n))
    with django_assert_max_num_queries(12):
        response = client.get("/cases/")
    assert count(response, "total") == 13


# New case ---------------------------------------------------------------------------------------------


def case_form(cccd: str, **changes: Any) -> dict[str, Any]:
    return {
        "cccd": cccd,
        "confirmed_at": "10/09/2021 14:30",
        "test_ref": "LB-0910-0099",
        "manual_reason": "",
        "detected_in": "community",
        "detected_unit": "",
        "source_known": "unknown",
        "source_note": "",
        "severity": "mild",
        "care": "home",
        "token": "tok-0123456789abcdef",
        **changes,
    }


def test_new_case_form_posts_the_cccd_and_carries_a_token(client: Any, ward_officer_bo_de: Any) -> None:
    client.force_login(ward_officer_bo_de)
    body = text(client.get("/cases/new/"))
    assert 'method="post" action="/cases/new/"' in body
    assert re.search(r'name="token" value="[A-Za-z0-9_-]{20,}"', body)
    assert 'value="10/09/2021 15:00"' in body  # now, on Hà Nội's clock


def test_new_case_form_takes_the_sample_code_of_a_positive_result(
    client: Any, ward_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    body = text(client.get("/cases/new/?test_ref=HN-PCR-000123"))
    assert re.search(
        r'name="test_ref"[^>]*value="HN-PCR-000123"|value="HN-PCR-000123"[^>]*name="test_ref"', body
    )


def test_new_case_needs_the_tracing_capability(client: Any, welfare_officer_bo_de: Any) -> None:
    client.force_login(welfare_officer_bo_de)
    assert client.get("/cases/new/").status_code == 403
    assert client.post("/cases/new/", case_form(cccd_of(1))).status_code == 403


def test_recording_a_case_finds_the_person_by_cccd_and_reads_hanoi_time(
    client: Any, resident: Any, ward_officer_bo_de: Any
) -> None:
    person = resident(1)
    client.force_login(ward_officer_bo_de)
    response = client.post("/cases/new/", case_form(cccd_of(1)))
    case = Case.objects.get(person_id=person.pk)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.confirmed_at == hanoi(2021, 9, 10, 14, 30)
    assert (case.detected_in, case.source_known, case.severity, case.care) == (
        "community",
        False,
        "mild",
        "home",
    )
    assert case.test_ref == "LB-0910-0099"
    assert TraceLevel.objects.get(person_id=person.pk).level == 0
    assert cccd_of(1) not in response["Location"]


def test_a_double_submit_records_one_case(client: Any, resident: Any, ward_officer_bo_de: Any) -> None:
    resident(1)
    client.force_login(ward_officer_bo_de)
    first = client.post("/cases/new/", case_form(cccd_of(1)))
    # the same form again, even with a detail changed meanwhile: the token says it is the same submission
    again = client.post("/cases/new/", case_form(cccd_of(1), severity="moderate"), follow=True)
    assert Case.objects.count() == 1
    assert again.redirect_chain[0][0] == first["Location"]
    assert "already recorded" in text(again)


def test_an_unregistered_cccd_says_so_and_links_to_the_registry(
    client: Any, resident: Any, ward_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    response = client.post("/cases/new/", case_form(cccd_of(99)))
    assert response.status_code == 422
    body = text(response)
    assert "No person in your area is registered with this CCCD" in body
    assert 'href="/people/register/"' in body
    assert Case.objects.count() == 0


def test_a_case_form_with_bad_input_shows_each_error_beside_its_field(
    client: Any, resident: Any, ward_officer_bo_de: Any
) -> None:
    resident(1)
    client.force_login(ward_officer_bo_de)
    response = client.post(
        "/cases/new/",
        case_form("00108", confirmed_at="32/09/2021 25:00", test_ref="", detected_in="moon", source_known=""),
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"cccd", "confirmed_at", "test_ref", "detected_in", "source_known"}
    assert "sample code" in errors["test_ref"][0]
    assert Case.objects.count() == 0


def test_a_case_confirmed_in_the_future_is_refused_beside_the_time(
    client: Any, resident: Any, ward_officer_bo_de: Any
) -> None:
    resident(1)
    client.force_login(ward_officer_bo_de)
    response = client.post("/cases/new/", case_form(cccd_of(1), confirmed_at="11/09/2021 08:00"))
    assert response.status_code == 422
    assert response.context["form"].errors["confirmed_at"] == [
        "The confirmation time cannot be in the future."
    ]
    assert Case.objects.count() == 0


def test_a_manual_reason_replaces_the_test_result(
    client: Any, resident: Any, ward_officer_bo_de: Any
) -> None:
    resident(1)
    client.force_login(ward_officer_bo_de)
    form = case_form(cccd_of(1), test_ref="", manual_reason="Kết quả test nhanh tại bệnh viện, chờ PCR")
    assert client.post("/cases/new/", form).status_code == 302
    assert Case.objects.get().manual_reason == "Kết quả test nhanh tại bệnh viện, chờ PCR"


def test_a_duplicate_case_links_to_the_existing_one(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    response = client.post("/cases/new/", case_form(cccd_of(0), token="another-token-0001"))
    assert response.status_code == 409
    assert "already a case under treatment" in response.context["form"].errors["cccd"][0]
    assert f'href="/cases/{outbreak["case"].pk}/"' in text(response)
    assert Case.objects.filter(person_id=outbreak["f0"].pk).count() == 1


def test_find_shows_who_the_cccd_belongs_to_without_recording(
    client: Any, resident: Any, ward_officer_bo_de: Any
) -> None:
    person = resident(1)
    client.force_login(ward_officer_bo_de)
    response = client.post("/cases/new/", {**case_form(cccd_of(1)), "find": "1"})
    assert response.status_code == 200
    body = text(response)
    assert person.full_name in body
    assert "*********" + cccd_of(1)[-3:] in body
    assert "This field is required" not in body
    assert Case.objects.count() == 0


def test_an_officer_elsewhere_records_a_case_found_in_their_ward(
    client: Any, resident: Any, ward_officer_phuc_xa: Any
) -> None:
    person = resident(1)  # lives in Bồ Đề
    client.force_login(ward_officer_phuc_xa)
    refused = client.post("/cases/new/", case_form(cccd_of(1)))
    assert refused.status_code == 422
    # said as for a CCCD nobody holds (Phúc Xá does not learn where they live), with the way forward
    assert "choose that ward below" in refused.context["form"].errors["cccd"][0]
    assert Case.objects.count() == 0
    found_here = client.post("/cases/new/", case_form(cccd_of(1), detected_unit="00001"))
    assert found_here.status_code == 302
    case = Case.objects.get(person_id=person.pk)
    assert (case.detected_unit.code, case.residence_unit.code) == ("00001", "00139")


def test_pages_answer_in_vietnamese_first_with_dates_day_first(
    vietnamese_client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any
) -> None:
    vietnamese_client.force_login(ward_officer_bo_de)
    for url in ("/cases/", f"/cases/{outbreak['case'].pk}/", "/cases/new/", "/cases/clusters/"):
        response = vietnamese_client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == "vi"
    body = text(vietnamese_client.get(f"/cases/{outbreak['case'].pk}/"))
    assert "10/09/2021 09:00" in body  # confirmed at 09:00 Hà Nội time, day first
