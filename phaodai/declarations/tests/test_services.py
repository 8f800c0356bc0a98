"""Submitting declarations through the service: the pass, the 72 h window, flags, double taps, follow-up."""

from datetime import timedelta

import pytest

from phaodai.accounts.roles import Perm
from phaodai.core.clock import hanoi
from phaodai.core.errors import NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.declarations import selectors, services
from phaodai.declarations.models import Declaration, ValidityRule
from phaodai.declarations.tests.conftest import CCCD, NOW, all_no, at, typed
from phaodai.notifications.models import Notification
from phaodai.passes import selectors as passes

pytestmark = pytest.mark.django_db


def submit(**changes):
    clock = changes.pop("clock", at(NOW))
    by = changes.pop("by", None)
    key = changes.pop("key", "")
    return services.submit_declaration(data=typed(**changes), by=by, idempotency_key=key, clock=clock)


def test_a_declaration_is_valid_for_72_hours_and_carries_a_signed_pass(pass_key):
    declaration, created = submit()
    assert created
    assert (declaration.valid_from, declaration.valid_to) == (NOW, NOW + timedelta(hours=72))
    assert declaration.validity_rule.code == "KBYT-72H"
    verified = passes.verify_code(declaration.pass_code, clock=at(NOW + timedelta(hours=1)))
    assert declaration.pass_code.startswith("PD1:") and verified.payload is not None
    assert verified.payload["t"] == "declaration"
    assert (verified.payload["n"], verified.payload["yb"], verified.payload["cc"]) == (
        "Nguyễn Văn An",
        1985,
        "001******345",
    )
    assert (verified.payload["sy"], verified.payload["xp"]) == (False, False)
    assert declaration.unit_path == "/01/004/00139/"
    assert declaration.channel == Declaration.Channel.PUBLIC and declaration.filed_by is None


def test_the_pass_carries_the_declared_flags(pass_key):
    answers = {**all_no(), "cough": True, "close_contact": True}
    declaration, _ = submit(answers=answers)
    payload = passes.verify_code(declaration.pass_code, clock=at(NOW)).payload
    assert payload is not None
    assert (payload["sy"], payload["xp"]) == (True, True)


def test_the_validity_comes_from_the_rule_in_force_on_the_day(pass_key):
    ValidityRule.objects.create(code="KBYT-48H-TEST", hours=48, valid_from=hanoi(2021, 10, 1).date())
    before, _ = submit(clock=at(hanoi(2021, 9, 30, 23, 59)))
    after, _ = submit(clock=at(hanoi(2021, 10, 1, 0, 0)), house="Số 1")
    assert before.valid_to - before.valid_from == timedelta(hours=72)
    assert after.valid_to - after.valid_from == timedelta(hours=48)


def test_the_checkpoint_lookup_holds_until_exactly_72_hours(pass_key):
    declaration, _ = submit()
    lookup = selectors.valid_declaration_for
    assert lookup(CCCD, NOW - timedelta(seconds=1)) is None
    assert lookup(CCCD, NOW) == declaration
    assert lookup(CCCD, NOW + timedelta(hours=72) - timedelta(seconds=1)) == declaration
    assert lookup(CCCD, NOW + timedelta(hours=72)) is None
    assert lookup("001 085 012 345", NOW + timedelta(hours=1)) == declaration


def test_the_checkpoint_lookup_takes_the_latest_declaration(pass_key):
    first, _ = submit()
    later, _ = submit(clock=at(NOW + timedelta(hours=30)), answers={**all_no(), "fever": True})
    assert selectors.valid_declaration_for(CCCD, NOW + timedelta(hours=31)) == later
    assert selectors.valid_declaration_for(CCCD, NOW + timedelta(hours=80)) == later
    assert first != later


def test_a_passport_or_cmnd_declaration_is_not_found_by_a_cccd(pass_key):
    submit(id_kind="cmnd", id_number="012345678")
    assert selectors.valid_declaration_for(CCCD, NOW) is None


def test_a_double_tap_makes_one_declaration(pass_key):
    first, created = submit()
    again, created_again = submit(clock=at(NOW + timedelta(seconds=3)))
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and Declaration.objects.count() == 1


def test_the_same_content_later_is_a_new_declaration(pass_key):
    first, _ = submit()
    later, created = submit(clock=at(NOW + timedelta(minutes=11)))
    assert created and later.pk != first.pk


def test_an_idempotency_key_returns_the_first_declaration(pass_key):
    first, _ = submit(key="tap-1")
    again, created = submit(key="tap-1", clock=at(NOW + timedelta(hours=1)))
    assert not created and again.pk == first.pk


def test_an_idempotency_key_reused_for_other_content_is_refused(pass_key):
    submit(key="tap-1")
    with pytest.raises(services.KeyReusedForOther):
        submit(key="tap-1", answers={**all_no(), "fever": True})
    assert Declaration.objects.count() == 1


def test_another_persons_idempotency_key_is_not_theirs(pass_key):
    submit(key="same-key")
    other, created = submit(key="same-key", id_number="001190054321", birth_year=1990, gender="F")
    assert created and other.id_masked == "001******321"


def test_a_flagged_declaration_goes_to_the_wards_worklist_and_notifies_it_once_a_day(
    pass_key, ward_officer_bo_de, ward_officer_phuc_xa
):
    flagged, _ = submit(answers={**all_no(), "fever": True})
    submit(answers={**all_no(), "outbreak_area": True}, clock=at(NOW + timedelta(hours=1)))
    submit(clock=at(NOW + timedelta(hours=2)), house="Số 2")  # nothing to declare: not on the list
    notices = Notification.objects.filter(kind="declaration_flagged")
    assert [(n.unit.code, n.perm) for n in notices] == [("00139", Perm.TRACE)]
    page = selectors.worklist(ward_officer_bo_de)
    assert [row.review for row in page.rows] == ["open", "open"]
    assert flagged in page.rows
    assert selectors.worklist(ward_officer_phuc_xa).rows == []


def test_an_address_outside_ha_noi_is_followed_up_by_the_city(
    pass_key, city_commander, district_officer_long_bien
):
    declaration, _ = submit(
        province="079",
        ward="",
        district_name="Quận 7",
        ward_name="Phường Tân Phong",
        answers={**all_no(), "cough": True},
    )
    assert declaration.unit_path == "/01/" and declaration.ward is None
    assert selectors.worklist(city_commander).rows == [declaration]
    assert selectors.worklist(district_officer_long_bien).rows == []


def test_an_official_files_on_the_persons_behalf(pass_key, health_worker_bo_de):
    declaration, _ = submit(by=health_worker_bo_de)
    assert declaration.channel == Declaration.Channel.OFFICIAL
    assert declaration.filed_by == health_worker_bo_de


def test_following_up_happens_once(pass_key, health_worker_bo_de, ward_officer_bo_de):
    declaration, _ = submit(answers={**all_no(), "fever": True})
    done = services.follow_up(
        declaration=declaration, by=health_worker_bo_de, note="Đã gọi điện, hẹn test nhanh"
    )
    assert (done.review, done.reviewed_by) == ("done", health_worker_bo_de)
    with pytest.raises(services.AlreadyFollowedUp):
        services.follow_up(declaration=declaration, by=ward_officer_bo_de, note="Gọi lại")
    assert AuditEntry.objects.filter(action="declarations.followed_up").count() == 1


def test_following_up_is_scoped(pass_key, ward_officer_phuc_xa, welfare_officer_bo_de):
    declaration, _ = submit(answers={**all_no(), "fever": True})
    with pytest.raises(OutOfScope):
        services.follow_up(declaration=declaration, by=ward_officer_phuc_xa, note="x")
    with pytest.raises(NotPermitted):
        services.follow_up(declaration=declaration, by=welfare_officer_bo_de, note="x")


def test_a_declaration_without_flags_has_nothing_to_follow_up(pass_key, ward_officer_bo_de):
    declaration, _ = submit()
    with pytest.raises(services.NothingToFollowUp):
        services.follow_up(declaration=declaration, by=ward_officer_bo_de, note="x")
    with pytest.raises(services.InvalidInput):
        services.follow_up(declaration=declaration, by=ward_officer_bo_de, note="   ")


def test_without_a_signing_key_nothing_is_written():
    with pytest.raises(services.passes.NoSigningKey):
        submit()
    assert Declaration.objects.count() == 0
    assert not AuditEntry.objects.filter(action="declarations.submitted").exists()


def test_officials_search_by_name_digits_day_flag_and_whole_number(
    pass_key, ward_officer_bo_de, ward_officer_phuc_xa
):
    an, _ = submit()
    binh, _ = submit(
        full_name="Trần Thị Bình", id_number="001190054321", birth_year=1990, gender="F",
        answers={**all_no(), "fever": True}, clock=at(NOW + timedelta(days=1)),
    )  # fmt: skip
    find = selectors.search
    assert find(ward_officer_bo_de, selectors.Filters(q="tran thi")).rows == [binh]
    assert find(ward_officer_bo_de, selectors.Filters(q="345")).rows == [an]
    assert find(ward_officer_bo_de, selectors.Filters(day=NOW.date())).rows == [an]
    assert find(ward_officer_bo_de, selectors.Filters(flagged=True)).rows == [binh]
    assert find(ward_officer_bo_de, selectors.Filters(flagged=False)).rows == [an]
    assert find(ward_officer_bo_de, selectors.Filters(id_number="001 190 054 321")).rows == [binh]
    assert find(ward_officer_phuc_xa, selectors.Filters()).rows == []
    first = find(ward_officer_bo_de, selectors.Filters(), limit=1)
    assert first.rows == [binh] and first.next_before == binh.pk
    assert find(ward_officer_bo_de, selectors.Filters(before=first.next_before)).rows == [an]


def test_readers_need_the_tracing_permission(welfare_officer_bo_de, checkpoint_officer_ql6):
    for user in (welfare_officer_bo_de, checkpoint_officer_ql6):
        with pytest.raises(NotPermitted):
            selectors.search(user, selectors.Filters())


def test_a_double_tap_racing_past_the_check_meets_the_constraint(pass_key, monkeypatch):
    first, _ = submit()
    real = services._same_submission
    calls = []

    def raced(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real(**kwargs)  # the check ran before the first committed

    monkeypatch.setattr(services, "_same_submission", raced)
    again, created = submit(clock=at(NOW + timedelta(seconds=2)))
    assert (again.pk, created, len(calls)) == (first.pk, False, 2)
    assert Declaration.objects.count() == 1
