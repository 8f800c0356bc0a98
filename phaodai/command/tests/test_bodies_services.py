"""Writes and reads of committees, members, duty shifts, hotlines and commendations (S8, S12, S14)."""

from datetime import date

import pytest

from phaodai.command import selectors, services
from phaodai.command.models import Commendation, Committee, DutyShift, Hotline, Member
from phaodai.command.services import (
    CommitteeExists,
    DutyClash,
    HotlineChanges,
    HotlineNumberTaken,
    MemberChanges,
)
from phaodai.core.clock import hanoi
from phaodai.core.errors import Duplicate, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.identity import InvalidPhone
from phaodai.core.models import AuditEntry

SEPT_10 = hanoi(2021, 9, 10, 9)
S8_DEADLINE = date(2021, 9, 7)


def at(moment):
    return lambda: moment


def new_body(by, unit, kind="steering", day=date(2021, 9, 6), **fields):
    fields.setdefault("decision_number", "12-QĐ/ĐU" if kind == "steering" else "345/QĐ-UBND")
    fields.setdefault("decision_date", day)
    return services.create_committee(
        by=by, unit=unit, kind=kind, established_on=day, clock=at(SEPT_10), **fields
    )


def seat(by, committee, position, name="Nguyễn Văn An", phone="0912345678", title="Bí thư Đảng ủy phường"):
    changes = MemberChanges(full_name=name, title=title, position=position, phone=phone)
    return services.add_member(by=by, committee=committee, changes=changes, clock=at(SEPT_10))


def both_bodies(by, unit, day=date(2021, 9, 6)):
    """A unit with a headed steering committee and a command center with its chief."""
    steering = new_body(by, unit, "steering", day)
    seat(by, steering, "head")
    center = new_body(by, unit, "command_center", day)
    seat(by, center, "chief", name="Trần Văn Bình", title="Chủ tịch UBND phường")
    return steering, center


def hotline(by, unit, number="024 3999 0139", **fields):
    fields.setdefault("label", "Đường dây nóng phòng, chống dịch")
    return services.add_hotline(by=by, unit=unit, changes=HotlineChanges(number=number, **fields))


# Committees ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_ward_records_its_steering_committee_with_the_usual_name_and_an_audit_entry(
    unit, ward_officer_bo_de
):
    steering = new_body(ward_officer_bo_de, unit("00139"))
    assert steering.name == "Ban Chỉ đạo phòng, chống dịch phường Bồ Đề"
    assert (steering.decision_number, steering.established_on) == ("12-QĐ/ĐU", date(2021, 9, 6))
    entry = AuditEntry.objects.get(action="command.create_committee")
    assert (entry.object_id, entry.unit_path) == (str(steering.pk), "/01/004/00139/")


@pytest.mark.django_db
def test_a_second_standing_body_of_a_kind_is_refused_until_the_first_is_dissolved(unit, ward_officer_bo_de):
    bo_de = unit("00139")
    first = new_body(ward_officer_bo_de, bo_de)
    new_body(ward_officer_bo_de, bo_de, "command_center")  # the other kind is fine
    with pytest.raises(CommitteeExists) as refused:
        new_body(ward_officer_bo_de, bo_de, day=date(2021, 9, 7))
    assert (refused.value.status, refused.value.field) == (409, "kind")
    assert "already has a standing body" in str(refused.value)
    services.dissolve_committee(
        by=ward_officer_bo_de, committee=first, on=date(2021, 9, 8), clock=at(SEPT_10)
    )
    second = new_body(ward_officer_bo_de, bo_de, day=date(2021, 9, 8))
    assert Committee.objects.filter(unit=bo_de, kind="steering").count() == 2
    assert second.dissolved_on is None


@pytest.mark.django_db
def test_the_database_itself_keeps_one_standing_body_per_kind(unit, ward_officer_bo_de):
    from django.db import IntegrityError, transaction

    bo_de = unit("00139")
    new_body(ward_officer_bo_de, bo_de)
    with pytest.raises(IntegrityError), transaction.atomic():
        Committee.objects.create(
            unit=bo_de, unit_path=bo_de.path, kind="steering", name="x", established_on=date(2021, 9, 6)
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        (
            {"day": date(2021, 9, 5), "decision_date": date(2021, 9, 6)},
            "established_on",
            "before the decision",
        ),
        ({"day": date(2021, 9, 11), "decision_date": date(2021, 9, 6)}, "established_on", "future"),
        ({"decision_date": date(2021, 9, 11)}, "decision_date", "future"),
        ({"kind": "council"}, "kind", "steering committee or a command center"),
        ({"decision_number": "x" * 41}, "decision_number", "At most 40"),
    ],
)
def test_bad_committee_input_is_refused_naming_the_field(unit, ward_officer_bo_de, fields, field, words):
    with pytest.raises(InvalidInput) as refused:
        new_body(ward_officer_bo_de, unit("00139"), **fields)
    assert refused.value.field == field and words in str(refused.value)
    assert not Committee.objects.exists()


@pytest.mark.django_db
def test_a_unit_outside_the_jurisdiction_is_not_found_and_the_attempt_is_logged(
    unit, ward_officer_phuc_xa, health_worker_bo_de
):
    with pytest.raises(OutOfScope):
        new_body(ward_officer_phuc_xa, unit("00139"))
    assert AuditEntry.objects.filter(action="scope.denied", object_id="00139").exists()
    with pytest.raises(NotPermitted):  # a health worker covers Bồ Đề but does not keep its bodies
        new_body(health_worker_bo_de, unit("00139"))
    assert not Committee.objects.exists()


# Members ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_members_phone_is_checked_and_stored_in_its_national_form(unit, ward_officer_bo_de):
    steering = new_body(ward_officer_bo_de, unit("00139"))
    assert seat(ward_officer_bo_de, steering, "head", phone="+84 912 345 678").phone == "0912345678"
    with pytest.raises(InvalidPhone) as refused:
        seat(ward_officer_bo_de, steering, "member", phone="0123 456")
    assert refused.value.field == "phone"
    assert "10 digits" in str(refused.value)
    assert seat(ward_officer_bo_de, steering, "member", phone="").phone == ""


@pytest.mark.django_db
def test_a_chief_does_not_sit_on_a_steering_committee(unit, ward_officer_bo_de):
    steering = new_body(ward_officer_bo_de, unit("00139"))
    with pytest.raises(InvalidInput) as refused:
        seat(ward_officer_bo_de, steering, "chief")
    assert refused.value.field == "position"
    assert "Head (Trưởng ban)" in str(refused.value)


@pytest.mark.django_db
def test_a_steering_committee_without_its_head_is_recorded_but_flagged_until_one_is_seated(
    unit, ward_officer_bo_de
):
    bo_de = unit("00139")
    steering = new_body(ward_officer_bo_de, bo_de)
    seat(ward_officer_bo_de, steering, "deputy")
    [body] = selectors.bodies_of(bo_de)
    assert (body.completeness.complete, body.completeness.problem) == (False, "missing_leader")
    head = seat(ward_officer_bo_de, steering, "head", name="Lê Văn Cường")
    assert selectors.bodies_of(bo_de)[0].completeness.complete
    # A second head is recorded (the rule warns, it does not refuse) and flagged.
    seat(ward_officer_bo_de, steering, "head", name="Phạm Văn Dũng")
    assert selectors.bodies_of(bo_de)[0].completeness.problem == "several_leaders"
    services.remove_member(by=ward_officer_bo_de, member=head, clock=at(SEPT_10))
    services.remove_member(by=ward_officer_bo_de, member=head, clock=at(SEPT_10))  # again: a no-op
    assert selectors.bodies_of(bo_de)[0].completeness.complete
    assert AuditEntry.objects.filter(action="command.remove_member").count() == 1


@pytest.mark.django_db
def test_editing_a_member_rechecks_the_position_and_phone(unit, ward_officer_bo_de):
    center = new_body(ward_officer_bo_de, unit("00139"), "command_center")
    member = seat(ward_officer_bo_de, center, "chief")
    changes = MemberChanges(full_name="Nguyễn Văn An", title="Chủ tịch UBND phường", position="deputy",
                            phone="0987 654 321", order=5)  # fmt: skip
    edited = services.edit_member(by=ward_officer_bo_de, member=member, changes=changes)
    assert (edited.position, edited.phone, edited.order) == ("deputy", "0987654321", 5)
    with pytest.raises(InvalidInput):
        services.edit_member(by=ward_officer_bo_de, member=member, changes=MemberChanges("A", "B", "head"))
    assert Member.objects.get(pk=member.pk).position == "deputy"


# Readiness (S8: both bodies in every ward by 07/9) --------------------------------------------------


@pytest.mark.django_db
def test_the_district_sees_which_wards_had_both_bodies_by_the_deadline(unit, district_officer_long_bien):
    long_bien = unit("004")
    wards = list(long_bien.children.order_by("code"))
    for ward in wards[:12]:
        both_bodies(district_officer_long_bien, ward, date(2021, 9, 6))
    both_bodies(district_officer_long_bien, wards[12], date(2021, 9, 8))  # a day late
    new_body(
        district_officer_long_bien, wards[13], "steering", date(2021, 9, 5)
    )  # no head, no command center
    rows = {row.unit.code: row.readiness for row in selectors.readiness_below(long_bien, S8_DEADLINE)}
    assert len(rows) == 14
    assert [code for code, r in rows.items() if not r.ready] == [wards[12].code, wards[13].code]
    assert rows[wards[12].code].steering_on == date(2021, 9, 8)
    assert rows[wards[13].code].missing == ("steering", "command_center")
    later = selectors.readiness_below(long_bien, date(2021, 9, 8))
    assert sum(1 for row in later if row.readiness.ready) == 13


# Duty ------------------------------------------------------------------------------------------


def on_duty(by, unit, start, end, name="Nguyễn Văn An", **fields):
    return services.add_duty_shift(by=by, unit=unit, full_name=name, starts_at=start, ends_at=end, **fields)


@pytest.mark.django_db
def test_overlapping_shifts_of_one_person_are_refused_naming_the_clashing_shift(
    unit, district_officer_long_bien
):
    long_bien = unit("004")
    first = on_duty(district_officer_long_bien, long_bien, hanoi(2021, 9, 6, 7), hanoi(2021, 9, 6, 19))
    with pytest.raises(DutyClash) as refused:
        on_duty(district_officer_long_bien, long_bien, hanoi(2021, 9, 6, 18), hanoi(2021, 9, 7, 6),
                name="nguyễn văn  an")  # fmt: skip
    assert refused.value.status == 409 and refused.value.field == "starts_at"
    assert str(refused.value) == (
        f"nguyễn văn an is already on duty from 06/09/2021 07:00 to 06/09/2021 19:00 (shift no. {first.pk})."
    )
    on_duty(
        district_officer_long_bien, long_bien, hanoi(2021, 9, 6, 19), hanoi(2021, 9, 7, 7)
    )  # back to back
    on_duty(
        district_officer_long_bien,
        long_bien,
        hanoi(2021, 9, 6, 18),
        hanoi(2021, 9, 7, 6),
        name="Trần Thị Bình",
    )
    on_duty(
        district_officer_long_bien, unit("00139"), hanoi(2021, 9, 6, 8), hanoi(2021, 9, 6, 9)
    )  # another unit
    assert DutyShift.objects.count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "field", "words"),
    [
        (hanoi(2021, 9, 6, 19), hanoi(2021, 9, 6, 7), "ends_at", "end after it starts"),
        (hanoi(2021, 9, 6, 7), hanoi(2021, 9, 6, 7), "ends_at", "end after it starts"),
        (hanoi(2021, 9, 6, 7), hanoi(2021, 9, 16, 7), "ends_at", "at most 7 days"),
        (None, hanoi(2021, 9, 6, 7), "starts_at", "required"),
    ],
)
def test_a_shift_must_end_after_it_starts(unit, district_officer_long_bien, start, end, field, words):
    with pytest.raises(InvalidInput) as refused:
        on_duty(district_officer_long_bien, unit("004"), start, end)
    assert refused.value.field == field and words in str(refused.value)
    assert not DutyShift.objects.exists()


@pytest.mark.django_db
def test_a_shift_takes_a_members_name_and_phone_and_shows_who_is_on_duty_now(
    unit, district_officer_long_bien
):
    long_bien = unit("004")
    _steering, center = both_bodies(district_officer_long_bien, long_bien)
    chief = center.members.get()
    shift = services.add_duty_shift(
        by=district_officer_long_bien, unit=long_bien, member=chief,
        starts_at=hanoi(2021, 9, 6, 7), ends_at=hanoi(2021, 9, 6, 19),
    )  # fmt: skip
    assert (shift.full_name, shift.phone) == ("Trần Văn Bình", "0912345678")
    assert selectors.on_duty(long_bien, hanoi(2021, 9, 6, 12)) == [shift]
    assert selectors.on_duty(long_bien, hanoi(2021, 9, 6, 19)) == []
    with pytest.raises(InvalidInput) as refused:  # a member of another unit's body
        bo_de_center = new_body(district_officer_long_bien, unit("00139"), "command_center")
        services.add_duty_shift(
            by=district_officer_long_bien, unit=long_bien,
            member=seat(district_officer_long_bien, bo_de_center, "chief"),
            starts_at=hanoi(2021, 9, 7, 7), ends_at=hanoi(2021, 9, 7, 19),
        )  # fmt: skip
    assert refused.value.field == "member"
    with pytest.raises(InvalidInput) as bad_phone:
        on_duty(
            district_officer_long_bien,
            long_bien,
            hanoi(2021, 9, 8, 7),
            hanoi(2021, 9, 8, 19),
            phone="024 123",
        )
    assert bad_phone.value.field == "phone"


# Hotlines --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("", "missing"),
        ("024 3999 01", "11 digits"),
        ("hotline", "digits only"),
        ("0123 456 789", "not a Vietnamese mobile prefix"),
        ("84 912 345 678", "starts with 0"),
    ],
)
def test_a_bad_hotline_number_is_refused_saying_why(unit, ward_officer_bo_de, number, words):
    with pytest.raises(InvalidInput) as refused:
        hotline(ward_officer_bo_de, unit("00139"), number=number)
    assert refused.value.field == "number" and words in str(refused.value)
    assert not Hotline.objects.exists()


@pytest.mark.django_db
def test_a_unit_lists_a_number_once_and_says_its_hours_unless_24_7(unit, ward_officer_bo_de):
    bo_de = unit("00139")
    line = hotline(ward_officer_bo_de, bo_de, number="(024) 3999.0139")
    assert (line.number, line.number_display, line.order) == ("02439990139", "024 3999 0139", 10)
    with pytest.raises(HotlineNumberTaken):
        hotline(ward_officer_bo_de, bo_de, number="+84 24 3999 0139")
    with pytest.raises(InvalidInput) as refused:
        hotline(ward_officer_bo_de, bo_de, number="1022", always_open=False)
    assert refused.value.field == "hours"
    office = hotline(ward_officer_bo_de, bo_de, number="1022", always_open=False, hours="7:00–22:00")
    edited = services.edit_hotline(
        by=ward_officer_bo_de, hotline=office,
        changes=HotlineChanges(
            label="Tổng đài", number="1022", always_open=True, hours="ignored", published=False
        ),
    )  # fmt: skip
    assert (edited.always_open, edited.hours, edited.published) == (True, "", False)


@pytest.mark.django_db
def test_published_hotlines_of_a_ward_include_its_district_and_city_nearest_first(
    unit, ward_officer_bo_de, district_officer_long_bien, city_commander
):
    hotline(city_commander, unit("01"), number="024 3999 0001")
    hotline(district_officer_long_bien, unit("004"), number="024 3999 0004")
    hotline(ward_officer_bo_de, unit("00139"), number="024 3999 0139")
    hotline(ward_officer_bo_de, unit("00139"), number="024 3999 0140", published=False)
    hotline(district_officer_long_bien, unit("00133"), number="024 3999 0133")  # a sibling ward
    found = [h.number for h in selectors.published_hotlines_for(unit("00139"))]
    assert found == ["02439990139", "02439990004", "02439990001"]


@pytest.mark.django_db
def test_hotlines_are_kept_within_the_jurisdiction(unit, ward_officer_phuc_xa, ward_officer_bo_de):
    with pytest.raises(OutOfScope):
        hotline(ward_officer_phuc_xa, unit("00139"))
    line = hotline(ward_officer_bo_de, unit("00139"))
    with pytest.raises(OutOfScope):
        services.delete_hotline(by=ward_officer_phuc_xa, hotline=line)
    services.delete_hotline(by=ward_officer_bo_de, hotline=line)
    assert not Hotline.objects.exists()


# Commendations ---------------------------------------------------------------------------------


def commend(by, unit, **fields):
    fields.setdefault("recipient", "Tổ Covid cộng đồng tổ dân phố 5")
    fields.setdefault("decision_date", date(2021, 9, 30))
    return services.record_commendation(
        by=by, unit=unit, recipient_kind=fields.pop("kind", "model"), reason="Hỗ trợ F0 điều trị tại nhà.",
        decision_number="4120/QĐ-UBND", clock=at(hanoi(2021, 10, 1)), **fields,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_commendation_is_registered_unpublished_and_an_officer_publishes_it(
    unit, district_officer_long_bien
):
    found = commend(district_officer_long_bien, unit("00139"))
    assert not found.published and selectors.published_commendations() == []
    services.set_commendation_published(by=district_officer_long_bien, commendation=found, published=True)
    services.set_commendation_published(by=district_officer_long_bien, commendation=found, published=True)
    assert selectors.published_commendations(district=unit("004"), year=2021) == [found]
    assert selectors.published_commendations(district=unit("001")) == []
    assert selectors.published_commendations(year=2020) == []
    assert AuditEntry.objects.filter(action="command.publish_commendation").count() == 1  # once: no-op again


@pytest.mark.django_db
def test_commendations_refuse_duplicates_future_decisions_and_outsiders(
    unit, district_officer_long_bien, ward_officer_phuc_xa
):
    found = commend(district_officer_long_bien, unit("00139"))
    with pytest.raises(Duplicate, match="already registered"):
        commend(district_officer_long_bien, unit("00139"))
    with pytest.raises(InvalidInput) as refused:
        commend(district_officer_long_bien, unit("00139"), recipient="Khác", decision_date=date(2021, 10, 2))
    assert refused.value.field == "decision_date"
    with pytest.raises(InvalidInput) as kind:
        commend(district_officer_long_bien, unit("00139"), recipient="Khác", kind="team")
    assert kind.value.field == "recipient_kind"
    with pytest.raises(OutOfScope):
        services.set_commendation_published(by=ward_officer_phuc_xa, commendation=found, published=True)
    assert not Commendation.objects.get(pk=found.pk).published


def totals():
    published = Commendation.objects.filter(published=True).count()
    models = (Committee, Member, DutyShift, Hotline)
    return (*(model.objects.count() for model in models), published)


# The demo --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_seeds_long_bien_with_one_ward_late_and_runs_again_without_changes(
    unit, city_commander, district_officer_long_bien
):
    from phaodai.demo.bodies_seed import seed_committees_and_hotlines

    def seed():
        return seed_committees_and_hotlines(
            by_city=city_commander, by_district=district_officer_long_bien, clock=at(hanoi(2021, 9, 5, 8))
        )

    said = seed()
    assert "Phường Phúc Lợi established them on 08/9 (late)" in said[-2]
    rows = selectors.readiness_below(unit("004"), S8_DEADLINE)
    assert [row.unit.code for row in rows if not row.readiness.ready] == ["00136"]
    city_bodies = selectors.bodies_of(unit("01"))
    assert [b.completeness.complete for b in city_bodies] == [True, True]
    chief = next(m for m in city_bodies[1].members if m.position == "chief")
    assert (chief.full_name, chief.phone) == ("Chu Ngọc Anh", "")
    assert selectors.on_duty(unit("004"), hanoi(2021, 9, 9, 3)) != []
    assert selectors.on_duty(unit("004"), hanoi(2021, 9, 12, 23, 59)) != []
    counts = totals()
    assert counts[0] == 2 * 16 and counts[3] == 2 + 1 + 14 and counts[4] == 4
    assert all("(demo)" in h.label for h in Hotline.objects.all())
    seed()
    assert totals() == counts
