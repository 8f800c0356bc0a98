"""Reports of temporary markets and street vending (S27): recording, the public report, their handling."""

from datetime import timedelta
from typing import Any

import pytest

from phaodai.core.errors import NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.core.ratelimit import TooManyRequests
from phaodai.markets import reports
from phaodai.markets.models import VendingReport
from phaodai.markets.reports import ReportChanged, ReportClosed, ReportInvalid, VendingInput

pytestmark = pytest.mark.django_db


def sighting(hours_ago: int = 1, **changes: Any) -> VendingInput:
    from phaodai.core.clock import now

    fields: dict[str, Any] = {
        "kind": VendingReport.Kind.STREET_VENDING,
        "place": "Ngõ 12 Nguyễn Văn Cừ, trước số nhà 5",
        "seen_at": now() - timedelta(hours=hours_ago),
        "description": "Bán rau, khoảng 10 người mua",
    }
    return VendingInput(**{**fields, **changes})


def public(ward_code: str = "00139", **kwargs: Any) -> tuple[VendingReport, bool]:
    data = kwargs.pop("data", sighting())
    return reports.report_vending_publicly(ward_code=ward_code, data=data, **kwargs)


# Recording ----------------------------------------------------------------------------------------


def test_an_officer_records_a_spot_once_per_key_and_it_is_audited(unit, ward_officer_bo_de):
    report, created = reports.record_vending(
        by=ward_officer_bo_de, ward=unit("00139"), data=sighting(), idempotency_key="k1"
    )
    again, created_again = reports.record_vending(
        by=ward_officer_bo_de, ward=unit("00139"), data=sighting(), idempotency_key="k1"
    )
    assert created and not created_again and again.pk == report.pk
    assert report.status == VendingReport.Status.REPORTED and report.unit_path == unit("00139").path
    assert VendingReport.objects.count() == 1
    assert AuditEntry.objects.filter(action="markets.vending_reported", object_id=str(report.pk)).count() == 1


def test_an_officer_cannot_record_in_another_ward_or_without_the_permission(
    unit, ward_officer_phuc_xa, health_worker_bo_de
):
    with pytest.raises(OutOfScope):
        reports.record_vending(by=ward_officer_phuc_xa, ward=unit("00139"), data=sighting())
    with pytest.raises(NotPermitted):
        reports.record_vending(by=health_worker_bo_de, ward=unit("00139"), data=sighting())
    assert not VendingReport.objects.exists()


def test_an_area_of_another_ward_is_refused(unit, ward_officer_bo_de):
    from phaodai.territory import services as territory
    from phaodai.territory.rules import AreaRow

    territory.bulk_create_areas(ward=unit("00001"), rows=[AreaRow("TDP01", "Tổ 1", "to_dan_pho", 100, 30)])
    with pytest.raises(ReportInvalid) as refused:
        reports.record_vending(by=ward_officer_bo_de, ward=unit("00139"), data=sighting(area="00001-TDP01"))
    assert "area" in refused.value.errors


# The public report --------------------------------------------------------------------------------


def test_a_resident_reports_anonymously_with_an_optional_phone(unit):
    report, created = public(reporter_name="Chị Lan", reporter_phone="+84 912 345 678", token="t1")
    assert created and report.reported_by is None
    assert report.reporter_phone == "0912345678" and report.reporter_name == "Chị Lan"
    assert report.unit == unit("00139")


def test_a_resubmitted_form_is_the_same_report():
    first, _ = public(token="same-form")
    second, created = public(token="same-form")
    assert second.pk == first.pk and not created
    assert VendingReport.objects.count() == 1


def test_every_mistake_is_named_at_once_and_nothing_is_written():
    from phaodai.core.clock import now

    with pytest.raises(ReportInvalid) as refused:
        public(
            ward_code="99999",
            data=sighting(kind="market", place="", seen_at=now() + timedelta(days=1)),
            reporter_phone="12345",
        )
    assert set(refused.value.errors) == {"ward", "kind", "place", "seen_at", "reporter_phone"}
    assert refused.value.as_dict()["code"] == "invalid_report"
    assert not VendingReport.objects.exists()


def test_a_district_is_not_a_ward_and_an_old_sighting_is_refused():
    with pytest.raises(ReportInvalid) as refused:
        public(ward_code="004", data=sighting(hours_ago=24 * 40))
    assert set(refused.value.errors) == {"ward", "seen_at"}


def test_a_flood_from_one_device_is_refused_but_a_retry_is_still_answered(settings):
    settings.PHAODAI_VENDING_REPORTS_PER_HOUR = 2
    first, _ = public(token="a", client="203.0.113.9")
    public(token="b", client="203.0.113.9")
    with pytest.raises(TooManyRequests):
        public(token="c", client="203.0.113.9")
    retried, created = public(token="a", client="203.0.113.9")
    assert retried.pk == first.pk and not created
    _other, created = public(token="d", client="198.51.100.1")
    assert created
    assert VendingReport.objects.count() == 3


# Handling -----------------------------------------------------------------------------------------


def test_a_report_is_handled_then_cleared_with_a_note(ward_officer_bo_de):
    report, _ = public(token="h")
    handling = reports.move_report(by=ward_officer_bo_de, report=report, to="handling", version=1)
    cleared = reports.move_report(
        by=ward_officer_bo_de, report=handling, to="cleared", version=2, note="Đã giải tỏa, nhắc nhở 3 hộ"
    )
    assert cleared.status == "cleared" and cleared.version == 3
    assert cleared.handled_by == ward_officer_bo_de and cleared.handling_note == "Đã giải tỏa, nhắc nhở 3 hộ"
    actions = list(AuditEntry.objects.filter(object_id=str(report.pk)).values_list("action", flat=True))
    assert "markets.vending_handling" in actions and "markets.vending_cleared" in actions


def test_closing_needs_a_note_and_a_closed_report_stays_closed(ward_officer_bo_de):
    report, _ = public(token="n")
    with pytest.raises(ReportInvalid) as refused:
        reports.move_report(by=ward_officer_bo_de, report=report, to="unfounded")
    assert "note" in refused.value.errors
    reports.move_report(by=ward_officer_bo_de, report=report, to="unfounded", note="Không thấy ai bán")
    with pytest.raises(ReportClosed):
        reports.move_report(by=ward_officer_bo_de, report=report, to="handling")


def test_of_two_officers_with_the_same_version_the_second_gets_409(
    ward_officer_bo_de, district_officer_long_bien
):
    report, _ = public(token="race")
    seen_by_both = VendingReport.objects.get(pk=report.pk)
    reports.move_report(by=ward_officer_bo_de, report=seen_by_both, to="handling", version=1)
    with pytest.raises(ReportChanged) as lost:
        reports.move_report(by=district_officer_long_bien, report=seen_by_both, to="handling", version=1)
    assert lost.value.status == 409
    report.refresh_from_db()
    assert report.status == "handling" and report.version == 2 and report.handled_by == ward_officer_bo_de


def test_a_stale_version_is_refused_even_when_the_step_is_allowed(ward_officer_bo_de):
    report, _ = public(token="stale")
    reports.move_report(by=ward_officer_bo_de, report=report, to="handling", version=1)
    with pytest.raises(ReportChanged):
        reports.move_report(by=ward_officer_bo_de, report=report, to="cleared", version=1, note="x")


def test_only_officers_of_the_ward_handle_it(ward_officer_phuc_xa, health_worker_bo_de):
    report, _ = public(token="scope")
    with pytest.raises(OutOfScope):
        reports.move_report(by=ward_officer_phuc_xa, report=report, to="handling")
    with pytest.raises(NotPermitted):
        reports.move_report(by=health_worker_bo_de, report=report, to="handling")


# The open list ------------------------------------------------------------------------------------


def test_open_reports_are_listed_oldest_first_with_age_per_ward_and_district(
    unit, ward_officer_bo_de, district_officer_long_bien, ward_officer_phuc_xa
):
    newer, _ = public(token="1", data=sighting(hours_ago=2))
    older, _ = public(token="2", data=sighting(hours_ago=30))
    closed, _ = public(token="3", data=sighting(hours_ago=50))
    reports.move_report(by=ward_officer_bo_de, report=closed, to="unfounded", note="Không thấy")
    elsewhere, _ = public(ward_code="00001", token="4")

    rows = reports.open_reports(district_officer_long_bien)
    assert [row.report.pk for row in rows] == [older.pk, newer.pk]
    assert rows[0].age_hours == 30
    assert [row.report.pk for row in reports.open_reports(ward_officer_bo_de, unit_code="00139")] == [
        older.pk,
        newer.pk,
    ]
    assert [row.report.pk for row in reports.open_reports(ward_officer_phuc_xa)] == [elsewhere.pk]
    with pytest.raises(OutOfScope):
        reports.open_reports(ward_officer_phuc_xa, unit_code="004")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_officers_at_once_give_one_winner_and_one_409(ward_officer_bo_de, district_officer_long_bien):
    import threading

    from django.db import connection

    from phaodai.core.errors import Conflict

    report, _ = public(token="threads")
    start = threading.Barrier(2)
    outcomes: list[Any] = []

    def clear(by: Any) -> None:
        try:
            start.wait(timeout=10)
            outcomes.append(reports.move_report(by=by, report=report, to="cleared", version=1, note="Đã dẹp"))
        except Exception as error:  # the loser's refusal is the point
            outcomes.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=clear, args=(by,)) for by in (ward_officer_bo_de, district_officer_long_bien)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    assert sum(isinstance(o, VendingReport) for o in outcomes) == 1
    report.refresh_from_db()
    assert report.status == "cleared" and report.version == 2
    assert AuditEntry.objects.filter(action="markets.vending_cleared", object_id=str(report.pk)).count() == 1
