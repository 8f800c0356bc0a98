"""Zoning workflow services: rounds, classification, ward proposals and district decisions (S3–S5).

The builders at the top are shared by the workflow view, API and browser tests.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from phaodai.core.clock import hanoi, next_local_time
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.territory import services as territory
from phaodai.territory.rules import AreaRow
from phaodai.zoning import selectors, services
from phaodai.zoning.errors import (
    DecisionNumberTaken,
    EffectiveTimeInPast,
    JustificationRequired,
    LevelNotInTable,
    ProposalChanged,
    ProposalIncomplete,
    ProposalNotOpen,
    TableNotInForce,
)
from phaodai.zoning.models import Assignment, Decision, Proposal

# --- shared builders ---------------------------------------------------------------------------------

TABLE = "LB-2021-09"
BO_DE, NGOC_LAM, LONG_BIEN, BA_DINH = "00139", "00133", "004", "001"
# Bồ Đề's areas and what the ward observed in each: one per level of LB-2021-09, one with no data.
BO_DE_AREAS = [
    AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 1200, 310),
    AreaRow("TDP02", "Tổ dân phố 2", "to_dan_pho", 900, 260),
    AreaRow("TDP03", "Tổ dân phố 3", "to_dan_pho", 700, 200),
    AreaRow("CC01", "Chung cư Bồ Đề", "chung_cu", 800, 240),
]
BO_DE_VALUES: dict[str, dict[str, Any]] = {
    "TDP01": {"lockdown_active": True, "community_cases_14d": 4, "community_cases_7d": 2},  # KV1 (KV1-1)
    "TDP02": {"lockdown_active": False, "community_cases_14d": 1, "unknown_source_cases_14d": 0},  # KV2
    "TDP03": {"lockdown_active": False, "community_cases_14d": 0, "community_cases_7d": 0},  # KV3
}
WARD_REASON = "Khu nhà trọ đông người, dùng chung công trình vệ sinh."
DISTRICT_REASON = "Giáp ranh khu vực đang phong tỏa; nâng lên khu vực 1."


def fixed(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


@dataclass(frozen=True)
class Timeline:
    """A round's instants: opened, the ward's data, the deadline and the 06:00 of its effect."""

    opened: datetime

    @property
    def observed(self) -> datetime:
        return self.opened - timedelta(hours=2)

    @property
    def deadline(self) -> datetime:
        return self.opened + timedelta(days=1)

    @property
    def effective(self) -> datetime:
        return next_local_time(self.deadline)

    def clock(self, hours: float = 0) -> Callable[[], datetime]:
        return fixed(self.opened + timedelta(hours=hours))


SEPTEMBER = Timeline(hanoi(2021, 9, 6, 14, 0))  # deadline 14:00 07/9, effect 06:00 08/9


def from_now() -> Timeline:
    """A timeline starting now, for pages and the API, whose services read the real clock."""
    from phaodai.core.clock import now

    return Timeline(now())


def make_areas(ward: Any, rows: list[AreaRow] = BO_DE_AREAS) -> dict[str, Any]:
    """Areas of a ward by local code."""
    return {a.local_code: a for a in territory.bulk_create_areas(ward=ward, rows=rows)}


def observe(officer: Any, areas: dict[str, Any], values: dict[str, dict[str, Any]], at: datetime) -> None:
    entries = [
        services.IndicatorEntry(areas[code], name, value)
        for code, observed in values.items()
        for name, value in observed.items()
    ]
    services.enter_indicators(by=officer, entries=entries, as_of=at, clock=fixed(at))


def long_bien_round(
    district_officer: Any, unit: Callable[[str], Any], t: Timeline = SEPTEMBER, **kw: Any
) -> Any:
    """A round of Long Biên on LB-2021-09, opened at t.opened."""
    return services.open_round(
        by=district_officer,
        district=unit(LONG_BIEN),
        table=lb_table(t.effective),
        deadline=t.deadline,
        effective_at=t.effective,
        title=kw.pop("title", "Phân loại khu vực nguy cơ quận Long Biên"),
        clock=t.clock(),
        **kw,
    )


def proposal_of(round_: Any, ward_code: str) -> Proposal:
    return selectors.proposals_of(round_).get(ward__code=ward_code)


def levels(round_: Any) -> dict[str, Any]:
    return {lv.code: lv for lv in selectors.levels_of(round_.table)}


def lb_table(at: datetime) -> Any:
    """LB-2021-09 in force at `at`."""
    return selectors.table_valid_at(TABLE, at)


def published(code: str) -> Any:
    return selectors.published_table(code)


def item(proposal: Proposal, local_code: str) -> Any:
    return selectors.items_of(proposal).get(area__local_code=local_code)


def assigned(decision: Any) -> dict[str, tuple[str, str, str]]:
    """Each area's (level, regime, reason) under a decision, by local code."""
    rows: list[Any] = list(selectors.assignments_of(decision))
    return {a.area.local_code: (a.level.code, a.regime.code, a.reason) for a in rows}


@dataclass
class Scene:
    """A Long Biên round with Bồ Đề's areas observed, and who acts in it."""

    round: Any
    bo_de: Proposal
    areas: dict[str, Any]
    ward: Any
    district: Any
    t: Timeline

    def refresh(self) -> Proposal:
        self.bo_de = Proposal.objects.get(pk=self.bo_de.pk)
        return self.bo_de

    def classify(self) -> Proposal:
        self.bo_de = services.classify_proposal(proposal=self.bo_de, by=self.ward, clock=self.t.clock(1))
        return self.bo_de

    def submit(self, hours: float = 2) -> Proposal:
        self.bo_de = services.submit_proposal(
            proposal=self.refresh(), by=self.ward, clock=self.t.clock(hours)
        )
        return self.bo_de

    def decide(self, number: str = "2451/QĐ-UBND", **kw: Any) -> Decision:
        kw.setdefault("clock", self.t.clock(20))
        return services.decide_proposal(
            proposal=self.refresh(), by=kw.pop("by", self.district), number=number,
            signatory="Chủ tịch UBND quận Long Biên", **kw,
        )  # fmt: skip


def build_scene(unit: Any, ward_officer: Any, district_officer: Any, t: Timeline = SEPTEMBER) -> Scene:
    areas = make_areas(unit(BO_DE))
    observe(ward_officer, areas, BO_DE_VALUES, t.observed)
    round_ = long_bien_round(district_officer, unit, t)
    return Scene(round_, proposal_of(round_, BO_DE), areas, ward_officer, district_officer, t)


def matrix_workflow(
    unit: Callable[[str], Any], district_officer: Any, ward_officer_bo_de: Any, ward_officer_ngoc_lam: Any
) -> tuple[Any, Proposal, Proposal]:
    """For the authorization matrix, once Bồ Đề has areas: a Long Biên round effective in the future,
    Bồ Đề's proposal classified (a draft: the ward's actions) and Ngọc Lâm's submitted (the district's)."""
    t = from_now()
    round_ = long_bien_round(district_officer, unit, t)
    make_areas(unit(NGOC_LAM), [AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 500, 100)])
    bo_de = services.classify_proposal(proposal=proposal_of(round_, BO_DE), by=ward_officer_bo_de)
    ngoc_lam = services.classify_proposal(proposal=proposal_of(round_, NGOC_LAM), by=ward_officer_ngoc_lam)
    ngoc_lam = services.submit_proposal(proposal=ngoc_lam, by=ward_officer_ngoc_lam)
    return round_, bo_de, ngoc_lam


# --- tests -----------------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(unit, ward_officer_bo_de, district_officer_long_bien) -> Scene:
    return build_scene(unit, ward_officer_bo_de, district_officer_long_bien)


def denied(action: str = "scope.denied") -> int:
    return AuditEntry.objects.filter(action=action).count()


# Opening a round


def test_a_round_asks_every_ward_of_the_district(scene):
    proposals = list(selectors.proposals_of(scene.round))
    assert len(proposals) == 14
    assert {p.status for p in proposals} == {Proposal.Status.DRAFT}
    assert all(p.path.startswith("/01/004/") for p in proposals)
    assert scene.round.effective_at == hanoi(2021, 9, 8, 6, 0)
    assert AuditEntry.objects.filter(action="zoning.open_round").count() == 1


def test_a_round_may_ask_only_some_wards(unit, district_officer_long_bien):
    round_ = long_bien_round(district_officer_long_bien, unit, ward_codes=[BO_DE, NGOC_LAM])
    assert sorted(p.ward.code for p in selectors.proposals_of(round_)) == [NGOC_LAM, BO_DE]


def test_a_round_refuses_a_ward_of_another_district(unit, district_officer_long_bien):
    with pytest.raises(InvalidInput) as refused:
        long_bien_round(district_officer_long_bien, unit, ward_codes=[BO_DE, "00001"])
    assert refused.value.field == "wards"


def test_a_round_refuses_an_effective_time_in_the_past(unit, district_officer_long_bien):
    table = lb_table(SEPTEMBER.effective)
    with pytest.raises(EffectiveTimeInPast):
        services.open_round(
            by=district_officer_long_bien, district=unit(LONG_BIEN), table=table,
            deadline=SEPTEMBER.opened - timedelta(days=2), effective_at=SEPTEMBER.opened - timedelta(days=1),
            clock=SEPTEMBER.clock(),
        )  # fmt: skip


def test_a_round_refuses_a_deadline_after_the_effect(unit, district_officer_long_bien):
    table = lb_table(SEPTEMBER.effective)
    with pytest.raises(InvalidInput) as refused:
        services.open_round(
            by=district_officer_long_bien, district=unit(LONG_BIEN), table=table,
            deadline=SEPTEMBER.effective + timedelta(hours=1), effective_at=SEPTEMBER.effective,
            clock=SEPTEMBER.clock(),
        )  # fmt: skip
    assert refused.value.field == "deadline"


def test_a_round_refuses_a_table_not_valid_at_the_effect(unit, district_officer_long_bien):
    nq128 = published("NQ128-4800")  # valid from 12/10/2021 only
    with pytest.raises(TableNotInForce):
        services.open_round(
            by=district_officer_long_bien, district=unit(LONG_BIEN), table=nq128,
            deadline=SEPTEMBER.deadline, effective_at=SEPTEMBER.effective, clock=SEPTEMBER.clock(),
        )  # fmt: skip


def test_a_round_refuses_another_districts_table(unit, district_officer_ba_dinh):
    table = lb_table(SEPTEMBER.effective)  # issued by Long Biên
    with pytest.raises(TableNotInForce):
        services.open_round(
            by=district_officer_ba_dinh, district=unit(BA_DINH), table=table,
            deadline=SEPTEMBER.deadline, effective_at=SEPTEMBER.effective, clock=SEPTEMBER.clock(),
        )  # fmt: skip


def test_only_the_district_or_the_city_opens_a_round(unit, ward_officer_bo_de, district_officer_ba_dinh):
    with pytest.raises(NotPermitted):
        long_bien_round(ward_officer_bo_de, unit)
    before = denied()
    with pytest.raises(OutOfScope):
        long_bien_round(district_officer_ba_dinh, unit)
    assert denied() == before + 1


# Classifying


def test_classifying_suggests_a_level_per_area_with_its_reason(scene):
    proposal = scene.classify()
    assert proposal.classified_at == scene.t.opened + timedelta(hours=1)
    assert proposal.version == 2
    items = {i.area.local_code: i for i in selectors.items_of(proposal)}
    assert {code: i.suggested_level.code for code, i in items.items()} == {
        "TDP01": "KV1", "TDP02": "KV2", "TDP03": "KV3", "CC01": "KV3",
    }  # fmt: skip
    assert items["TDP01"].evaluation["matched_row"] == "KV1-1"
    assert items["TDP01"].evaluation["values"] == {"lockdown_active": True}
    assert items["TDP02"].evaluation["matched_row"] == "KV2-1"
    assert items["CC01"].evaluation["matched_row"] is None
    assert "lockdown_active" in items["CC01"].evaluation["missing"]
    assert all(i.proposed_level_id == i.suggested_level_id for i in items.values())


def test_classifying_again_keeps_the_wards_justified_changes(scene):
    scene.classify()
    services.propose_level(
        item=item(scene.bo_de, "TDP03"),
        by=scene.ward,
        level=levels(scene.round)["KV2"],
        justification=WARD_REASON,
    )
    scene.classify()
    again = item(scene.bo_de, "TDP03")
    assert (again.suggested_level.code, again.proposed_level.code, again.justification) == (
        "KV3",
        "KV2",
        WARD_REASON,
    )
    assert selectors.items_of(scene.bo_de).count() == 4


def test_classifying_again_drops_areas_deactivated_since(scene):
    scene.classify()
    territory.deactivate_area(area=scene.areas["TDP03"], by=scene.ward)
    scene.classify()
    assert sorted(i.area.local_code for i in selectors.items_of(scene.bo_de)) == ["CC01", "TDP01", "TDP02"]


def test_only_the_wards_officer_classifies(scene, district_officer_long_bien, ward_officer_phuc_xa):
    with pytest.raises(NotPermitted):
        services.classify_proposal(proposal=scene.bo_de, by=district_officer_long_bien)
    before = denied()
    with pytest.raises(OutOfScope):
        services.classify_proposal(proposal=scene.bo_de, by=ward_officer_phuc_xa)
    assert denied() == before + 1
    assert not selectors.items_of(scene.bo_de).exists()


# Proposing a level


def test_a_level_other_than_the_suggestion_needs_a_written_reason(scene):
    scene.classify()
    target = item(scene.bo_de, "TDP03")
    with pytest.raises(JustificationRequired):
        services.propose_level(
            item=target, by=scene.ward, level=levels(scene.round)["KV2"], justification="  "
        )
    assert item(scene.bo_de, "TDP03").proposed_level.code == "KV3"
    changed = services.propose_level(
        item=target, by=scene.ward, level=levels(scene.round)["KV2"], justification=WARD_REASON
    )
    assert (changed.proposed_level.code, changed.justification) == ("KV2", WARD_REASON)
    assert scene.refresh().version == 3


def test_going_back_to_the_suggestion_drops_the_justification(scene):
    scene.classify()
    kv = levels(scene.round)
    services.propose_level(item=item(scene.bo_de, "TDP03"), by=scene.ward, level=kv["KV2"], justification="x")
    back = services.propose_level(item=item(scene.bo_de, "TDP03"), by=scene.ward, level=kv["KV3"])
    assert (back.proposed_level.code, back.justification) == ("KV3", "")


def test_a_level_outside_the_rounds_table_is_refused(scene):
    scene.classify()
    nq128_level: Any = selectors.levels_of(published("NQ128-4800")).first()
    with pytest.raises(LevelNotInTable):
        services.propose_level(
            item=item(scene.bo_de, "TDP03"), by=scene.ward, level=nq128_level, justification="x"
        )


# Submitting


def test_submitting_before_classifying_is_refused(scene):
    with pytest.raises(ProposalIncomplete):
        scene.submit()
    assert scene.refresh().status == Proposal.Status.DRAFT


def test_a_submission_before_the_deadline_is_on_time(scene):
    scene.classify()
    proposal = scene.submit(hours=2)
    assert (proposal.status, proposal.late, proposal.submitted_by) == ("submitted", False, scene.ward)
    assert proposal.submitted_at == scene.t.opened + timedelta(hours=2)


def test_a_late_submission_is_accepted_and_marked_late(scene):
    scene.classify()
    proposal = scene.submit(hours=30)  # the deadline was 24 h after opening
    assert (proposal.status, proposal.late) == ("submitted", True)
    assert selectors.count_proposals(selectors.proposals_of(scene.round)).late == 1


def test_a_retried_submission_changes_nothing(scene):
    scene.classify()
    first = scene.submit()
    audits = AuditEntry.objects.filter(action="zoning.submit_proposal").count()
    retry = services.submit_proposal(proposal=first, by=scene.ward, version=first.version - 1)
    assert (retry.pk, retry.version, retry.submitted_at) == (first.pk, first.version, first.submitted_at)
    assert Proposal.objects.filter(round=scene.round, ward__code=BO_DE).count() == 1
    assert AuditEntry.objects.filter(action="zoning.submit_proposal").count() == audits


def test_a_stale_version_cannot_submit(scene):
    scene.classify()
    shown = scene.refresh().version
    services.propose_level(
        item=item(scene.bo_de, "TDP03"), by=scene.ward, level=levels(scene.round)["KV2"], justification="x"
    )
    with pytest.raises(ProposalChanged):
        services.submit_proposal(proposal=scene.bo_de, by=scene.ward, version=shown)
    assert scene.refresh().status == Proposal.Status.DRAFT


def test_a_submitted_proposal_cannot_be_changed_by_the_ward(scene):
    scene.classify()
    scene.submit()
    with pytest.raises(ProposalNotOpen):
        services.propose_level(
            item=item(scene.bo_de, "TDP03"),
            by=scene.ward,
            level=levels(scene.round)["KV2"],
            justification="x",
        )
    with pytest.raises(ProposalNotOpen):
        services.classify_proposal(proposal=scene.bo_de, by=scene.ward)


# Returning


def test_the_district_returns_a_proposal_with_a_reason_and_the_ward_resubmits(scene):
    scene.classify()
    scene.submit()
    with pytest.raises(InvalidInput):
        services.return_proposal(proposal=scene.bo_de, by=scene.district, reason=" ")
    returned = services.return_proposal(proposal=scene.bo_de, by=scene.district, reason="Thiếu số liệu TDP03")
    assert (returned.status, returned.return_reason) == ("returned", "Thiếu số liệu TDP03")
    services.propose_level(
        item=item(returned, "TDP03"),
        by=scene.ward,
        level=levels(scene.round)["KV2"],
        justification=WARD_REASON,
    )
    again = scene.submit(hours=3)
    assert again.status == Proposal.Status.SUBMITTED


@pytest.mark.parametrize("first_hours, late", [(2, False), (26, True)])
def test_a_resubmission_after_a_return_keeps_the_first_submissions_timeliness(scene, first_hours, late):
    # given the ward handed its proposal in (on time, or after the 24 h deadline) and the district
    # sent it back after the deadline
    scene.classify()
    scene.submit(hours=first_hours)
    services.return_proposal(proposal=scene.bo_de, by=scene.district, reason="Thiếu số liệu TDP03")
    # when the ward resubmits, past the deadline
    again = scene.submit(hours=28)
    # then it is late only if the first submission was
    assert (again.status, again.late) == (Proposal.Status.SUBMITTED, late)
    assert selectors.count_proposals(selectors.proposals_of(scene.round)).late == int(late)


def test_only_a_submitted_proposal_can_be_returned(scene):
    scene.classify()
    with pytest.raises(ProposalNotOpen):
        services.return_proposal(proposal=scene.bo_de, by=scene.district, reason="x")


def test_the_ward_cannot_return_or_decide(scene):
    scene.classify()
    scene.submit()
    with pytest.raises(NotPermitted):
        services.return_proposal(proposal=scene.bo_de, by=scene.ward, reason="x")
    with pytest.raises(NotPermitted):
        scene.decide(by=scene.ward)


# Deciding


def test_a_decision_assigns_each_area_the_approved_or_changed_level(scene):
    scene.classify()
    kv = levels(scene.round)
    services.propose_level(
        item=item(scene.bo_de, "TDP03"), by=scene.ward, level=kv["KV2"], justification=WARD_REASON
    )
    scene.submit()
    decision = scene.decide(changes=[services.Change("00139-TDP02", "KV1", DISTRICT_REASON)])
    assert (decision.number, decision.issued_by.code, decision.effective_at) == (
        "2451/QĐ-UBND", LONG_BIEN, scene.t.effective,
    )  # fmt: skip
    assert decision.issued_at == scene.t.opened + timedelta(hours=20)
    proposal = scene.refresh()
    assert (proposal.status, proposal.version) == ("decided", 5)
    items: list[Any] = list(selectors.items_of(proposal))
    decided = {i.area.local_code: (i.decided_level.code, i.district_reason) for i in items}
    assert decided == {
        "TDP01": ("KV1", ""), "TDP02": ("KV1", DISTRICT_REASON), "TDP03": ("KV2", ""), "CC01": ("KV3", ""),
    }  # fmt: skip
    assert assigned(decision) == {
        "TDP01": ("KV1", "CT17-HN", ""),
        "TDP02": ("KV1", "CT17-HN", DISTRICT_REASON),
        "TDP03": ("KV2", "CT15+", WARD_REASON),
        "CC01": ("KV3", "CT15", ""),
    }
    assert {a.effective_from for a in selectors.assignments_of(decision)} == {scene.t.effective}


def test_a_change_to_the_proposed_level_is_an_approval(scene):
    scene.classify()
    scene.submit()
    decision = scene.decide(changes=[services.Change("00139-TDP02", "KV2", "")])
    assert item(scene.refresh(), "TDP02").district_reason == ""
    assert decision.assignments.count() == 4


def test_a_district_change_needs_a_reason(scene):
    scene.classify()
    scene.submit()
    with pytest.raises(JustificationRequired):
        scene.decide(changes=[services.Change("00139-TDP02", "KV1", " ")])
    assert scene.refresh().status == Proposal.Status.SUBMITTED
    assert not Decision.objects.exists()


def test_a_decision_with_a_level_outside_the_table_changes_nothing(scene):
    scene.classify()
    scene.submit()
    with pytest.raises(LevelNotInTable):
        scene.decide(changes=[services.Change("00139-TDP02", "C4", DISTRICT_REASON)])
    assert scene.refresh().status == Proposal.Status.SUBMITTED
    assert not Decision.objects.exists() and not Assignment.objects.exists()


def test_a_decision_naming_an_area_outside_the_proposal_is_refused(scene):
    scene.classify()
    scene.submit()
    with pytest.raises(InvalidInput) as refused:
        scene.decide(changes=[services.Change("00001-TDP01", "KV1", DISTRICT_REASON)])
    assert refused.value.field == "area"
    assert not Decision.objects.exists()


def test_a_decision_effective_in_the_past_changes_nothing(scene):
    scene.classify()
    scene.submit()
    with pytest.raises(EffectiveTimeInPast):
        scene.decide(effective_at=scene.t.opened)
    with pytest.raises(EffectiveTimeInPast):
        scene.decide(clock=fixed(scene.t.effective + timedelta(minutes=1)))  # the round's effect has passed
    assert scene.refresh().status == Proposal.Status.SUBMITTED
    assert not Decision.objects.exists()


def test_a_decision_may_take_effect_later_than_planned(scene):
    scene.classify()
    scene.submit()
    later = scene.t.effective + timedelta(days=1)
    decision = scene.decide(effective_at=later)
    assert {a.effective_from for a in decision.assignments.all()} == {later}


def test_a_decision_on_a_proposal_of_another_district_is_refused_and_logged(scene, district_officer_ba_dinh):
    scene.classify()
    scene.submit()
    before = denied()
    with pytest.raises(OutOfScope):
        scene.decide(by=district_officer_ba_dinh)
    assert denied() == before + 1
    entry = AuditEntry.objects.filter(action="scope.denied").latest("pk")
    assert (entry.object_type, entry.object_id) == ("zoning.proposal", str(scene.bo_de.pk))
    assert scene.refresh().status == Proposal.Status.SUBMITTED


def test_the_city_commander_may_decide_for_a_district(scene, city_commander):
    scene.classify()
    scene.submit()
    assert scene.decide(by=city_commander).decided_by == city_commander


def test_a_draft_proposal_cannot_be_decided(scene):
    scene.classify()
    with pytest.raises(ProposalNotOpen):
        scene.decide()
    assert not Decision.objects.exists()


def test_a_decided_proposal_is_locked(scene):
    scene.classify()
    scene.submit()
    scene.decide()
    kv = levels(scene.round)
    with pytest.raises(ProposalNotOpen):
        scene.decide(number="2452/QĐ-UBND")
    with pytest.raises(ProposalNotOpen):
        services.return_proposal(proposal=scene.bo_de, by=scene.district, reason="x")
    with pytest.raises(ProposalNotOpen):
        services.classify_proposal(proposal=scene.bo_de, by=scene.ward)
    with pytest.raises(ProposalNotOpen):
        services.propose_level(
            item=item(scene.bo_de, "TDP03"), by=scene.ward, level=kv["KV2"], justification="x"
        )
    with pytest.raises(ProposalNotOpen):
        services.submit_proposal(proposal=scene.bo_de, by=scene.ward)
    assert Decision.objects.count() == 1 and Assignment.objects.count() == 4


def test_a_decision_with_a_stale_version_conflicts(scene):
    scene.classify()
    submitted = scene.submit()
    with pytest.raises(ProposalChanged):
        scene.decide(version=submitted.version - 1)
    assert scene.decide(version=submitted.version).number == "2451/QĐ-UBND"


def test_a_decision_number_is_unique_for_its_issuer(scene, unit, ward_officer_ngoc_lam):
    ngoc_lam_areas = make_areas(unit(NGOC_LAM), [AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 500, 100)])
    scene.classify()
    scene.submit()
    scene.decide()
    other = proposal_of(scene.round, NGOC_LAM)
    services.classify_proposal(proposal=other, by=ward_officer_ngoc_lam, clock=scene.t.clock(1))
    other = services.submit_proposal(proposal=other, by=ward_officer_ngoc_lam, clock=scene.t.clock(2))
    with pytest.raises(DecisionNumberTaken):
        services.decide_proposal(
            proposal=other, by=scene.district, number="2451/QĐ-UBND", signatory="x", clock=scene.t.clock(20)
        )
    assert Proposal.objects.get(pk=other.pk).status == Proposal.Status.SUBMITTED
    assert ngoc_lam_areas and not Assignment.objects.filter(area__ward__code=NGOC_LAM).exists()


def test_two_decisions_one_after_the_other_give_one_decision(scene):
    scene.classify()
    submitted = scene.submit()
    stale = Proposal.objects.get(pk=submitted.pk)  # both officers opened the page at this version
    scene.decide(number="2451/QĐ-UBND", version=stale.version)
    with pytest.raises((ProposalNotOpen, ProposalChanged)) as lost:
        services.decide_proposal(
            proposal=stale, by=scene.district, number="2452/QĐ-UBND", signatory="x",
            version=stale.version, clock=scene.t.clock(21),
        )  # fmt: skip
    assert lost.value.status == 409
    assert Decision.objects.filter(proposal=submitted).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_decisions_give_one_decision_and_one_conflict(
    unit, ward_officer_bo_de, district_officer_long_bien, city_commander
):
    scene = build_scene(unit, ward_officer_bo_de, district_officer_long_bien)
    scene.classify()
    submitted = scene.submit()
    start = threading.Barrier(2)
    outcomes: list[Any] = []

    def decide(by: Any, number: str) -> None:
        try:
            start.wait(timeout=10)
            proposal = Proposal.objects.get(pk=submitted.pk)
            outcomes.append(
                services.decide_proposal(
                    proposal=proposal,
                    by=by,
                    number=number,
                    signatory="x",
                    version=submitted.version,
                    clock=scene.t.clock(20),
                )
            )
        except Exception as error:  # the loser's conflict is the point
            outcomes.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(district_officer_long_bien, "2451/QĐ-UBND")),
        threading.Thread(target=decide, args=(city_commander, "99/QĐ-UBND")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    won = [o for o in outcomes if isinstance(o, Decision)]
    lost = [o for o in outcomes if not isinstance(o, Decision)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], ProposalNotOpen | ProposalChanged) and lost[0].status == 409
    assert Decision.objects.filter(proposal_id=submitted.pk).count() == 1
    assert Assignment.objects.count() == 4
    assert Proposal.objects.get(pk=submitted.pk).status == Proposal.Status.DECIDED
