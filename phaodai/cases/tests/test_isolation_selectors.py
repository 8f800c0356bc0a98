"""Reads of isolation: who sees an order, the day's worklist by area, lost to follow-up, counts by kind."""

from datetime import date
from typing import Any

import pytest
from django.http import Http404

from phaodai.cases import isolation, services
from phaodai.cases import isolation_selectors as selectors
from phaodai.cases.tests.conftest import SEPT_10_MORNING, at
from phaodai.cases.tests.isolation_support import day, facility, order
from phaodai.core.errors import NotPermitted
from phaodai.core.models import AuditEntry
from phaodai.people.tests.conftest import make_area

pytestmark = pytest.mark.django_db
D = date(2021, 9, 1)  # lost_reason's days: D + n


def on(n: int) -> date:
    return date(2021, 9, n)


# Who sees an order -----------------------------------------------------------------------------------


def test_an_order_is_seen_where_the_person_lives_and_above(
    resident: Any, health_worker_bo_de: Any, district_officer_long_bien: Any, city_commander: Any,
    ward_officer_phuc_xa: Any, ward_officer_ngoc_lam: Any,
) -> None:  # fmt: skip
    made = order(health_worker_bo_de, resident(1))
    for officer in (health_worker_bo_de, district_officer_long_bien, city_commander):
        assert selectors.order_for(officer, made.pk).pk == made.pk
    for outsider in (ward_officer_phuc_xa, ward_officer_ngoc_lam):
        with pytest.raises(Http404):
            selectors.order_for(outsider, made.pk)
        assert not selectors.orders_visible_to(outsider).exists()
    assert AuditEntry.objects.filter(action="scope.denied", object_type="cases.isolation_order").count() == 2


def test_the_ward_that_found_the_case_sees_the_f0s_order(
    resident: Any, ward_officer_phuc_xa: Any, unit: Any
) -> None:
    person = resident(0)
    services.record_case(
        by=ward_officer_phuc_xa, person=person, confirmed_at=SEPT_10_MORNING, detected_in="screening",
        source_known=True, detected_unit=unit("00001"), test_ref="BD-1", clock=at(SEPT_10_MORNING),
    )  # fmt: skip
    made = order(ward_officer_phuc_xa, person, subject="F0", setting="hospital")
    assert selectors.order_for(ward_officer_phuc_xa, made.pk).pk == made.pk
    assert selectors.may_act_on(ward_officer_phuc_xa, made)


def test_orders_are_paged_latest_first_without_counting(resident: Any, health_worker_bo_de: Any) -> None:
    made = [order(health_worker_bo_de, resident(n), starts=day(5 + n), now=day(10)) for n in range(1, 4)]
    first = selectors.orders_page(health_worker_bo_de, "active", limit=2)
    assert [o.pk for o in first.items] == [made[2].pk, made[1].pk]
    rest = selectors.orders_page(health_worker_bo_de, "active", first.next_after, limit=2)
    assert ([o.pk for o in rest.items], rest.next_after) == ([made[0].pk], None)
    assert selectors.orders_page(health_worker_bo_de, "released").items == []


def test_reading_isolation_needs_the_capability(welfare_officer_bo_de: Any) -> None:
    with pytest.raises(NotPermitted):
        selectors.worklist(welfare_officer_bo_de, on(12))


# Worklists -------------------------------------------------------------------------------------------


@pytest.fixture
def ward(resident: Any, health_worker_bo_de: Any, city_commander: Any, unit: Any) -> dict[str, Any]:
    """Bồ Đề on 10/9: two F1 at home in Tổ 5, an F2 at home in Tổ 6, an F1 in a facility."""
    tdp6 = make_area("00139", "TDP06", "Tổ dân phố 6")
    dorm = facility(city_commander, unit)
    return {
        "an": order(health_worker_bo_de, resident(1)),
        "binh": order(health_worker_bo_de, resident(2), starts=day(8), now=day(10)),
        "f2": order(health_worker_bo_de, resident(3, area=tdp6), subject="F2"),
        "dorm": order(health_worker_bo_de, resident(4), setting="facility", facility=dorm),
        "tdp6": tdp6,
    }


def test_the_worklist_lists_the_people_at_home_by_area_with_the_days_tests(
    ward: dict[str, Any], health_worker_bo_de: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(4):
        groups = selectors.worklist(health_worker_bo_de, on(16))
    assert [g.area.code for g in groups] == ["00139-TDP05", "00139-TDP06"]
    tdp5 = {item.order.pk: item for item in groups[0].items}
    assert set(tdp5) == {ward["an"].pk, ward["binh"].pk}  # the facility's F1 is followed by the facility
    an = tdp5[ward["an"].pk]
    assert (an.day_number, an.phase, an.test_due, an.check, an.next_step) == (7, "isolation", True, None, "")
    f2 = groups[1].items[0]
    # The F2's isolation (7 days) ended on 17/9: the list says the move to monitoring is due.
    assert selectors.worklist(health_worker_bo_de, on(17), ward["tdp6"])[0].items[0].next_step == "monitoring"
    assert (f2.order.pk, f2.test_due) == (ward["f2"].pk, True)  # an F2 is tested on days 1 and 7


def test_one_areas_worklist(ward: dict[str, Any], health_worker_bo_de: Any) -> None:
    [group] = selectors.worklist(health_worker_bo_de, on(12), ward["tdp6"])
    assert [item.order.pk for item in group.items] == [ward["f2"].pk]
    counts = {row.code: row.people for row in selectors.worklist_areas(health_worker_bo_de, on(12))}
    assert counts == {"00139-TDP05": 2, "00139-TDP06": 1}


def test_a_facility_order_joins_the_worklist_once_monitored_at_home(
    ward: dict[str, Any], health_worker_bo_de: Any
) -> None:
    isolation.move_to_monitoring(by=health_worker_bo_de, order=ward["dorm"], clock=at(day(24)))
    items = {item.order.pk: item for g in selectors.worklist(health_worker_bo_de, on(25)) for item in g.items}
    assert items[ward["dorm"].pk].phase == "monitoring"
    assert items[ward["dorm"].pk].lost is None  # followed from 24/9 only: no day missed yet


def test_released_and_cancelled_orders_leave_the_worklist(
    ward: dict[str, Any], health_worker_bo_de: Any
) -> None:
    isolation.release(
        by=health_worker_bo_de, order=ward["an"], decision="1/QĐ", reason="Wrong date", clock=at(day(12))
    )
    isolation.cancel(by=health_worker_bo_de, order=ward["binh"], reason="Duplicate", clock=at(day(12)))
    today = [item.order.pk for g in selectors.worklist(health_worker_bo_de, on(12)) for item in g.items]
    assert today == [ward["f2"].pk]
    # Yesterday's sheet still lists the person released today.
    yesterday = {item.order.pk for g in selectors.worklist(health_worker_bo_de, on(11)) for item in g.items}
    assert ward["an"].pk in yesterday and ward["binh"].pk not in yesterday


def test_the_days_check_shows_on_the_worklist(ward: dict[str, Any], health_worker_bo_de: Any) -> None:
    isolation.record_follow_up(
        by=health_worker_bo_de, order=ward["an"], day=on(12), result="well", clock=at(day(12, 18))
    )
    items = {item.order.pk: item for g in selectors.worklist(health_worker_bo_de, on(12)) for item in g.items}
    checked = items[ward["an"].pk].check
    assert checked is not None and checked.result == "well"
    assert items[ward["binh"].pk].check is None


# Lost to follow-up -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("checks", "since", "today", "lost"),
    [
        ({}, D, D, None),  # the first day
        ({}, D, D.replace(day=2), None),  # one day missed
        ({}, D, D.replace(day=3), "not_checked"),  # two days missed
        ({D.replace(day=1): "well"}, D, D.replace(day=4), "not_checked"),
        ({D.replace(day=3): "well"}, D, D.replace(day=4), None),
        ({D.replace(day=4): "well"}, D, D.replace(day=4), None),  # reached today
        (
            {D.replace(day=2): "unreachable", D.replace(day=3): "unreachable"},
            D,
            D.replace(day=3),
            "unreachable",
        ),
        ({D.replace(day=2): "unreachable", D.replace(day=3): "well"}, D, D.replace(day=3), None),
        (
            {D.replace(day=1): "unreachable", D.replace(day=3): "unreachable"},
            D,
            D.replace(day=3),
            "unreachable",
        ),
        ({D.replace(day=3): "unreachable"}, D.replace(day=3), D.replace(day=3), None),
    ],
)
def test_lost_to_follow_up_rules(checks: dict[date, str], since: date, today: date, lost: str | None) -> None:
    assert selectors.lost_reason(checks, since, today) == lost


def test_people_not_checked_for_two_days_or_unreachable_twice_are_lost(
    ward: dict[str, Any], health_worker_bo_de: Any
) -> None:
    for n, result in ((12, "well"), (13, "unreachable"), (14, "unreachable")):
        isolation.record_follow_up(
            by=health_worker_bo_de, order=ward["an"], day=on(n), result=result, clock=at(day(n, 18))
        )
    for n in (12, 13, 14):
        isolation.record_follow_up(
            by=health_worker_bo_de, order=ward["f2"], day=on(n), result="well", clock=at(day(n, 18))
        )
    lost = {item.order.pk: item.lost for item in selectors.lost_to_follow_up(health_worker_bo_de, on(14))}
    # Bình was never checked; An could not be reached twice running; the F2 was seen every day.
    assert lost == {ward["an"].pk: "unreachable", ward["binh"].pk: "not_checked"}


# Counts ----------------------------------------------------------------------------------------------


def test_people_isolated_are_counted_by_kind_at_the_end_of_each_day(
    ward: dict[str, Any], resident: Any, health_worker_bo_de: Any, ward_officer_phuc_xa: Any
) -> None:
    isolation.cancel(by=health_worker_bo_de, order=ward["binh"], reason="Duplicate", clock=at(day(12)))
    isolation.move_to_monitoring(by=health_worker_bo_de, order=ward["dorm"], clock=at(day(24)))
    assert selectors.isolation_counts_for(health_worker_bo_de, on(9)) == dict.fromkeys(selectors.KINDS, 0)
    assert selectors.isolation_counts_for(health_worker_bo_de, on(20)) == {
        "home": 2, "facility": 1, "hospital": 0, "monitoring": 0
    }  # fmt: skip
    assert selectors.isolation_counts_for(health_worker_bo_de, on(24))["monitoring"] == 1
    assert selectors.isolation_counts_for(ward_officer_phuc_xa, on(20)) == dict.fromkeys(selectors.KINDS, 0)
    rows = selectors.isolation_counts(on(20), under="/01/004/")
    assert {(r.subject, r.kind, r.people) for r in rows} == {
        ("F1", "home", 1),
        ("F2", "home", 1),
        ("F1", "facility", 1),
    }


# Facility orders once the facility discharges ----------------------------------------------------------


def discharge(by: Any, order: Any, when: Any, reason: str = "released") -> None:
    from phaodai.quarantine import selectors as quarantine_selectors
    from phaodai.quarantine import services as quarantine

    stay = quarantine_selectors.current_admission(order.person)
    assert stay is not None
    quarantine.discharge(by=by, admission=stay, discharged_at=when, reason=reason, clock=at(when))


def test_discharged_at_the_end_of_isolation_the_order_goes_to_the_ward_to_move_to_monitoring(
    ward: dict[str, Any], health_worker_bo_de: Any, city_commander: Any
) -> None:
    dorm = ward["dorm"]
    discharge(city_commander, dorm, day(24))  # the facility's own release, 14 days on
    # 23/9: still in the facility, not on the ward's list; counted there
    before = {item.order.pk for g in selectors.worklist(health_worker_bo_de, on(23)) for item in g.items}
    assert dorm.pk not in before
    assert selectors.isolation_counts_for(health_worker_bo_de, on(23))["facility"] == 1
    # 24/9 on: out of the facility, the order still open: the ward moves them to monitoring
    items = {item.order.pk: item for g in selectors.worklist(health_worker_bo_de, on(24)) for item in g.items}
    assert (items[dorm.pk].next_step, items[dorm.pk].phase) == ("monitoring", "isolation")
    counts = selectors.isolation_counts_for(health_worker_bo_de, on(24))
    assert (counts["facility"], counts["monitoring"]) == (0, 1)
    assert {r.kind for r in selectors.isolation_counts(on(24), "/01/004/") if r.subject == "F1"} >= {
        "monitoring"
    }
    # …and once moved, the same person in the same place
    isolation.move_to_monitoring(by=health_worker_bo_de, order=dorm, clock=at(day(25)))
    assert selectors.isolation_counts_for(health_worker_bo_de, on(25))["monitoring"] == 1


def test_the_worklist_page_flags_whom_the_facility_discharged(
    ward: dict[str, Any], health_worker_bo_de: Any, city_commander: Any, client: Any
) -> None:
    discharge(city_commander, ward["dorm"], day(15, 10), reason="other")
    client.force_login(health_worker_bo_de)
    page = client.get("/cases/isolation/worklist/?day=2021-09-15").content.decode()
    assert page.count("discharged by the facility: decide home isolation or release") == 1
    assert (
        "discharged by the facility"
        not in client.get("/cases/isolation/worklist/?day=2021-09-14").content.decode()
    )


def test_discharged_early_the_person_is_followed_at_home_and_the_ward_told_to_decide(
    ward: dict[str, Any], health_worker_bo_de: Any, city_commander: Any
) -> None:
    dorm = ward["dorm"]
    discharge(city_commander, dorm, day(15, 10), reason="other")
    counts = selectors.isolation_counts_for(health_worker_bo_de, on(15))
    assert (counts["facility"], counts["home"]) == (0, 4)  # An, Bình, the F2 and now this F1
    items = {item.order.pk: item for g in selectors.worklist(health_worker_bo_de, on(15)) for item in g.items}
    item = items[dorm.pk]
    assert (item.next_step, item.phase, item.left_facility_at) == ("left_facility", "isolation", day(15, 10))
    assert selectors.worklist_areas(health_worker_bo_de, on(15))[0].people == 3  # Tổ 5: An, Bình, this F1
    # Followed from the day of the discharge: not checked on 15 and 16/9, lost on 17/9.
    lost = {i.order.pk: i.lost for i in selectors.lost_to_follow_up(health_worker_bo_de, on(17))}
    assert lost[dorm.pk] == selectors.NOT_CHECKED
    # The day before the discharge, the facility still had them.
    assert dorm.pk not in {
        i.order.pk for g in selectors.worklist(health_worker_bo_de, on(14)) for i in g.items
    }
    assert selectors.isolation_counts_for(health_worker_bo_de, on(14))["facility"] == 1


def test_a_transfer_to_another_facility_keeps_the_order_in_a_facility(
    ward: dict[str, Any], health_worker_bo_de: Any, city_commander: Any, unit: Any
) -> None:
    from phaodai.quarantine import selectors as quarantine_selectors
    from phaodai.quarantine import services as quarantine

    other = facility(city_commander, unit, "Trường THCS Long Biên")
    stay = quarantine_selectors.current_admission(ward["dorm"].person)
    assert stay is not None
    quarantine.transfer(by=city_commander, admission=stay, to_facility=other, at=day(15), clock=at(day(15)))
    assert selectors.isolation_counts_for(health_worker_bo_de, on(16))["facility"] == 1
    on_list = {i.order.pk for g in selectors.worklist(health_worker_bo_de, on(16)) for i in g.items}
    assert ward["dorm"].pk not in on_list
