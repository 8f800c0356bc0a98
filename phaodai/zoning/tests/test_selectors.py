"""What is in force where and when (S5), and the scoped reads of rounds and proposals."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.http import Http404

from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.territory.rules import AreaRow
from phaodai.zoning import selectors, services
from phaodai.zoning.tests.test_services import (
    BO_DE,
    DISTRICT_REASON,
    LONG_BIEN,
    NGOC_LAM,
    SEPTEMBER,
    Scene,
    build_scene,
    fixed,
    make_areas,
    proposal_of,
)

pytestmark = pytest.mark.django_db

CT17_EFFECT = hanoi(2021, 7, 24, 6, 0)
CT22_EFFECT = hanoi(2021, 9, 21, 6, 0)


@pytest.fixture
def city_under_ct17(unit, city_commander):
    return services.place_units_under_regime(
        by=city_commander, issuer=unit("01"), units=[unit("01")], regime=regime("CT17-HN"),
        number="17/CT-UBND", signatory="Chủ tịch UBND thành phố Hà Nội", title="Chỉ thị 17/CT-UBND",
        effective_at=CT17_EFFECT, clock=fixed(hanoi(2021, 7, 23, 18, 0)),
    )  # fmt: skip


@pytest.fixture
def decided(unit, ward_officer_bo_de, district_officer_long_bien, city_under_ct17) -> Scene:
    """Bồ Đề's proposal decided: TDP01 KV1, TDP02 raised to KV1 by the district, TDP03 and CC01 KV3."""
    scene = build_scene(unit, ward_officer_bo_de, district_officer_long_bien)
    scene.classify()
    scene.submit()
    scene.decide(changes=[services.Change("00139-TDP02", "KV1", DISTRICT_REASON)])
    return scene


def regime(code: str) -> Any:
    return selectors.regime_by_code(code)


def placed(area: Any, at: datetime) -> Any:
    return selectors.placement_of_area(area, at)


def unit_placed(unit: Any, at: datetime) -> Any:
    return selectors.placement_of_unit(unit, at)


def decision_of(proposal: Any) -> Any:
    return selectors.decision_of(proposal)


def regime_at(area: Any, at: datetime) -> str | None:
    placement = placed(area, at)
    return placement.regime.code if placement else None


def test_nothing_is_in_force_before_any_decision(unit):
    area = make_areas(unit(BO_DE))["TDP03"]
    assert placed(area, hanoi(2021, 9, 1)) is None
    assert unit_placed(unit(BO_DE), hanoi(2021, 9, 1)) is None


def test_the_city_directive_holds_for_every_area_from_its_six_oclock(unit, city_under_ct17):
    area = make_areas(unit(BO_DE))["TDP03"]
    assert regime_at(area, CT17_EFFECT - timedelta(minutes=1)) is None
    assert regime_at(area, CT17_EFFECT) == "CT17-HN"
    placement = placed(area, CT17_EFFECT)
    assert (placement.since, placement.decision.number, placement.level) == (CT17_EFFECT, "17/CT-UBND", None)


def test_the_most_specific_assignment_wins(decided, unit, district_officer_long_bien):
    effect = SEPTEMBER.effective
    ngoc_lam_area = make_areas(unit(NGOC_LAM), [AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 500, 100)])[
        "TDP01"
    ]
    services.place_units_under_regime(
        by=district_officer_long_bien, issuer=unit(LONG_BIEN), units=[unit(BO_DE)],
        regime=regime("CT15+"), number="2400/QĐ-UBND", signatory="x", title="Bồ Đề",
        effective_at=effect - timedelta(days=1), clock=SEPTEMBER.clock(),
    )  # fmt: skip
    # the area's own assignment beats its ward's, the ward's beats the city's
    assert regime_at(decided.areas["TDP03"], effect) == "CT15"
    assert unit_placed(unit(BO_DE), effect).regime.code == "CT15+"
    # an area with no assignment of its own, in a ward with none, follows the city
    assert regime_at(ngoc_lam_area, effect) == "CT17-HN"
    assert unit_placed(unit(NGOC_LAM), effect).regime.code == "CT17-HN"


def test_the_previous_assignment_holds_until_the_decisions_six_oclock(decided):
    effect = SEPTEMBER.effective  # 06:00, decided the day before
    area = decided.areas["TDP03"]
    assert regime_at(area, effect - timedelta(minutes=1)) == "CT17-HN"
    assert regime_at(area, effect) == "CT15"
    placement = placed(area, effect)
    assert (placement.level.code, placement.since, placement.decision.number) == (
        "KV3",
        effect,
        "2451/QĐ-UBND",
    )
    assert placement.colour == placement.level.colour and placement.severity == 1


def test_a_district_change_is_what_takes_effect(decided):
    placement = placed(decided.areas["TDP02"], SEPTEMBER.effective)
    assert (placement.level.code, placement.regime.code, placement.assignment.reason) == (
        "KV1", "CT17-HN", DISTRICT_REASON,
    )  # fmt: skip


def test_a_directive_that_supersedes_within_ends_narrower_assignments(decided, unit, city_commander):
    area = decided.areas["TDP03"]
    services.place_units_under_regime(
        by=city_commander, issuer=unit("01"), units=[unit("01")], regime=regime("CT22-HN"),
        number="22/CT-UBND", signatory="x", title="Chỉ thị 22/CT-UBND", effective_at=CT22_EFFECT,
        supersedes_within=True, clock=fixed(hanoi(2021, 9, 20, 18, 0)),
    )  # fmt: skip
    assert regime_at(area, CT22_EFFECT - timedelta(minutes=1)) == "CT15"
    assert regime_at(area, CT22_EFFECT) == "CT22-HN"
    own = selectors.assignments_of(decision_of(decided.bo_de)).get(area=area)
    assert own.effective_until == CT22_EFFECT
    # the city's own earlier directive is not cut short; the later one wins among equals
    assert unit_placed(unit("01"), CT22_EFFECT).regime.code == "CT22-HN"
    assert unit_placed(unit("01"), CT22_EFFECT - timedelta(minutes=1)).regime.code == "CT17-HN"


def test_a_later_directive_at_the_same_level_wins_without_ending_narrower_ones(decided, unit, city_commander):
    services.place_units_under_regime(
        by=city_commander, issuer=unit("01"), units=[unit("01")], regime=regime("CT22-HN"),
        number="22/CT-UBND", signatory="x", title="Chỉ thị 22/CT-UBND", effective_at=CT22_EFFECT,
        clock=fixed(hanoi(2021, 9, 20, 18, 0)),
    )  # fmt: skip
    assert regime_at(decided.areas["TDP03"], CT22_EFFECT) == "CT15"


def ct22_over_the_city(unit: Any, city_commander: Any, effect: datetime) -> Any:
    return services.place_units_under_regime(
        by=city_commander, issuer=unit("01"), units=[unit("01")], regime=regime("CT22-HN"),
        number="22/CT-UBND", signatory="x", title="Chỉ thị 22/CT-UBND", effective_at=effect,
        supersedes_within=True, clock=SEPTEMBER.clock(16),
    )  # fmt: skip


def public_answers(client: Any, monkeypatch: Any, codes: list[str], at: datetime) -> list[tuple[str, Any]]:
    """(regime, level) of each area on the public look-up, from memory and from the database alike."""
    from phaodai.portal.answer_cache import DIRECTORY

    def ask() -> list[tuple[str, Any]]:
        bodies = [
            client.get(f"/api/v1/public/areas/{c}/regime", {"at": at.isoformat()}).json() for c in codes
        ]
        return [(body["regime"]["code"], body["level"]) for body in bodies]

    DIRECTORY.reset()
    remembered = ask()
    with monkeypatch.context() as patched:
        patched.setattr(DIRECTORY, "answer", lambda *args, **kwargs: None)  # the database path
        assert ask() == remembered
    return remembered


@pytest.mark.parametrize("directive_recorded", ["first", "between", "last"])
def test_a_superseding_directive_ends_area_decisions_whatever_the_recording_order(
    directive_recorded, unit, ward_officer_bo_de, ward_officer_ngoc_lam, district_officer_long_bien,
    city_commander, client, monkeypatch,
):  # fmt: skip
    # given two Long Biên wards' decisions effective 06:00 08/9 and the city's 22/CT-UBND, superseding
    # everything within from 06:00 10/9, recorded before, between or after the two decisions
    ct22 = hanoi(2021, 9, 10, 6, 0)
    scene = build_scene(unit, ward_officer_bo_de, district_officer_long_bien)
    ngoc_lam_area = make_areas(unit(NGOC_LAM), [AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 500, 100)])
    scene.classify()
    scene.submit()
    ngoc_lam = services.classify_proposal(
        proposal=proposal_of(scene.round, NGOC_LAM), by=ward_officer_ngoc_lam, clock=SEPTEMBER.clock(1)
    )
    ngoc_lam = services.submit_proposal(proposal=ngoc_lam, by=ward_officer_ngoc_lam, clock=SEPTEMBER.clock(2))

    def decide_ngoc_lam() -> None:
        services.decide_proposal(
            proposal=ngoc_lam, by=district_officer_long_bien, number="1/QĐ-UBND", signatory="x",
            clock=SEPTEMBER.clock(15),
        )  # fmt: skip

    def decide_bo_de() -> None:
        scene.decide(number="2/QĐ-UBND")

    def issue_ct22() -> None:
        ct22_over_the_city(unit, city_commander, ct22)

    steps = [decide_ngoc_lam, decide_bo_de]
    steps.insert({"first": 0, "between": 1, "last": 2}[directive_recorded], issue_ct22)
    for step in steps:
        step()
    codes = [ngoc_lam_area["TDP01"].code, scene.areas["TDP01"].code]
    # then each area keeps its own level until six on the 10th, and is under CT22 from then on
    before = public_answers(client, monkeypatch, codes, ct22 - timedelta(seconds=1))
    assert [level for _regime, level in before] == ["KV3", "KV1"]  # no data in Ngọc Lâm: the lowest
    for at in (ct22, ct22 + timedelta(days=1)):
        assert public_answers(client, monkeypatch, codes, at) == [("CT22-HN", None), ("CT22-HN", None)]
    own = selectors.assignments_of(decision_of(scene.bo_de)).get(area=scene.areas["TDP01"])
    assert own.effective_until == ct22


@pytest.mark.parametrize("directive_first", [True, False])
def test_a_superseding_directive_wins_over_an_area_decision_of_the_same_instant(
    directive_first, unit, ward_officer_bo_de, district_officer_long_bien, city_commander
):
    # given 22/CT-UBND and the district's decision both effective 06:00 08/9, in either recording order
    effect = SEPTEMBER.effective
    scene = build_scene(unit, ward_officer_bo_de, district_officer_long_bien)
    scene.classify()
    scene.submit()
    if directive_first:
        ct22_over_the_city(unit, city_commander, effect)
    scene.decide()
    if not directive_first:
        ct22_over_the_city(unit, city_commander, effect)
    # then the directive is what holds from that six o'clock, the area's decision never in force
    placement = placed(scene.areas["TDP01"], effect)
    assert (placement.regime.code, placement.level) == ("CT22-HN", None)
    many = selectors.placements_of_areas(list(scene.areas.values()), effect)
    assert {p.regime.code if p else None for p in many.values()} == {"CT22-HN"}


def test_a_narrower_directive_recorded_after_a_superseding_one_ends_at_its_effect(
    unit, city_commander, district_officer_long_bien
):
    ct22 = hanoi(2021, 9, 10, 6, 0)
    ct22_over_the_city(unit, city_commander, ct22)
    services.place_units_under_regime(
        by=district_officer_long_bien, issuer=unit(LONG_BIEN), units=[unit(BO_DE)],
        regime=regime("CT15+"), number="2400/QĐ-UBND", signatory="x", title="Bồ Đề",
        effective_at=SEPTEMBER.effective, clock=SEPTEMBER.clock(20),
    )  # fmt: skip
    assert unit_placed(unit(BO_DE), ct22 - timedelta(minutes=1)).regime.code == "CT15+"
    assert unit_placed(unit(BO_DE), ct22).regime.code == "CT22-HN"


def test_placements_of_many_areas_take_one_query_and_agree(decided, unit, django_assert_num_queries):
    areas = list(decided.areas.values())
    for at in (SEPTEMBER.effective - timedelta(minutes=1), SEPTEMBER.effective):
        with django_assert_num_queries(1):
            many: dict[int, Any] = selectors.placements_of_areas(areas, at)
        for area in areas:
            one = placed(area, at)
            assert many[area.pk].assignment.pk == one.assignment.pk


# Scoped reads of rounds and proposals


def test_rounds_are_visible_to_their_district_the_city_and_their_wards(
    decided, district_officer_ba_dinh, ward_officer_phuc_xa, city_commander, health_worker_bo_de
):
    for user in (decided.district, city_commander, decided.ward):
        assert list(selectors.rounds_visible_to(user)) == [decided.round]
    for user in (district_officer_ba_dinh, ward_officer_phuc_xa, health_worker_bo_de):
        assert not selectors.rounds_visible_to(user).exists()


def test_a_round_outside_ones_units_is_not_found_and_logged(decided, district_officer_ba_dinh):
    with pytest.raises(Http404):
        selectors.round_for(district_officer_ba_dinh, decided.round.pk)
    entry = AuditEntry.objects.filter(action="scope.denied").latest("pk")
    assert (entry.object_type, entry.object_id) == ("zoning.round", str(decided.round.pk))


def test_a_proposal_is_visible_to_its_ward_and_district_only(
    decided, ward_officer_ngoc_lam, district_officer_ba_dinh
):
    pk = decided.bo_de.pk
    assert selectors.proposal_visible(decided.ward, pk).pk == pk
    assert selectors.proposal_visible(decided.district, pk).pk == pk
    assert selectors.proposal_for(decided.district, pk, perm="zoning.decide_levels").pk == pk
    for outsider in (ward_officer_ngoc_lam, district_officer_ba_dinh):
        before = AuditEntry.objects.filter(action="scope.denied").count()
        with pytest.raises(Http404):
            selectors.proposal_visible(outsider, pk)
        assert AuditEntry.objects.filter(action="scope.denied").count() == before + 1


def test_a_ward_sees_only_its_own_proposals(decided, ward_officer_ngoc_lam):
    assert [p.ward.code for p in selectors.proposals_visible_to(decided.ward)] == [BO_DE]
    assert [p.ward.code for p in selectors.proposals_visible_to(ward_officer_ngoc_lam)] == [NGOC_LAM]
    assert selectors.proposals_visible_to(decided.district, "zoning.decide_levels").count() == 14


def test_round_counts_say_who_submitted_late_returned_or_not_at_all(
    unit, ward_officer_bo_de, ward_officer_ngoc_lam, district_officer_long_bien, django_assert_num_queries
):
    scene = build_scene(unit, ward_officer_bo_de, district_officer_long_bien)
    make_areas(unit(NGOC_LAM), [AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 500, 100)])
    scene.classify()
    scene.submit(hours=30)  # late
    ngoc_lam = selectors.proposals_of(scene.round).get(ward__code=NGOC_LAM)
    services.classify_proposal(proposal=ngoc_lam, by=ward_officer_ngoc_lam, clock=SEPTEMBER.clock(1))
    ngoc_lam = services.submit_proposal(proposal=ngoc_lam, by=ward_officer_ngoc_lam, clock=SEPTEMBER.clock(2))
    services.return_proposal(proposal=ngoc_lam, by=district_officer_long_bien, reason="Thiếu số liệu")
    with django_assert_num_queries(1):
        counts = selectors.round_counts([scene.round.pk])[scene.round.pk]
    assert (counts.total, counts.submitted, counts.late, counts.returned, counts.not_submitted) == (
        14,
        1,
        1,
        1,
        12,
    )
    assert (counts.decided, counts.awaiting) == (0, 1)
    assert selectors.count_proposals(selectors.proposals_of(scene.round)) == counts
    assert selectors.round_counts([]) == {}
