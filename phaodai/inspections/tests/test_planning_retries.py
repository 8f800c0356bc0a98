"""Planning sent again never plans twice: the idempotency key in the services, the pages' form token, the
API's Idempotency-Key header, and two requests racing (on PostgreSQL)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError

from phaodai.business.tests.conftest import at
from phaodai.core.clock import hanoi
from phaodai.core.errors import InvalidInput
from phaodai.core.models import AuditEntry
from phaodai.inspections import services
from phaodai.inspections.errors import KeyAlreadyUsed
from phaodai.inspections.models import Inspection
from phaodai.inspections.tests.test_api_bad_input import post, race
from phaodai.inspections.tests.test_services import all_fine, fine_and_close, surprise_visit

MORNING = hanoi(2021, 9, 11, 9)
MARKET_JSON = {
    "target_kind": "market",
    "unit": "00139",
    "label": "Chợ Bồ Đề",
    "scheduled_at": "2021-09-11T09:00",
}


def planned_count() -> int:
    return AuditEntry.objects.filter(action="inspections.plan").count()


def market(by: Any, team: Any, units: Callable[[str], Any], key: str | None, **overrides: Any) -> Inspection:
    """Chợ Bồ Đề planned for 09:00 11/9 (the time the plan is made), under the key given."""
    fields: dict[str, Any] = {
        "by": by,
        "team": team,
        "target_kind": "market",
        "unit": units("00139"),
        "label": "Chợ Bồ Đề",
        "idempotency_key": key,
        "clock": at(MORNING),
    }
    fields.update(overrides)
    return services.plan_inspection(**fields)


@pytest.fixture
def failed_visit(team_3: Any, inspector_team_3: Any, approved_factory: Any) -> Inspection:
    """The factory's surprise inspection of 11/9, finished and failed (fined and closed)."""
    visit = surprise_visit(team_3, inspector_team_3, approved_factory)
    services.record_findings(
        by=inspector_team_3, inspection=visit, findings=all_fine(except_=("qr_checkin",))
    )
    fine_and_close(inspector_team_3, visit)
    return services.finish_inspection(by=inspector_team_3, inspection=visit)


# The services ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_key_returns_the_first_inspection_and_plans_nothing_more(
    team_3: Any, inspector_team_3: Any, unit: Callable[[str], Any]
) -> None:
    first = market(inspector_team_3, team_3, unit, "form-1")
    assert first.created_now is True and first.idempotency_key == "form-1"
    again = market(inspector_team_3, team_3, unit, " form-1 ", clock=at(hanoi(2021, 9, 11, 9, 5)))
    assert (again.pk, again.created_now) == (first.pk, False)
    assert Inspection.objects.count() == planned_count() == 1
    # without a key (or a blank one) each call plans an inspection, as before
    assert market(inspector_team_3, team_3, unit, None).created_now is True
    assert market(inspector_team_3, team_3, unit, "  ").created_now is True
    assert Inspection.objects.count() == planned_count() == 3
    assert Inspection.objects.filter(idempotency_key__isnull=True).count() == 2


@pytest.mark.django_db
def test_a_key_reused_for_another_inspection_or_by_someone_else_is_refused(
    team_3: Any, inspector_team_3: Any, city_commander: Any, unit: Callable[[str], Any]
) -> None:
    market(inspector_team_3, team_3, unit, "form-1")
    for by, overrides in [
        (inspector_team_3, {"label": "Chợ Long Biên"}),
        (inspector_team_3, {"unit": unit("00133"), "label": "Chợ Ngọc Lâm"}),
        (inspector_team_3, {"surprise": True}),
        (inspector_team_3, {"scheduled_at": hanoi(2021, 9, 12, 9)}),
        (city_commander, {}),
    ]:
        with pytest.raises(KeyAlreadyUsed) as refused:
            market(by, team_3, unit, "form-1", **overrides)
        assert (refused.value.status, refused.value.field) == (409, "idempotency_key"), overrides
    with pytest.raises(InvalidInput) as too_long:
        market(inspector_team_3, team_3, unit, "k" * 81)
    assert too_long.value.field == "idempotency_key"
    assert Inspection.objects.count() == planned_count() == 1


@pytest.mark.django_db
def test_a_retry_after_the_team_ended_still_answers_with_the_first(
    city_commander: Any, inspector_team_3: Any, unit: Callable[[str], Any]
) -> None:
    team = services.create_team(
        by=city_commander,
        name="Tổ công tác số 9",
        level="city",
        decision_number="1103-QĐ/TU",
        decision_date=hanoi(2021, 9, 1).date(),
        home_unit=unit("01"),
        area_units=[unit("004")],
        members=[services.MemberSpec("Nguyễn Văn Hùng", user=inspector_team_3)],
        active_from=hanoi(2021, 9, 1),
        active_until=hanoi(2021, 9, 11, 12),
    )
    first = market(inspector_team_3, team, unit, "form-1")
    again = market(inspector_team_3, team, unit, "form-1", clock=at(hanoi(2021, 9, 11, 13)))
    assert (again.pk, again.created_now) == (first.pk, False)


@pytest.mark.django_db
def test_a_reinspection_with_the_same_key_is_planned_once(
    team_3: Any, inspector_team_3: Any, city_commander: Any, failed_visit: Inspection
) -> None:
    first = services.plan_reinspection(
        by=inspector_team_3, team=team_3, of=failed_visit, idempotency_key="again-1"
    )
    again = services.plan_reinspection(
        by=inspector_team_3, team=team_3, of=failed_visit, idempotency_key="again-1"
    )
    assert (first.created_now, again.pk, again.created_now) == (True, first.pk, False)
    assert Inspection.objects.filter(follow_up_of=failed_visit.pk).count() == 1
    with pytest.raises(KeyAlreadyUsed):  # the key of a plain inspection is not a re-inspection's
        services.plan_inspection(
            by=inspector_team_3,
            team=team_3,
            target_kind="business",
            business=failed_visit.business,
            idempotency_key="again-1",
        )


@pytest.mark.django_db
def test_a_concurrent_duplicate_answers_with_the_winner(
    team_3: Any, inspector_team_3: Any, unit: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loser looked the key up before the winner committed; the unique index stops its insert."""
    first = market(inspector_team_3, team_3, unit, "form-1")
    real = services._planned_with
    lookups: list[str] = []

    def too_early_then_real(key: str) -> Inspection | None:
        lookups.append(key)
        return None if len(lookups) == 1 else real(key)

    monkeypatch.setattr(services, "_planned_with", too_early_then_real)
    again = market(inspector_team_3, team_3, unit, "form-1")
    assert (again.pk, again.created_now, lookups) == (first.pk, False, ["form-1", "form-1"])
    assert Inspection.objects.count() == planned_count() == 1
    # without a key, an integrity error is not a retry: it is raised as it is
    monkeypatch.setattr(Inspection.objects, "create", _raise_integrity_error)
    with pytest.raises(IntegrityError):
        market(inspector_team_3, team_3, unit, None)


def _raise_integrity_error(**_fields: Any) -> Inspection:
    raise IntegrityError("simulated")


# The pages: the form token is the key ------------------------------------------------------------------


def market_form(team: Any, token: str, **overrides: Any) -> dict[str, Any]:
    fields = {
        "team": str(team.pk),
        "mode": "planned",
        "scheduled_at": "11/09/2021 09:00",
        "target_kind": "market",
        "tax_code": "",
        "business": "",
        "unit": "00139",
        "area": "",
        "target_label": "Chợ Bồ Đề",
        "token": token,
    }
    fields.update(overrides)
    return fields


@pytest.mark.django_db
def test_each_form_shown_carries_a_new_token_that_plans_one_inspection(
    client: Any, team_3: Any, inspector_team_3: Any
) -> None:
    client.force_login(inspector_team_3)
    tokens = []
    for _shown in range(2):
        page = client.get("/inspections/plan/")
        token = page.context["form"]["token"].value()
        assert f'value="{token}"' in page.content.decode()  # a hidden field of the form shown
        tokens.append(token)
    assert tokens[0] != tokens[1] and all(len(t) >= 16 for t in tokens)
    first = client.post("/inspections/plan/", market_form(team_3, tokens[0]))
    planned = Inspection.objects.get()
    assert (first.status_code, planned.idempotency_key) == (302, tokens[0])
    # the same form sent again (a double click, the page reloaded) shows the same inspection
    again = client.post("/inspections/plan/", market_form(team_3, tokens[0]), follow=True)
    assert again.redirect_chain[-1][0] == f"/inspections/{planned.pk}/"
    assert "already planned" in again.content.decode()
    # another form shown is another inspection
    client.post("/inspections/plan/", market_form(team_3, tokens[1]))
    assert Inspection.objects.count() == planned_count() == 2


@pytest.mark.django_db
def test_a_form_sent_back_with_another_target_is_refused_with_a_clear_message(
    client: Any, team_3: Any, inspector_team_3: Any
) -> None:
    client.force_login(inspector_team_3)
    client.post("/inspections/plan/", market_form(team_3, "token-1"))
    refused = client.post("/inspections/plan/", market_form(team_3, "token-1", target_label="Chợ Long Biên"))
    assert refused.status_code == 409
    assert "already planned another inspection" in refused.content.decode()
    assert Inspection.objects.count() == 1
    too_long = client.post("/inspections/plan/", market_form(team_3, "t" * 81))
    assert too_long.status_code == 422 and too_long.context["form"].errors["token"]


@pytest.mark.django_db
def test_the_reinspection_form_carries_its_token_and_plans_once(
    client: Any, team_3: Any, inspector_team_3: Any, failed_visit: Inspection
) -> None:
    client.force_login(inspector_team_3)
    page = client.get(f"/inspections/{failed_visit.pk}/")
    token = page.context["forms"]["reinspect"]["token"].value()
    assert token and f'value="{token}"' in page.content.decode()
    fields = {"team": "", "mode": "planned", "scheduled_at": "", "token": token}
    first = client.post(f"/inspections/{failed_visit.pk}/reinspect/", fields)
    again = client.post(f"/inspections/{failed_visit.pk}/reinspect/", fields, follow=True)
    follow_up = Inspection.objects.get(follow_up_of=failed_visit.pk)
    assert first.headers["Location"] == f"/inspections/{follow_up.pk}/"
    assert again.redirect_chain[-1][0] == f"/inspections/{follow_up.pk}/"
    assert "already planned" in again.content.decode()


# The API: the Idempotency-Key header ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_plan_retried_with_its_key_answers_200_with_the_same_inspection(
    client: Any, team_3: Any, inspector_team_3: Any
) -> None:
    client.force_login(inspector_team_3)
    body = MARKET_JSON
    path = f"/teams/{team_3.pk}/inspections"
    first = post(client, path, body, **{"Idempotency-Key": "plan-1"})
    again = post(client, path, body, **{"Idempotency-Key": "plan-1"})
    assert (first.status_code, again.status_code) == (201, 200), again.json()
    assert again.json() == first.json()
    other = post(client, path, {**body, "label": "Chợ Long Biên"}, **{"Idempotency-Key": "plan-1"})
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_key_reused")
    assert Inspection.objects.count() == planned_count() == 1
    # without the header, each request plans one
    assert [post(client, path, body).status_code for _ in range(2)] == [201, 201]
    assert Inspection.objects.count() == 3


@pytest.mark.django_db
def test_a_reinspection_retried_with_its_key_answers_200(
    client: Any, inspector_team_3: Any, failed_visit: Inspection
) -> None:
    client.force_login(inspector_team_3)
    path = f"/{failed_visit.pk}/reinspections"
    first = post(client, path, {}, **{"Idempotency-Key": "again-1"})
    again = post(client, path, {}, **{"Idempotency-Key": "again-1"})
    assert (first.status_code, again.status_code) == (201, 200), again.json()
    assert first.json()["id"] == again.json()["id"]
    assert Inspection.objects.filter(follow_up_of=failed_visit.pk).count() == 1
    refused = post(client, path, {}, **{"Idempotency-Key": "k" * 81})
    assert (refused.status_code, refused.json()["field"]) == (422, "Idempotency-Key")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_plan_sent_twice_at_once_with_one_key_is_planned_once(team_3: Any, inspector_team_3: Any) -> None:
    body = MARKET_JSON
    answers = race(
        [inspector_team_3, inspector_team_3],
        lambda client: post(client, f"/teams/{team_3.pk}/inspections", body, **{"Idempotency-Key": "race-1"}),
    )
    assert sorted(a.status_code for a in answers) == [200, 201], [a.json() for a in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Inspection.objects.count() == planned_count() == 1
