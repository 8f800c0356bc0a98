"""Pure policy of checkpoints: managing levels, the boundary key, weeks, overlaps, plates, peaks."""

from datetime import date, datetime, timedelta

from phaodai.checkpoints import rules


def test_a_gateway_is_run_by_a_district_and_a_residential_checkpoint_by_a_ward():
    assert rules.managing_level_allowed(rules.CITY_GATEWAY, "district")
    assert not rules.managing_level_allowed(rules.CITY_GATEWAY, "city")
    assert not rules.managing_level_allowed(rules.CITY_GATEWAY, "ward")
    assert rules.managing_level_allowed(rules.RESIDENTIAL, "ward")
    assert rules.managing_level_allowed(rules.PROVINCE_BORDER, "ward")
    assert not rules.managing_level_allowed("nonsense", "ward")


def test_the_boundary_key_is_the_same_whichever_side_registers():
    assert rules.boundary_key("00139", "00133", "ql5") == rules.boundary_key("00133", "00139", "ql5")
    assert rules.boundary_key("00139", "00133", "ql5") != rules.boundary_key("00139", "00133", "ql1a")


def test_weeks_start_on_monday():
    assert rules.week_start(date(2021, 9, 19)) == date(2021, 9, 13)
    assert rules.week_start(date(2021, 9, 13)) == date(2021, 9, 13)


def test_shifts_that_touch_do_not_overlap():
    six = datetime(2021, 9, 14, 6)
    two = six + timedelta(hours=8)
    assert not rules.overlaps(six, two, two, two + timedelta(hours=8))
    assert rules.overlaps(six, two, two - timedelta(minutes=1), two + timedelta(hours=8))


def test_who_may_stand_a_shift():
    ward, district = "/01/268/09562/", "/01/268/"
    # A ward checkpoint: the ward's own people, and the district above it.
    assert rules.may_staff([ward], [ward, ""], district)
    assert rules.may_staff([district], [ward, ""], district)
    # Another ward of the district, or the city, is not "at the checkpoint's unit".
    assert not rules.may_staff(["/01/268/09565/"], [ward, ""], district)
    assert not rules.may_staff(["/01/"], [ward, ""], district)
    # A district checkpoint: the district's people and those of its wards, and the other side's.
    assert rules.may_staff([ward], [district, "/01/277/"], "")
    assert rules.may_staff(["/01/277/"], [district, "/01/277/"], "")


def test_plates_lose_their_separators_and_non_plates_are_refused():
    assert rules.plate_key("29c-123.45") == "29C12345"
    assert rules.plate_key("30A 999.99") == "30A99999"
    assert rules.plate_key("29LD-123.45") == "29LD12345"
    assert rules.plate_key("hello") == ""
    assert rules.plate_key("") == ""


def test_failed_rule_problems():
    assert rules.failed_rule_problem("PD-PERMIT-0001", "Đã tiêm đủ 2 mũi") is None
    assert rules.failed_rule_problem("", "x") == "rule_id"
    assert rules.failed_rule_problem("a b", "x") == "rule_id"
    assert rules.failed_rule_problem("X", "y" * 301) == "description"


def test_the_peak_is_the_busiest_hour_and_the_earliest_of_equals():
    hours = rules.hours_of_day({7: (10, 1), 8: (12, 0), 17: (12, 3)})
    assert len(hours) == 24 and hours[0].crossings == 0
    assert rules.peak(hours) == rules.HourCount(8, 12, 0)
    assert rules.peak(rules.hours_of_day({})) is None
    assert rules.HourCount(17, 12, 3).allowed == 9
