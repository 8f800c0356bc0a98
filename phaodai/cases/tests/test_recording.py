"""Which wards keep their cases here (recording.py): an explicit choice with a first day, and the only
thing that makes zoning read a ward's case figures from its cases rather than from what it typed in."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import IntegrityError

from phaodai.cases import lockdowns, recording, services
from phaodai.cases.models import CaseRecording
from phaodai.cases.tests.conftest import at
from phaodai.core.clock import hanoi
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.people import services as people_services
from phaodai.people.tests.conftest import cccd_for, make_area
from phaodai.zoning import indicators
from phaodai.zoning import services as zoning_services

pytestmark = pytest.mark.django_db
AT = hanoi(2021, 9, 14, 9, 0)
TODAY = at(hanoi(2021, 9, 1, 8))


def facts(*areas: Any) -> list[indicators.AreaFacts]:
    return [indicators.AreaFacts(a.id, a.code, a.kind, a.population, a.shared_sanitation) for a in areas]


# Starting ------------------------------------------------------------------------------------------------


def test_a_ward_officer_starts_recording_once_and_it_is_audited(ward_officer_bo_de: Any, unit: Any) -> None:
    made, created = recording.start_recording(
        by=ward_officer_bo_de, ward=unit("00139"), since=date(2021, 9, 1), clock=TODAY
    )
    assert created and (made.path, made.since, made.by) == (
        "/01/004/00139/",
        date(2021, 9, 1),
        ward_officer_bo_de,
    )
    again, created = recording.start_recording(
        by=ward_officer_bo_de, ward=unit("00139"), since=date(2021, 9, 1), clock=TODAY
    )
    assert (again.pk, created) == (made.pk, False)
    entry = AuditEntry.objects.get(action="cases.recording_start")
    assert (entry.object_id, entry.unit_path) == (str(made.pk), "/01/004/00139/")
    assert recording.recording_paths(date(2021, 8, 31)) == set()
    assert recording.recording_paths(date(2021, 9, 1)) == {"/01/004/00139/"}


def test_another_first_day_for_a_ward_recording_is_a_conflict_naming_the_first(
    ward_officer_bo_de: Any, district_officer_long_bien: Any, unit: Any
) -> None:
    recording.start_recording(by=ward_officer_bo_de, ward=unit("00139"), since=date(2021, 9, 1), clock=TODAY)
    with pytest.raises(recording.AlreadyRecording) as refused:
        recording.start_recording(
            by=district_officer_long_bien, ward=unit("00139"), since=date(2021, 8, 1), clock=TODAY
        )
    assert refused.value.status == 409 and refused.value.field == "since"
    assert "01/09/2021" in str(refused.value.detail)
    assert CaseRecording.objects.get().since == date(2021, 9, 1)


def test_one_recording_per_ward_in_the_database(ward_officer_bo_de: Any, unit: Any) -> None:
    recording.start_recording(by=ward_officer_bo_de, ward=unit("00139"), since=date(2021, 9, 1), clock=TODAY)
    with pytest.raises(IntegrityError):
        CaseRecording.objects.create(
            unit=unit("00139"), path="/01/004/00139/", since=date(2021, 9, 2), by=ward_officer_bo_de,
            created_at=hanoi(2021, 9, 2),
        )  # fmt: skip


def test_who_may_start_recording(
    welfare_officer_bo_de: Any, ward_officer_phuc_xa: Any, district_officer_long_bien: Any, unit: Any
) -> None:
    with pytest.raises(NotPermitted):
        recording.start_recording(
            by=welfare_officer_bo_de, ward=unit("00139"), since=date(2021, 9, 1), clock=TODAY
        )
    with pytest.raises(OutOfScope):
        recording.start_recording(
            by=ward_officer_phuc_xa, ward=unit("00139"), since=date(2021, 9, 1), clock=TODAY
        )
    with pytest.raises(InvalidInput) as not_a_ward:
        recording.start_recording(
            by=district_officer_long_bien, ward=unit("004"), since=date(2021, 9, 1), clock=TODAY
        )
    assert not_a_ward.value.field == "ward"
    _made, created = recording.start_recording(
        by=district_officer_long_bien, ward=unit("00133"), since=date(2021, 9, 1), clock=TODAY
    )
    assert created
    assert not CaseRecording.objects.filter(unit=unit("00139")).exists()


@pytest.mark.parametrize("since", [date(1, 1, 1), date(9999, 12, 31), date(2021, 9, 1) + timedelta(days=32)])
def test_an_implausible_first_day_is_refused_beside_the_field(
    ward_officer_bo_de: Any, unit: Any, since: date
) -> None:
    with pytest.raises(InvalidInput) as refused:
        recording.start_recording(by=ward_officer_bo_de, ward=unit("00139"), since=since, clock=TODAY)
    assert refused.value.field == "since"
    assert not CaseRecording.objects.exists()


# What zoning reads ---------------------------------------------------------------------------------------


@pytest.fixture
def phuc_xa(ward_officer_phuc_xa: Any) -> tuple[Any, Any]:
    """Phúc Xá keeps its figures by hand: 30 community cases in 7 days, 45 in 14, in Tổ 2."""
    tdp1 = make_area("00001", "TDP01", "Tổ dân phố 1")
    tdp2 = make_area("00001", "TDP02", "Tổ dân phố 2")
    zoning_services.enter_indicators(
        by=ward_officer_phuc_xa,
        entries=[
            zoning_services.IndicatorEntry(tdp2, "community_cases_7d", 30),
            zoning_services.IndicatorEntry(tdp2, "community_cases_14d", 45),
        ],
        as_of=AT - timedelta(hours=2),
        clock=at(AT - timedelta(hours=1)),
    )
    return tdp1, tdp2


def test_a_lockdown_declared_here_leaves_the_wards_hand_entered_case_counts(
    phuc_xa: tuple[Any, Any], ward_officer_phuc_xa: Any
) -> None:
    tdp1, tdp2 = phuc_xa
    lockdowns.declare_lockdown(
        by=ward_officer_phuc_xa, area=tdp1, scope="building", place="Nhà A", reason="F0",
        decision_number="12/QĐ", starts_at=AT - timedelta(days=1), planned_end_at=AT + timedelta(days=13),
        clock=at(AT - timedelta(days=1)),
    )  # fmt: skip
    values = indicators.gather(facts(tdp1, tdp2), AT)
    assert (values[tdp2.id]["community_cases_7d"], values[tdp2.id]["community_cases_14d"]) == (30, 45)
    assert "community_cases_7d" not in values[tdp1.id]  # nothing typed in, nothing made up


def test_a_residents_case_found_in_another_ward_leaves_the_hand_entered_counts(
    phuc_xa: tuple[Any, Any], ward_officer_phuc_xa: Any, health_worker_bo_de: Any, unit: Any
) -> None:
    tdp1, tdp2 = phuc_xa
    visitor = people_services.register_person(
        by=ward_officer_phuc_xa, cccd=cccd_for(1990, "M", serial=777001), full_name="Ngô Văn Khách",
        birth_date=date(1990, 2, 2), sex="M", phone=None, residence_area=tdp1, clock=at(hanoi(2021, 9, 1)),
    )  # fmt: skip
    services.record_case(
        by=health_worker_bo_de, person=visitor, confirmed_at=AT - timedelta(days=1), detected_in="screening",
        source_known=False, detected_unit=unit("00139"), test_ref="BD-1", clock=at(AT - timedelta(hours=20)),
    )  # fmt: skip
    values = indicators.gather(facts(tdp1, tdp2), AT)
    assert values[tdp2.id]["community_cases_7d"] == 30
    assert "community_cases_7d" not in values[tdp1.id]


def test_a_recording_ward_reads_each_count_once_it_has_kept_its_cases_for_all_of_its_days(
    phuc_xa: tuple[Any, Any], ward_officer_phuc_xa: Any, unit: Any
) -> None:
    _tdp1, tdp2 = phuc_xa
    recording.start_recording(
        by=ward_officer_phuc_xa, ward=unit("00001"), since=date(2021, 9, 15), clock=at(hanoi(2021, 9, 14, 9))
    )
    # 14/9: not yet; what the ward typed stands
    assert indicators.gather(facts(tdp2), AT)[tdp2.id]["community_cases_7d"] == 30

    def read(days: int) -> tuple[Any, ...]:
        values = indicators.gather(facts(tdp2), AT + timedelta(days=days))[tdp2.id]
        return values["community_cases_7d"], values["community_cases_14d"], values["lockdown_active"]

    # 15/9, its first day: no count covers days it kept here only, so the typed figures stand (a computed
    # "0 in 14 days" would hide the 45 it typed); the lockdown flag is its own from today.
    assert read(1) == (30, 45, False)
    # 22/9: seven days kept here — its cases (none) count for the 7 days; the 14 days are still typed
    assert read(8) == (0, 45, False)
    # 29/9: fourteen days kept here — both counts are its own
    assert read(15) == (0, 0, False)
