"""Reads of situation reports: timeliness by jurisdiction, tables, roll-ups, trends, prefill, charts."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from django.http import Http404

from phaodai.core.clock import hanoi, to_local
from phaodai.core.errors import NotPermitted
from phaodai.sitreps import prefill, selectors, services
from phaodai.sitreps.rules import corrections
from phaodai.sitreps.tests.conftest import report

pytestmark = pytest.mark.django_db
BO_DE = "00139"
SUM_FIELDS = [
    "new_f0_community", "new_f0_quarantine", "f1_traced", "quarantine_concentrated", "quarantine_home",
    "tests_taken", "tests_positive", "results_pending", "vaccinations", "checkpoints_staffed",
    "violations_found", "violations_fined", "fines_amount", "welfare_recipients", "welfare_paid",
]  # fmt: skip


def at(hour: int, minute: int = 0, second: int = 0, day: int = 8) -> Callable[[], datetime]:
    return lambda: hanoi(2021, 9, day, hour, minute, second)


def ward_values(n: int) -> dict[str, Any]:
    """A distinct, consistent report for the n-th ward."""
    return report(
        new_f0_community=n, f1_traced=10 * n + 1, tests_taken=100 + n, tests_positive=n % 3,
        welfare_paid=1_000_000 * n, welfare_recipients=n + 1, situation=f"Tình hình phường số {n}",
    )  # fmt: skip


def play_day(officers: dict[str, Any], unit: Callable[[str], Any], day: int = 8) -> dict[str, Any]:
    """Long Biên on `day`/9/2021: the first 12 wards report on time, the 13th late, the 14th not at all."""
    schedule = selectors.schedule_by_code("ward-daily-1630")
    instance = selectors.parse_slot(schedule, f"2021-09-{day:02d}T16:30")
    wards = sorted(officers)
    values = {}
    for n, code in enumerate(wards[:13]):
        clock = at(15, n, day=day) if n < 12 else at(17, 5, day=day)
        values[code] = ward_values(n)
        services.submit_report(
            by=officers[code], schedule=schedule, unit=unit(code), instance=instance, values=values[code],
            clock=clock,
        )  # fmt: skip
    return {"on_time": wards[:12], "late": wards[12], "missing": wards[13], "values": values}


@pytest.fixture
def schedule():
    return selectors.schedule_by_code("ward-daily-1630")


@pytest.fixture
def day_played(long_bien_ward_officers, unit):
    return play_day(long_bien_ward_officers, unit)


def codes(units: Any) -> list[str]:
    return [u.code for u in units]


# Timeliness ---------------------------------------------------------------------------------------


def test_the_district_sees_twelve_on_time_one_late_one_missing(
    day_played, schedule, district_officer_long_bien, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        [slot] = selectors.timeliness(schedule, date(2021, 9, 8), district_officer_long_bien, clock=at(18))
    assert (slot.expected, slot.state) == (14, "late")
    assert codes(slot.on_time) == day_played["on_time"]
    assert codes(slot.late) == [day_played["late"]]
    assert codes(slot.missing) == [day_played["missing"]]
    assert to_local(slot.instance.timing.deadline_at) == hanoi(2021, 9, 8, 16, 30)


def test_the_city_expects_every_ward_of_hanoi(
    day_played, schedule, city_commander, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        [slot] = selectors.timeliness(schedule, date(2021, 9, 8), city_commander, clock=at(18))
    assert slot.expected == 579
    assert (len(slot.on_time), len(slot.late), len(slot.missing)) == (12, 1, 566)


def test_a_ward_officer_sees_only_their_ward(day_played, schedule, ward_officer_bo_de):
    [slot] = selectors.timeliness(schedule, date(2021, 9, 8), ward_officer_bo_de, clock=at(18))
    assert slot.expected == 1 and codes(slot.on_time) == [BO_DE] and not slot.missing
    table = selectors.slot_table(
        schedule, selectors.parse_slot(schedule, "2021-09-08T16:30"), ward_officer_bo_de
    )
    assert [u.code for u, _ in table.rows] == [BO_DE]


def test_another_district_and_roles_without_reports_see_nothing_of_long_bien(
    day_played, schedule, district_officer_ba_dinh, health_worker_bo_de, unit
):
    [slot] = selectors.timeliness(schedule, date(2021, 9, 8), district_officer_ba_dinh, within=unit("004"))
    assert slot.expected == 0
    with pytest.raises(NotPermitted):
        selectors.timeliness(schedule, date(2021, 9, 8), health_worker_bo_de)
    with pytest.raises(Http404):
        selectors.unit_in_view(district_officer_ba_dinh, "004")


def test_a_day_before_the_schedule_is_in_force_has_no_slots(schedule, district_officer_long_bien):
    assert selectors.timeliness(schedule, date(2021, 7, 1), district_officer_long_bien) == []


# Tables and roll-ups ------------------------------------------------------------------------------


def test_the_district_total_is_the_sum_of_its_wards(day_played, schedule, district_officer_long_bien):
    instance = selectors.parse_slot(schedule, "2021-09-08T16:30")
    table = selectors.slot_table(schedule, instance, district_officer_long_bien)
    reported = day_played["values"]
    assert len(table.rows) == 14 and sum(1 for _, s in table.rows if s is None) == 1
    for code in SUM_FIELDS:
        assert table.total[code] == sum(values[code] for values in reported.values()), code
    assert table.total["situation"].count("Tình hình phường số") == 13


def test_the_district_roll_up_draft_sums_its_wards_and_collects_their_text(
    day_played, long_bien_ward_officers, unit
):
    district = selectors.schedule_by_code("district-3x-daily")
    draft = selectors.rollup_draft(district, unit("004"), selectors.parse_slot(district, "2021-09-08T18:00"))
    assert draft is not None
    reported = day_played["values"]
    assert {u.code for u, _ in draft.sources} == set(reported)
    assert codes(draft.missing) == [day_played["missing"]]
    for code in SUM_FIELDS:
        assert draft.values[code] == sum(values[code] for values in reported.values()), code
    lines = draft.values["situation"].split("\n")
    assert len(lines) == 13 and all(": Tình hình phường số " in line for line in lines)
    assert f"{unit(BO_DE).name}: " in draft.values["situation"]


def test_the_roll_up_window_is_each_wards_latest_report_in_the_24_hours_up_to_the_slot(
    long_bien_ward_officers, unit, schedule
):
    officers = long_bien_ward_officers
    wards = sorted(officers)

    def submit(code: str, day: int, **values: Any) -> None:
        services.submit_report(
            by=officers[code], schedule=schedule, unit=unit(code),
            instance=selectors.parse_slot(schedule, f"2021-09-{day:02d}T16:30"), values=report(**values),
            clock=at(15, day=day),
        )  # fmt: skip

    submit(wards[0], 6, tests_taken=600)  # two days before: not in the window
    submit(wards[1], 7, tests_taken=700)
    submit(wards[1], 8, tests_taken=800)  # its latest replaces the day before's
    submit(wards[2], 7, tests_taken=70)
    district = selectors.schedule_by_code("district-3x-daily")

    def draft(slot: str) -> Any:
        found = selectors.rollup_draft(district, unit("004"), selectors.parse_slot(district, slot))
        assert found is not None
        return found

    evening = draft("2021-09-08T18:00")
    assert {u.code: s.values["tests_taken"] for u, s in evening.sources} == {wards[1]: 800}
    assert evening.values["tests_taken"] == 800 and wards[0] in codes(evening.missing)
    noon = draft("2021-09-08T12:00")  # the 24 hours since 12:00 on the 7th: the 7th's 16:30 reports
    assert {u.code: s.values["tests_taken"] for u, s in noon.sources} == {wards[1]: 700, wards[2]: 70}
    assert noon.values["tests_taken"] == 770
    assert (
        selectors.rollup_draft(schedule, unit(BO_DE), selectors.parse_slot(schedule, "2021-09-08T16:30"))
        is None
    )


# Trends, prefill, charts --------------------------------------------------------------------------


def test_the_trend_gives_each_weeks_on_time_rate(
    schedule, ward_officer_bo_de, unit, district_officer_long_bien
):
    for day, clock in [(6, at(15, day=6)), (7, at(15, day=7)), (8, at(16, 30, day=8)), (9, at(17, day=9))]:
        services.submit_report(
            by=ward_officer_bo_de, schedule=schedule, unit=unit(BO_DE),
            instance=selectors.parse_slot(schedule, f"2021-09-{day:02d}T16:30"), values=report(), clock=clock,
        )  # fmt: skip
    rows = selectors.timeliness_trend(
        schedule, district_officer_long_bien, weeks=2, within=unit(BO_DE), clock=at(20, day=15)
    )
    [(ward, weeks)] = rows
    assert ward.code == BO_DE
    assert [(w.week_start, w.expected, w.on_time, w.late, w.rate) for w in weeks] == [
        (date(2021, 9, 6), 7, 3, 1, 42.9),
        (date(2021, 9, 13), 3, 0, 0, 0.0),  # Wednesday evening: three deadlines have passed
    ]
    everyone = selectors.timeliness_trend(schedule, district_officer_long_bien, weeks=1, clock=at(20, day=15))
    assert len(everyone) == 14


@pytest.fixture
def cases_provider():
    calls: list[tuple[Any, ...]] = []

    def provide(units: Any, start: datetime, end: datetime) -> dict[int, dict[str, Any]]:
        calls.append((tuple(u.code for u in units), start, end))
        return {u.pk: {"new_f0_community": 5, "f1_traced": 40, "not_on_the_form": 1} for u in units}

    prefill.register_provider("test-cases", ["new_f0_community", "f1_traced", "not_on_the_form"], provide)
    yield calls
    prefill.unregister_provider("test-cases")


def test_registered_providers_prefill_and_the_reporters_corrections_are_kept(
    cases_provider, schedule, unit, ward_officer_bo_de
):
    instance = selectors.parse_slot(schedule, "2021-09-08T16:30")
    known = selectors.prefilled_values(schedule, unit(BO_DE), instance)
    assert known == {"new_f0_community": 5, "f1_traced": 40}
    # The period since the previous slot: 16:30 the day before up to this one.
    assert cases_provider == [((BO_DE,), hanoi(2021, 9, 7, 16, 30), hanoi(2021, 9, 8, 16, 30))]
    submission, _ = services.submit_report(
        by=ward_officer_bo_de, schedule=schedule, unit=unit(BO_DE), instance=instance,
        values=report(new_f0_community=5, f1_traced=42), prefilled=known, clock=at(15),
    )  # fmt: skip
    submission.refresh_from_db()
    assert submission.prefilled == known and submission.values["f1_traced"] == 42
    assert corrections(submission.prefilled, submission.values) == {"f1_traced": (40, 42)}


def test_the_daily_series_rolls_up_the_main_indicators_per_day(schedule, unit, long_bien_ward_officers):
    officers = long_bien_ward_officers
    for day, tests in [(6, 100), (8, 300)]:
        for code in (BO_DE, "00133"):
            services.submit_report(
                by=officers[code], schedule=schedule, unit=unit(code),
                instance=selectors.parse_slot(schedule, f"2021-09-{day:02d}T16:30"),
                values=report(tests_taken=tests), clock=at(15, day=day),
            )  # fmt: skip
    series = selectors.daily_series(schedule, unit("004"), days=4, clock=at(20, day=8))
    main = {s.field.code: s.points for s in series}
    assert set(main) == {
        "new_f0_community", "new_f0_quarantine", "f1_traced", "quarantine_concentrated", "tests_taken",
        "vaccinations",
    }  # fmt: skip
    assert main["tests_taken"] == [
        (date(2021, 9, 5), None), (date(2021, 9, 6), 200), (date(2021, 9, 7), None), (date(2021, 9, 8), 600),
    ]  # fmt: skip
    ward_only = {
        s.field.code: s.points for s in selectors.daily_series(schedule, unit(BO_DE), days=1, clock=at(20))
    }
    assert ward_only["tests_taken"] == [(date(2021, 9, 8), 300)]


def test_missed_slots_are_the_unreported_ones_still_taking_late_reports(unit, ward_officer_bo_de):
    schedule = selectors.schedule_by_code("ward-daily-1630")
    bo_de = unit(BO_DE)

    def missed(clock: Callable[[], datetime]) -> list[str]:
        return [instance.iso for instance in selectors.missed_instances(schedule, bo_de, clock=clock)]

    assert missed(at(16, 30)) == ["2021-09-07T16:30"]  # today's is still on time, yesterday's not locked
    assert missed(at(16, 30, 1)) == ["2021-09-08T16:30"]  # yesterday's locked as today's went late
    instance = selectors.parse_slot(schedule, "2021-09-08T16:30")
    services.submit_report(
        by=ward_officer_bo_de, schedule=schedule, unit=bo_de, instance=instance, values=report(),
        clock=at(17),
    )  # fmt: skip
    assert missed(at(17, 1)) == []
    assert missed(at(16, 31, day=9)) == ["2021-09-09T16:30"]
