"""Who sees which document and task; the two lists, overdue first, filtered and paged with bounded queries."""

from datetime import date, timedelta

import pytest
from django.http import Http404

from phaodai.command import selectors, services
from phaodai.command.models import Document, Task
from phaodai.command.tests.test_tasks_services import DUE, T0, at, later, register, ward_task
from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def ids(rows):
    return [row.pk for row in rows]


# Documents -------------------------------------------------------------------------------------------


def test_a_ward_sees_the_district_plan_only_once_given_a_task_from_it(
    district_officer_long_bien, ward_officer_bo_de, ward_officer_ngoc_lam, ward_officer_phuc_xa, unit
):
    plan = register(district_officer_long_bien, unit("004"))
    assert plan not in selectors.documents_visible_to(ward_officer_bo_de)
    ward_task(district_officer_long_bien, unit, document=plan, cooperating=[])
    assert list(selectors.documents_visible_to(ward_officer_bo_de)) == [plan]
    assert plan not in selectors.documents_visible_to(ward_officer_ngoc_lam)  # not given this task
    assert selectors.document_for(ward_officer_bo_de, plan.pk) == plan
    with pytest.raises(Http404):
        selectors.document_for(ward_officer_phuc_xa, plan.pk)
    assert AuditEntry.objects.filter(action="scope.denied", object_type="command.document").exists()


def test_the_city_sees_every_unit_s_register_and_a_district_sees_public_city_directives(
    city_commander, district_officer_long_bien, unit
):
    plan = register(district_officer_long_bien, unit("004"))
    internal = register(city_commander, unit("01"), number="788-CV/BCSD", kind=Document.Kind.LETTER)
    public = register(
        city_commander, unit("01"), number="06-CT/TU", kind=Document.Kind.DIRECTIVE, public=True
    )
    assert set(selectors.documents_visible_to(city_commander)) == {plan, internal, public}
    assert set(selectors.documents_visible_to(district_officer_long_bien)) == {plan, public}


def test_roles_without_command_see_no_document(city_commander, health_worker_bo_de, unit):
    register(city_commander, unit("01"), number="06-CT/TU", public=True)
    assert not selectors.documents_visible_to(health_worker_bo_de).exists()


def test_search_ignores_diacritics_case_and_spacing(city_commander, unit):
    letter = register(
        city_commander, unit("01"), number="788-CV/BCSD", kind=Document.Kind.LETTER,
        title="V/v phân công nhiệm vụ thực hiện Thông báo số 495-TB/TU",
    )  # fmt: skip
    other = register(city_commander, unit("01"), number="06-CT/TU", title="Tiếp tục nâng cao hiệu quả")
    assert selectors.search_documents(city_commander, "phan cong nhiem vu") == [letter]
    assert selectors.search_documents(city_commander, "788 - cv") == [letter]
    assert selectors.search_documents(city_commander, "NÂNG CAO") == [other]
    assert selectors.search_documents(city_commander, "", kind=Document.Kind.LETTER) == [letter]


# Tasks -----------------------------------------------------------------------------------------------


def test_a_task_is_read_by_the_assigning_side_and_the_assignees_only(
    district_officer_long_bien,
    city_commander,
    ward_officer_bo_de,
    ward_officer_phuc_xa,
    health_worker_bo_de,
    unit,
):
    task = ward_task(district_officer_long_bien, unit)
    for reader in (district_officer_long_bien, city_commander, ward_officer_bo_de):
        assert selectors.task_for(reader, task.pk) == task
    for outsider in (ward_officer_phuc_xa, health_worker_bo_de):
        with pytest.raises(Http404):
            selectors.task_for(outsider, task.pk)


def test_our_tasks_are_those_given_to_our_exact_units_and_optionally_below(
    city_commander, district_officer_long_bien, ward_officer_bo_de, unit
):
    to_wards = ward_task(district_officer_long_bien, unit)
    to_district = services.create_task(
        by=city_commander, assigned_by=unit("01"), title="Xóa bỏ chợ tạm, chợ cóc", due_at=DUE,
        lead=services.assignee("004"), clock=at(T0),
    )  # fmt: skip
    ours = selectors.TaskFilter(mine="ours")
    assert ids(selectors.task_list(ward_officer_bo_de, ours, at=T0).rows) == [to_wards.pk]
    assert ids(selectors.task_list(district_officer_long_bien, ours, at=T0).rows) == [to_district.pk]
    below = selectors.TaskFilter(mine="ours", include_subordinate=True)
    assert set(ids(selectors.task_list(district_officer_long_bien, below, at=T0).rows)) == {
        to_wards.pk,
        to_district.pk,
    }
    assigned = selectors.TaskFilter(mine="assigned")
    assert ids(selectors.task_list(district_officer_long_bien, assigned, at=T0).rows) == [to_wards.pk]
    assert ids(selectors.task_list(city_commander, assigned, at=T0).rows) == [to_district.pk]
    assert ids(selectors.task_list(ward_officer_bo_de, assigned, at=T0).rows) == []


def test_overdue_tasks_come_first_then_by_due_time(district_officer_long_bien, ward_officer_bo_de, unit):
    soon = ward_task(district_officer_long_bien, unit, title="soon", due_at=T0 + timedelta(hours=2))
    later_one = ward_task(district_officer_long_bien, unit, title="later", due_at=T0 + timedelta(days=3))
    late = ward_task(district_officer_long_bien, unit, title="late", due_at=T0 + timedelta(days=2))
    done = ward_task(district_officer_long_bien, unit, title="done", due_at=T0 + timedelta(hours=1))
    services.post_progress(task=done, by=ward_officer_bo_de, progress=100, status="done", clock=later(0.5))
    # At 12:00 on 08/9 "soon" and "late" are overdue; "done" was due earlier but is finished.
    moment = T0 + timedelta(days=2, hours=4)
    rows = selectors.task_list(ward_officer_bo_de, selectors.TaskFilter(), at=moment).rows
    assert ids(rows) == [soon.pk, late.pk, done.pk, later_one.pk]
    overdue = selectors.task_list(ward_officer_bo_de, selectors.TaskFilter(overdue=True), at=moment).rows
    assert ids(overdue) == [soon.pk, late.pk]
    finished = selectors.task_list(ward_officer_bo_de, selectors.TaskFilter(status="done"), at=moment).rows
    assert ids(finished) == [done.pk]
    active = selectors.task_list(ward_officer_bo_de, selectors.TaskFilter(status="active"), at=moment).rows
    assert done.pk not in ids(active)


def test_lists_filter_by_priority_and_document(district_officer_long_bien, ward_officer_bo_de, unit):
    plan = register(district_officer_long_bien, unit("004"))
    urgent = ward_task(district_officer_long_bien, unit, priority=Task.Priority.URGENT, document=plan)
    ward_task(district_officer_long_bien, unit)
    by_priority = selectors.TaskFilter(priority=Task.Priority.URGENT)
    assert ids(selectors.task_list(ward_officer_bo_de, by_priority, at=T0).rows) == [urgent.pk]
    by_document = selectors.TaskFilter(document=plan.pk)
    assert ids(selectors.task_list(ward_officer_bo_de, by_document, at=T0).rows) == [urgent.pk]


def test_pages_follow_each_other_without_gaps_or_repeats(
    district_officer_long_bien, ward_officer_bo_de, unit
):
    created = [
        ward_task(district_officer_long_bien, unit, title=f"t{i}", due_at=T0 + timedelta(hours=1 + i % 4))
        for i in range(7)
    ]
    moment = T0 + timedelta(hours=2, minutes=30)  # two due times already passed: overdue first
    seen, cursor = [], ""
    while True:
        page = selectors.task_list(
            ward_officer_bo_de, selectors.TaskFilter(), cursor=cursor, limit=3, at=moment
        )
        seen += ids(page.rows)
        cursor = page.next_cursor
        if not cursor:
            break
    everything = selectors.task_list(ward_officer_bo_de, selectors.TaskFilter(), limit=50, at=moment).rows
    assert seen == ids(everything) and sorted(seen) == sorted(t.pk for t in created)


def test_a_bad_cursor_starts_from_the_first_page(district_officer_long_bien, ward_officer_bo_de, unit):
    task = ward_task(district_officer_long_bien, unit)
    page = selectors.task_list(ward_officer_bo_de, selectors.TaskFilter(), cursor="x.y.z", at=T0)
    assert ids(page.rows) == [task.pk]


def test_the_list_costs_a_bounded_number_of_queries(
    district_officer_long_bien, ward_officer_bo_de, unit, django_assert_max_num_queries
):
    plan = register(district_officer_long_bien, unit("004"))
    for i in range(30):
        ward_task(
            district_officer_long_bien, unit, title=f"t{i}", document=plan, due_at=DUE + timedelta(hours=i)
        )
    with django_assert_max_num_queries(3):
        rows = selectors.task_list(ward_officer_bo_de, selectors.TaskFilter(), at=T0).rows
        assert len(rows) == 30
        assert all(r.document is not None and r.document.number and r.assigned_by.code for r in rows)
        assert sum(len(r.assignees.all()) for r in rows) == 60
        assert {a.unit.code for r in rows for a in r.assignees.all()} == {"00139", "00133"}


def test_assignee_choices_cover_the_acting_units_and_the_city_offices(
    city_commander, district_officer_long_bien, ward_officer_bo_de
):
    district = dict(selectors.assignee_choices(district_officer_long_bien))
    assert "004" in district and "00139" in district and "01" not in district and "01:SYT" not in district
    assert len(district) == 15  # Long Biên and its 14 wards
    city = dict(selectors.assignee_choices(city_commander))
    assert "01:SYT" in city and "004" in city and "00001" in city
    assert list(dict(selectors.assignee_choices(ward_officer_bo_de))) == ["00139"]


def test_documents_offered_for_a_task_are_the_units_and_those_above(
    city_commander, district_officer_long_bien, district_officer_ba_dinh, unit
):
    public = register(city_commander, unit("01"), number="06-CT/TU", public=True, issued_on=date(2021, 9, 1))
    own = register(district_officer_long_bien, unit("004"))
    register(district_officer_ba_dinh, unit("001"), number="414-CV/QU", public=True)
    offered = selectors.document_choices(
        district_officer_long_bien, selectors.acting_units(district_officer_long_bien)
    )
    assert offered == [own, public]


def test_overdue_means_unfinished_past_its_due_time(district_officer_long_bien, unit):
    task = ward_task(district_officer_long_bien, unit)
    assert not selectors.is_overdue(task, hanoi(2021, 9, 7, 16, 59))
    assert selectors.is_overdue(task, hanoi(2021, 9, 7, 17, 1))
