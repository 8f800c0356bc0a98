"""The inspection pages: the user's inspections, planning, and one inspection's steps from start to finish."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from phaodai.business import services as business_services
from phaodai.business.models import SafetyPlan
from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.inspections import selectors, services
from phaodai.inspections.models import Finding, Inspection, Violation
from phaodai.inspections.tests.conftest import at
from phaodai.inspections.tests.test_services import BUSINESS_ITEMS, all_fine, fine_and_close, surprise_visit

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def actions(name: str) -> int:
    return AuditEntry.objects.filter(action=name).count()


def planned_visit(team: Any, inspector: Any, business: Any) -> Inspection:
    return services.plan_inspection(by=inspector, team=team, target_kind="business", business=business)


def started_visit(team: Any, inspector: Any, business: Any) -> Inspection:
    return services.start_inspection(by=inspector, inspection=planned_visit(team, inspector, business))


def violation_form(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": "business_measures_not_applied",
        "offender": "organisation",
        "offender_name": "Công ty May Bồ Đề",
        "fine_amount": "15.000.000",
        "measures": ["fine", "closure"],
        "decision_number": "25/QĐ-XPHC",
        "responsible_person": "Phạm Văn Giám",
    }
    fields.update(overrides)
    return fields


def all_items(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every item of the business checklist marked fine, then `extra` (fields named "<item>-<field>")."""
    fields: dict[str, Any] = {f"{code}-ok": "yes" for code in BUSINESS_ITEMS}
    fields.update(extra or {})
    return fields


# The user's inspections --------------------------------------------------------------------------------


def test_an_inspector_sees_their_inspections_filtered_and_the_overdue_one_highlighted(
    client: Any,
    team_3: Any,
    inspector_team_3: Any,
    approved_factory: Any,
    unit: Callable[[str], Any],
    django_assert_max_num_queries: Any,
) -> None:
    # 11/9/2021: the factory is fined and closed, so it is due for re-inspection by 18/9 (long past)
    visit = surprise_visit(team_3, inspector_team_3, approved_factory)
    services.record_findings(
        by=inspector_team_3, inspection=visit, findings=all_fine(except_=("qr_checkin",))
    )
    fine_and_close(inspector_team_3, visit)
    services.finish_inspection(by=inspector_team_3, inspection=visit)
    for day in range(12, 20):
        services.plan_inspection(
            by=inspector_team_3,
            team=team_3,
            target_kind="market",
            unit=unit("00139"),
            label=f"Chợ Bồ Đề {day}",
            scheduled_at=hanoi(2021, 9, day, 9),
        )
    client.force_login(inspector_team_3)
    with django_assert_max_num_queries(14):
        page = client.get("/inspections/")
    assert page.status_code == 200
    assert len(page.context["rows"]) == 9
    assert [v.pk for v in page.context["overdue"]] == list(Violation.objects.values_list("pk", flat=True))
    html = page.content.decode()
    assert f'data-inspection="{visit.pk}" class="overdue"' in html and 'id="overdue"' in html

    planned_markets = client.get("/inspections/?status=planned&kind=market")
    assert {i.target_kind for i in planned_markets.context["rows"]} == {"market"}
    assert len(planned_markets.context["rows"]) == 8
    done = client.get("/inspections/?status=done", headers={"HX-Request": "true"})
    assert [i.pk for i in done.context["rows"]] == [visit.pk]
    assert "<html" not in done.content.decode()  # htmx gets the rows only


def test_the_list_pages_by_keyset_without_counting(
    client: Any, team_3: Any, inspector_team_3: Any, unit: Callable[[str], Any], monkeypatch: Any
) -> None:
    monkeypatch.setattr("phaodai.inspections.views.PAGE_SIZE", 3)
    for day in range(1, 8):
        services.plan_inspection(
            by=inspector_team_3,
            team=team_3,
            target_kind="market",
            unit=unit("00139"),
            label=f"Chợ {day}",
            scheduled_at=hanoi(2021, 9, 10 + day % 3, 9),  # equal times: the pk breaks the tie
        )
    client.force_login(inspector_team_3)
    seen: list[int] = []
    url = "/inspections/"
    while url:
        page = client.get(url)
        seen += [i.pk for i in page.context["rows"]]
        after = page.context["next_after"]
        url = f"/inspections/?after={after}" if after else ""
    expected = list(selectors.inspections_for(inspector_team_3).values_list("pk", flat=True))
    assert seen == expected and len(seen) == 7


def test_roles_without_inspections_are_refused_and_anonymous_users_sign_in(
    client: Any, ward_officer_bo_de: Any, business_rep_bo_de: Any
) -> None:
    assert client.get("/inspections/").status_code == 302
    for user in (ward_officer_bo_de, business_rep_bo_de):
        client.force_login(user)
        assert client.get("/inspections/").status_code == 403
        assert client.get("/inspections/plan/").status_code == 403


# Planning ------------------------------------------------------------------------------------------------


def plan_form(team: Any, **overrides: Any) -> dict[str, Any]:
    fields = {
        "team": str(team.pk),
        "mode": "surprise",
        "scheduled_at": "",
        "target_kind": "business",
        "tax_code": "0100112437",
        "business": "",
        "unit": "",
        "area": "",
        "target_label": "",
        "token": "token-1",
    }
    fields.update(overrides)
    return fields


def test_a_surprise_inspection_is_planned_by_tax_code_and_a_second_click_plans_nothing(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    client.force_login(inspector_team_3)
    form = client.get("/inspections/plan/")
    assert form.status_code == 200
    assert str(approved_factory.pk) in dict(form.context["form"].fields["business"].choices)
    first = client.post("/inspections/plan/", plan_form(team_3, scheduled_at="11/09/2021 09:00"))
    planned = Inspection.objects.get()
    assert first.status_code == 302 and first.headers["Location"] == f"/inspections/{planned.pk}/"
    assert (planned.surprise, planned.business_id, planned.scheduled_at) == (
        True,
        approved_factory.pk,
        hanoi(2021, 9, 11, 9),
    )
    again = client.post("/inspections/plan/", plan_form(team_3, scheduled_at="11/09/2021 09:00"), follow=True)
    assert Inspection.objects.count() == 1
    assert "already planned" in again.content.decode()
    page = client.get(f"/inspections/{planned.pk}/").content.decode()
    assert "11/09/2021 09:00" in page


def test_a_market_is_planned_from_the_list_of_wards(
    client: Any, team_3: Any, inspector_team_3: Any, unit: Callable[[str], Any]
) -> None:
    client.force_login(inspector_team_3)
    fields = plan_form(team_3, mode="planned", target_kind="market", tax_code="", unit="00133")
    refused = client.post("/inspections/plan/", fields)
    assert refused.status_code == 422
    assert "target_label" in refused.context["form"].errors
    done = client.post("/inspections/plan/", {**fields, "target_label": "Chợ Ngọc Lâm"})
    assert done.status_code == 302
    market = Inspection.objects.get()
    assert (market.target_label, market.unit_id, market.surprise) == ("Chợ Ngọc Lâm", unit("00133").pk, False)


def test_a_business_outside_the_teams_area_is_refused_beside_the_team(
    client: Any, team_3: Any, inspector_team_3: Any, ward_officer_phuc_xa: Any, unit: Callable[[str], Any]
) -> None:
    business_services.register_business(
        by=ward_officer_phuc_xa,
        tax_code="0100109106",
        name="Quán Phúc Xá",
        kind="restaurant",
        sector="takeaway_food",
        address="Phố Phúc Xá",
        unit=unit("00001"),
    )
    client.force_login(inspector_team_3)
    response = client.post("/inspections/plan/", plan_form(team_3, tax_code="0100109106"))
    assert response.status_code == 422
    [message] = response.context["form"].errors["team"]
    assert "Quán Phúc Xá" in message and "outside the area of work of Tổ công tác số 3" in message
    assert 'id="id_team-errors"' in response.content.decode()
    assert not Inspection.objects.exists()


def test_bad_targets_are_explained_beside_their_fields(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    client.force_login(inspector_team_3)

    def errors(**overrides: Any) -> dict[str, Any]:
        response = client.post("/inspections/plan/", plan_form(team_3, **overrides))
        assert response.status_code == 422
        return dict(response.context["form"].errors)

    assert "10 digits" in errors(tax_code="0100112438")["tax_code"][0]
    assert "No business" in errors(tax_code="0314409058")["tax_code"][0]
    assert "not both" in errors(business=str(approved_factory.pk))["tax_code"][0]
    assert (
        "No residential area"
        in errors(target_kind="residential_area", tax_code="", unit="00139", area="X")["area"][0]
    )
    assert "residential area" in errors(target_kind="residential_area", tax_code="", unit="00139")["area"][0]
    assert "dd/mm/yyyy" in errors(scheduled_at="2021/31/12")["scheduled_at"][0]
    assert "not active" in errors(scheduled_at="01/08/2021 08:00")["scheduled_at"][0]
    assert not Inspection.objects.exists()


def test_an_officer_without_a_team_is_told_to_set_one_up(
    client: Any, district_officer_long_bien: Any
) -> None:
    client.force_login(district_officer_long_bien)
    page = client.get("/inspections/plan/")
    assert page.status_code == 200 and 'id="no-team"' in page.content.decode()


# One inspection ------------------------------------------------------------------------------------------


def test_the_team_starts_records_findings_with_a_photo_fines_and_finishes(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = planned_visit(team_3, inspector_team_3, approved_factory)
    client.force_login(inspector_team_3)
    url = f"/inspections/{visit.pk}/"
    assert client.post(f"{url}start/", {"version": visit.version}).status_code == 302
    visit.refresh_from_db()
    assert visit.status == "in_progress"

    photo = SimpleUploadedFile("cong.png", PNG, content_type="image/png")
    fields = all_items(
        {"qr_checkin-ok": "no", "qr_checkin-note": "Không có mã QR ở cổng.", "qr_checkin-photo": photo}
    )
    assert client.post(f"{url}findings/", fields).status_code == 302
    qr = Finding.objects.get(item_code="qr_checkin")
    assert (qr.ok, qr.note) == (False, "Không có mã QR ở cổng.") and qr.photo.name.endswith(".png")
    served = client.get(f"{url}findings/qr_checkin/photo/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")

    page = client.get(url)
    assert 'data-kind="business_measures_not_applied"' in page.content.decode()
    assert client.post(f"{url}violations/", violation_form()).status_code == 302
    violation = Violation.objects.get()
    assert (violation.fine_amount, violation.measures) == (15_000_000, ["fine", "suspension", "closure"])
    assert SafetyPlan.objects.get(business=approved_factory).status == "suspended"
    assert selectors.is_closed(approved_factory)

    visit.refresh_from_db()
    finished = client.post(f"{url}finish/", {"version": visit.version, "summary": "Lập biên bản."})
    assert finished.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.result, visit.summary) == ("done", "fail", "Lập biên bản.")
    page = client.get(url).content.decode()
    assert 'id="step-reinspect"' in page and 'id="closed"' in page and "15,000,000 đ" in page


def test_a_double_click_on_start_starts_once_and_says_so(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = planned_visit(team_3, inspector_team_3, approved_factory)
    client.force_login(inspector_team_3)
    client.post(f"/inspections/{visit.pk}/start/", {"version": visit.version})
    again = client.post(f"/inspections/{visit.pk}/start/", {"version": visit.version}, follow=True)
    assert again.status_code == 200 and "already started" in again.content.decode()
    assert actions("inspections.start") == 1


def test_finishing_on_a_stale_page_is_a_conflict_that_says_to_reload(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any, city_commander: Any
) -> None:
    visit = started_visit(team_3, inspector_team_3, approved_factory)
    stale = visit.version
    # meanwhile the commander records every item (which moves the version on)
    services.record_findings(by=city_commander, inspection=visit, findings=all_fine())
    client.force_login(inspector_team_3)
    response = client.post(f"/inspections/{visit.pk}/finish/", {"version": stale})
    assert response.status_code == 409
    assert "reload it and try again" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "in_progress"
    assert client.post(f"/inspections/{visit.pk}/finish/", {}).status_code == 422


def test_finishing_before_every_item_is_recorded_names_the_missing_ones(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = started_visit(team_3, inspector_team_3, approved_factory)
    client.force_login(inspector_team_3)
    client.post(f"/inspections/{visit.pk}/findings/", {"plan_approved-ok": "yes"})
    visit.refresh_from_db()
    response = client.post(f"/inspections/{visit.pk}/finish/", {"version": visit.version})
    assert response.status_code == 422
    assert "missing: onsite_within_plan" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "in_progress"


def test_a_fake_or_oversized_photo_is_refused_beside_its_item_and_nothing_is_recorded(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any, settings: Any
) -> None:
    visit = started_visit(team_3, inspector_team_3, approved_factory)
    client.force_login(inspector_team_3)
    fake = SimpleUploadedFile("qr.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    response = client.post(f"/inspections/{visit.pk}/findings/", all_items({"qr_checkin-photo": fake}))
    assert response.status_code == 422
    assert "JPEG or PNG" in response.context["forms"]["findings"].errors["qr_checkin-photo"][0]
    assert 'id="id_qr_checkin-photo-errors"' in response.content.decode()
    settings.PHAODAI_MAX_UPLOAD_BYTES = 16
    big = SimpleUploadedFile("qr.png", PNG, content_type="image/png")
    response = client.post(f"/inspections/{visit.pk}/findings/", all_items({"qr_checkin-photo": big}))
    assert "larger than" in response.context["forms"]["findings"].errors["qr_checkin-photo"][0]
    note_only = client.post(f"/inspections/{visit.pk}/findings/", {"disinfection-note": "Thiếu nước rửa tay"})
    assert (
        "Say whether this item is fine" in note_only.context["forms"]["findings"].errors["disinfection-ok"][0]
    )
    assert client.post(f"/inspections/{visit.pk}/findings/", {}).status_code == 422
    assert not Finding.objects.exists()


def test_a_fine_outside_the_band_is_refused_beside_the_amount_and_nothing_is_written(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = started_visit(team_3, inspector_team_3, approved_factory)
    client.force_login(inspector_team_3)
    url = f"/inspections/{visit.pk}/violations/"
    response = client.post(url, violation_form(fine_amount="25.000.000"))
    assert response.status_code == 422
    [message] = response.context["forms"]["violation"].errors["fine_amount"]
    assert "10.000.000 đ and 20.000.000 đ for an organisation" in message
    assert 'id="id_violation_fine_amount-errors"' in response.content.decode()
    typo = client.post(url, violation_form(fine_amount="1.5"))
    assert "whole number" in typo.context["forms"]["violation"].errors["fine_amount"][0]
    wrong_measures = client.post(url, violation_form(measures=["closure"]))
    assert "exactly one" in wrong_measures.context["forms"]["violation"].errors["measures"][0]
    assert not Violation.objects.exists()
    assert SafetyPlan.objects.get(business=approved_factory).status == "approved"


def test_the_same_decision_sent_twice_is_recorded_once_and_a_different_one_is_a_conflict(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = started_visit(team_3, inspector_team_3, approved_factory)
    client.force_login(inspector_team_3)
    url = f"/inspections/{visit.pk}/violations/"
    client.post(url, violation_form())
    again = client.post(url, violation_form(fine_amount="15000000 đ"), follow=True)
    assert "already recorded" in again.content.decode()
    other = client.post(url, violation_form(fine_amount="12.000.000"))
    assert other.status_code == 409
    assert "already has a violation" in other.context["forms"]["violation"].errors["decision_number"][0]
    assert Violation.objects.count() == 1
    assert actions("inspections.record_violation") == 1


def test_a_planned_inspection_is_called_off_with_a_reason(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = planned_visit(team_3, inspector_team_3, approved_factory)
    client.force_login(inspector_team_3)
    url = f"/inspections/{visit.pk}/cancel/"
    refused = client.post(url, {"version": visit.version, "reason": ""})
    assert refused.status_code == 422
    assert "Say why" in refused.context["forms"]["cancel"].errors["reason"][0]
    assert client.post(url, {"version": visit.version, "reason": "Đoàn đổi lịch."}).status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.summary) == ("cancelled", "Đoàn đổi lịch.")
    # a started inspection can no longer be called off
    late = client.post(f"/inspections/{visit.pk}/start/", {"version": visit.version})
    assert late.status_code == 409 and "Cancelled" in late.content.decode()


def test_a_failed_inspection_is_reinspected_once_and_a_pass_reopens_the_business(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = surprise_visit(team_3, inspector_team_3, approved_factory, hanoi(2021, 9, 11, 9))
    services.record_findings(
        by=inspector_team_3, inspection=visit, findings=all_fine(except_=("qr_checkin",))
    )
    fine_and_close(inspector_team_3, visit)
    services.finish_inspection(by=inspector_team_3, inspection=visit)
    client.force_login(inspector_team_3)
    fields = {"team": str(team_3.pk), "mode": "planned", "scheduled_at": "", "token": "again-1"}
    response = client.post(f"/inspections/{visit.pk}/reinspect/", fields)
    again = Inspection.objects.get(follow_up_of=visit.pk)
    assert response.headers["Location"] == f"/inspections/{again.pk}/"
    client.post(f"/inspections/{visit.pk}/reinspect/", fields)
    assert Inspection.objects.filter(follow_up_of=visit.pk).count() == 1

    url = f"/inspections/{again.pk}/"
    client.post(f"{url}start/", {"version": again.version})
    client.post(f"{url}findings/", all_items())
    again.refresh_from_db()
    client.post(f"{url}finish/", {"version": again.version})
    again.refresh_from_db()
    assert again.result == "pass"
    assert not selectors.is_closed(approved_factory)
    assert SafetyPlan.objects.get(business=approved_factory).status == "approved"
    earlier = client.get(f"/inspections/{visit.pk}/").content.decode()
    assert f'data-inspection="{again.pk}"' in earlier


# Who may see and act -----------------------------------------------------------------------------------


def test_an_inspection_is_read_within_ones_units_and_acted_on_by_the_team(
    client: Any,
    team_3: Any,
    inspector_team_3: Any,
    approved_factory: Any,
    district_officer_long_bien: Any,
    district_officer_ba_dinh: Any,
    ward_officer_bo_de: Any,
) -> None:
    visit = planned_visit(team_3, inspector_team_3, approved_factory)
    url = f"/inspections/{visit.pk}/"
    client.force_login(district_officer_ba_dinh)
    assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(action="scope.denied", object_id=str(visit.pk)).exists()
    client.force_login(ward_officer_bo_de)
    assert client.get(url).status_code == 403
    # Long Biên reads it, but the city's team acts for itself (its members, the city's inspectors)
    client.force_login(district_officer_long_bien)
    page = client.get(url)
    assert page.status_code == 200 and 'id="step-start"' not in page.content.decode()
    assert client.post(f"{url}start/", {"version": visit.version}).status_code == 403
    visit.refresh_from_db()
    assert visit.status == "planned"


def test_a_photo_is_served_only_within_the_inspections_scope(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any, district_officer_ba_dinh: Any
) -> None:
    visit = started_visit(team_3, inspector_team_3, approved_factory)
    photo = SimpleUploadedFile("qr.png", PNG)
    services.record_findings(
        by=inspector_team_3,
        inspection=visit,
        findings=[services.FindingInput("qr_checkin", False, photo=photo)],
    )
    client.force_login(district_officer_ba_dinh)
    assert client.get(f"/inspections/{visit.pk}/findings/qr_checkin/photo/").status_code == 404
    client.force_login(inspector_team_3)
    assert client.get(f"/inspections/{visit.pk}/findings/masks_distancing/photo/").status_code == 404


def test_the_pages_read_in_vietnamese_first_with_dates_day_first(
    vietnamese_client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = services.plan_inspection(
        by=inspector_team_3,
        team=team_3,
        target_kind="business",
        business=approved_factory,
        scheduled_at=hanoi(2021, 9, 11, 9, 5),
        clock=at(hanoi(2021, 9, 10)),
    )
    vietnamese_client.force_login(inspector_team_3)
    page = vietnamese_client.get(f"/inspections/{visit.pk}/")
    assert page.headers["Content-Language"] == "vi"
    assert "11/09/2021 09:05" in page.content.decode()


def test_the_team_may_be_left_empty_only_when_it_is_the_users_only_one(
    client: Any,
    team_3: Any,
    inspector_team_3: Any,
    city_commander: Any,
    district_officer_long_bien: Any,
    unit: Callable[[str], Any],
) -> None:
    market = {
        **plan_form(team_3, target_kind="market", tax_code="", unit="00139", target_label="Chợ Bồ Đề"),
        "team": "",
    }
    client.force_login(inspector_team_3)
    assert client.post("/inspections/plan/", market).status_code == 302
    assert Inspection.objects.get().team_id == team_3.pk
    # the city acts for every city team: with a second one it must say which
    services.create_team(
        by=city_commander,
        name="Tổ công tác số 4",
        level="city",
        decision_number="1103-QĐ/TU",
        decision_date=hanoi(2021, 9, 1).date(),
        home_unit=unit("01"),
        area_units=[unit("004")],
        active_from=hanoi(2021, 9, 1),
    )
    client.force_login(city_commander)
    refused = client.post("/inspections/plan/", {**market, "token": "token-2"})
    assert refused.status_code == 422 and "Choose the team" in refused.context["form"].errors["team"][0]
    # an officer with no team of their own may not plan at all
    client.force_login(district_officer_long_bien)
    assert client.post("/inspections/plan/", {**market, "token": "token-3"}).status_code == 403
    assert Inspection.objects.count() == 1
