"""The public "May this business operate now?" look-up and the published sector conditions (no sign-in)."""

from typing import Any

import pytest

from phaodai.business import services
from phaodai.business.tests.conftest import NOON_10_SEPT, at, plan_fields
from phaodai.core.clock import hanoi

pytestmark = pytest.mark.django_db
PERSONAL = ("Số 1 phố Bồ Đề", "Trần Thị Bình", "0912345678", "business-00139")


@pytest.fixture
def factory_with_plan(rep: Any, factory: Any, district_officer_long_bien: Any, city_commander: Any) -> Any:
    """The factory with an approved plan and its sector's published conditions.

    No zoning decision is loaded here, so the answer is "no" for want of measures in force; the
    answers under Long Biên's regimes are tested in the business app (test_selectors).
    """
    services.publish_sector_condition(
        by=city_commander,
        sector="factory",
        title="Tiêu chí an toàn cho cơ sở sản xuất",
        criteria="Tối đa 50% lao động tại chỗ; phương án “3 tại chỗ”; xét nghiệm 7 ngày/lần.",
        valid_from=hanoi(2021, 9, 1),
        basis="Văn bản 788-CV/BCSD",
    )
    plan = services.draft_plan(by=rep, business=factory, **plan_fields())
    plan = services.submit_plan(by=rep, plan=plan, version=plan.version, clock=at(NOON_10_SEPT))
    services.approve_plan(
        by=district_officer_long_bien, plan=plan, version=plan.version, clock=at(NOON_10_SEPT)
    )
    return factory


def test_anyone_looks_a_business_up_by_tax_code_and_reads_only_public_facts(
    client: Any, factory_with_plan: Any
) -> None:
    response = client.get("/public/businesses/?q=0100112437")
    assert response.status_code == 200
    [answer] = response.context["answers"]
    assert answer.name == "Công ty May Bồ Đề"
    page = response.content.decode()
    assert "Tiêu chí an toàn cho cơ sở sản xuất" in page
    assert answer.may_operate is False
    assert "No measures are recorded for this place at that time" in page
    assert not [value for value in PERSONAL if value in page]


def test_a_name_without_diacritics_finds_the_business(client: Any, factory: Any, restaurant: Any) -> None:
    answers = client.get("/public/businesses/?q=pho bo de").context["answers"]
    assert [a.name for a in answers] == ["Quán Phở Bồ Đề"]


def test_two_letters_find_nothing_and_say_why(client: Any, factory: Any) -> None:
    response = client.get("/public/businesses/?q=bo")
    assert response.context["answers"] == []
    assert 'id="no-business"' in response.content.decode()


def test_the_look_up_reads_a_bounded_number_of_queries(
    client: Any, register: Any, django_assert_max_num_queries: Any
) -> None:
    codes = ["0100112437", "0100109106", "0314409058", "0314409058-002", "0314409058-003"]
    for number, code in enumerate(codes):
        register(tax_code=code, name=f"Công ty Bồ Đề số {number}")
    # At most 10 businesses are answered, each with a fixed handful of reads.
    with django_assert_max_num_queries(40):
        response = client.get("/public/businesses/?q=cong ty bo de")
    assert len(response.context["answers"]) == 5


def test_the_public_api_answers_by_name_without_personal_data(client: Any, factory_with_plan: Any) -> None:
    response = client.get("/api/v1/public/businesses?q=cong ty may&at=2021-09-10T15:00")
    assert response.status_code == 200
    [answer] = response.json()
    assert set(answer) == {
        "name",
        "ward",
        "may_operate",
        "reasons",
        "sector",
        "regime_conditions",
        "sector_conditions",
    }
    assert answer["sector_conditions"]["title"] == "Tiêu chí an toàn cho cơ sở sản xuất"
    assert not [value for value in PERSONAL if value in response.content.decode()]


def test_the_public_api_refuses_a_moment_that_is_not_a_date(client: Any) -> None:
    response = client.get("/api/v1/public/businesses?q=0100112437&at=yesterday")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")


def test_the_published_sector_conditions_are_listed(client: Any, factory_with_plan: Any) -> None:
    response = client.get("/public/sector-conditions/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tiêu chí an toàn cho cơ sở sản xuất" in page and "788-CV/BCSD" in page
