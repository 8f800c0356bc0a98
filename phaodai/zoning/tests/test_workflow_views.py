"""Workflow pages: the desk, opening a round, a ward proposing and a district deciding."""

from datetime import timedelta

import pytest
from django.urls import reverse

from phaodai.core.clock import to_local
from phaodai.core.models import AuditEntry
from phaodai.territory.rules import AreaRow
from phaodai.zoning import selectors, services
from phaodai.zoning.models import Decision, Proposal, Round
from phaodai.zoning.tests.test_services import (
    BO_DE,
    DISTRICT_REASON,
    NGOC_LAM,
    WARD_REASON,
    Scene,
    build_scene,
    from_now,
    make_areas,
    observe,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(unit, ward_officer_bo_de, district_officer_long_bien) -> Scene:
    """A Long Biên round opened now, effective at the 06:00 after tomorrow's deadline."""
    return build_scene(unit, ward_officer_bo_de, district_officer_long_bien, from_now())


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def url(name, *args):
    return reverse(f"zoning:{name}", args=args)


def page(response) -> str:
    return response.content.decode()


def classified(scene: Scene) -> Scene:
    scene.classify()
    return scene


def raise_tdp03(scene: Scene) -> None:
    """The ward proposes KV2 for TDP03 (the table suggests KV3), with its justification."""
    kv2 = selectors.levels_of(scene.round.table).get(code="KV2")
    tdp03 = selectors.items_of(scene.bo_de).get(area__local_code="TDP03")
    services.propose_level(item=tdp03, by=scene.ward, level=kv2, justification=WARD_REASON)


def submitted(scene: Scene) -> Scene:
    scene.classify()
    scene.bo_de = services.submit_proposal(proposal=scene.refresh(), by=scene.ward)
    return scene


# The desk


def test_the_ward_desk_lists_the_wards_open_proposal(scene, as_user):
    response = as_user(scene.ward).get(url("home"))
    assert response.status_code == 200
    html = page(response)
    assert url("proposal", scene.bo_de.pk) in html and "Phường Bồ Đề" in html
    assert "Draft" in html and "Open a classification round" not in html
    # The ward enters its indicators from here; criteria tables are the district's (a ward would get 403).
    assert "/zoning/indicators/00139/" in html
    assert "/zoning/tables/" not in html


def test_the_district_desk_lists_its_rounds_with_progress(scene, as_user, django_assert_max_num_queries):
    submitted(scene)
    client = as_user(scene.district)
    with django_assert_max_num_queries(8):
        response = client.get(url("home"))
    html = page(response)
    assert url("round_detail", scene.round.pk) in html and url("round_new") in html
    assert "/zoning/tables/" in html
    counts = response.context["rounds"][0][1]
    assert (counts.total, counts.submitted, counts.not_submitted) == (14, 1, 13)


@pytest.mark.parametrize("persona", ["health_worker_bo_de", "lab_tech_cdc", "business_rep_bo_de"])
def test_the_desk_is_refused_to_roles_that_neither_propose_nor_decide(request, as_user, persona):
    assert as_user(request.getfixturevalue(persona)).get(url("home")).status_code == 403


def test_the_desk_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(url("home"))
    assert response.status_code == 302 and "/login/" in response["Location"]


# Opening a round


def test_the_new_round_form_asks_every_ward_and_defaults_to_six_oclock(as_user, district_officer_long_bien):
    response = as_user(district_officer_long_bien).get(url("round_new"))
    assert response.status_code == 200
    form = response.context["form"]
    assert len(form.initial["wards"]) == 14
    assert form["effective_time"].value().strftime("%H:%M") == "06:00"
    assert "LB-2021-09" in page(response) and "NQ128-4800" not in page(response)  # NQ128 expired in 2022


def round_form(**overrides):
    now = to_local(from_now().opened)
    data = {
        "district": "004",
        "table": "LB-2021-09:1",
        "wards": [BO_DE, NGOC_LAM],
        "deadline": (now + timedelta(days=1)).strftime("%Y-%m-%dT17:00"),
        "effective_date": (now + timedelta(days=2)).strftime("%Y-%m-%d"),
        "effective_time": "06:00",
        "title": "Vòng phân loại thử",
    }
    data.update(overrides)
    return data


def test_a_district_opens_a_round_for_the_wards_it_ticks(as_user, district_officer_long_bien):
    response = as_user(district_officer_long_bien).post(url("round_new"), round_form())
    round_ = Round.objects.get()
    assert response.status_code == 302 and response["Location"] == url("round_detail", round_.pk)
    assert sorted(p.ward.code for p in selectors.proposals_of(round_)) == [NGOC_LAM, BO_DE]
    assert (to_local(round_.effective_at).hour, round_.title) == (6, "Vòng phân loại thử")


def test_a_round_without_wards_is_refused_and_keeps_what_was_typed(as_user, district_officer_long_bien):
    response = as_user(district_officer_long_bien).post(url("round_new"), round_form(wards=[]))
    assert response.status_code == 200 and not Round.objects.exists()
    html = page(response)
    assert "Choose at least one ward." in html and 'value="Vòng phân loại thử"' in html


def test_a_round_effective_in_the_past_is_refused_beside_the_date(as_user, district_officer_long_bien):
    past = to_local(from_now().opened) - timedelta(days=1)
    data = round_form(effective_date=past.strftime("%Y-%m-%d"), deadline=past.strftime("%Y-%m-%dT00:00"))
    response = as_user(district_officer_long_bien).post(url("round_new"), data)
    assert response.status_code == 200 and not Round.objects.exists()
    assert response.context["form"].errors["effective_date"] == ["The effective time must be in the future."]


def test_the_city_opens_rounds_in_any_district(as_user, city_commander):
    response = as_user(city_commander).get(url("round_new"), {"district": "001"})
    assert response.status_code == 200
    assert response.context["district"].code == "001" and len(response.context["districts"]) == 30
    assert "Phường Phúc Xá" in page(response)


def test_a_district_cannot_open_a_round_in_another_district(as_user, district_officer_long_bien):
    before = AuditEntry.objects.filter(action="scope.denied").count()
    assert as_user(district_officer_long_bien).get(url("round_new"), {"district": "001"}).status_code == 404
    assert AuditEntry.objects.filter(action="scope.denied").count() == before + 1


def test_a_ward_cannot_open_a_round(as_user, ward_officer_bo_de):
    assert as_user(ward_officer_bo_de).get(url("round_new")).status_code == 403


# A round


def test_the_round_page_shows_who_submitted_late_or_not_at_all(
    scene, unit, as_user, ward_officer_ngoc_lam, django_assert_max_num_queries
):
    areas = make_areas(unit(NGOC_LAM), [AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 500, 100)])
    observe(ward_officer_ngoc_lam, areas, {"TDP01": {"lockdown_active": False}}, scene.t.observed)
    submitted(scene)
    ngoc_lam = selectors.proposals_of(scene.round).get(ward__code=NGOC_LAM)
    services.classify_proposal(proposal=ngoc_lam, by=ward_officer_ngoc_lam)
    late = scene.round.deadline + timedelta(hours=1)
    services.submit_proposal(proposal=ngoc_lam, by=ward_officer_ngoc_lam, clock=lambda: late)
    client = as_user(scene.district)
    with django_assert_max_num_queries(8):
        response = client.get(url("round_detail", scene.round.pk))
    html = page(response)
    assert "2 of 14 wards submitted (1 late)" in html and "12 not submitted" in html
    assert html.count(url("proposal", scene.bo_de.pk)) == 1 and "Phường Phúc Lợi" in html


def test_a_ward_sees_only_its_own_line_of_the_round(scene, as_user):
    response = as_user(scene.ward).get(url("round_detail", scene.round.pk))
    assert response.status_code == 200
    assert [p.ward.code for p in response.context["proposals"]] == [BO_DE]
    assert response.context["counts"] is None


def test_a_round_of_another_district_is_not_found(
    scene, as_user, district_officer_ba_dinh, ward_officer_phuc_xa
):
    for outsider in (district_officer_ba_dinh, ward_officer_phuc_xa):
        assert as_user(outsider).get(url("round_detail", scene.round.pk)).status_code == 404


# The ward proposes


def test_the_ward_classifies_and_sees_each_areas_suggestion_and_reason(scene, as_user):
    client = as_user(scene.ward)
    assert "Not classified yet." in page(client.get(url("proposal", scene.bo_de.pk)))
    response = client.post(url("proposal_classify", scene.bo_de.pk))
    assert response.status_code == 302
    html = page(client.get(url("proposal", scene.bo_de.pk)))
    assert "KV1-1" in html and "lockdown_active = True" in html
    assert "Missing indicators" in html and "Tổ dân phố 3" in html
    assert html.count('name="00139-TDP01-level"') == 1


def test_a_level_change_without_justification_is_refused_in_its_row(scene, as_user):
    classified(scene)
    response = as_user(scene.ward).post(
        url("proposal_item", scene.bo_de.pk, "00139-TDP03"),
        {"00139-TDP03-level": "KV2", "00139-TDP03-justification": ""},
        headers={"HX-Request": "true"},
    )
    html = page(response)
    assert response.status_code == 200 and "<html" not in html
    assert "Give a written reason" in html
    assert '<option value="KV2" selected>' in html  # the choice made is kept
    assert selectors.items_of(scene.bo_de).get(area__local_code="TDP03").proposed_level.code == "KV3"


def test_a_justified_change_saves_the_row_and_the_new_version(scene, as_user):
    classified(scene)
    response = as_user(scene.ward).post(
        url("proposal_item", scene.bo_de.pk, "00139-TDP03"),
        {"00139-TDP03-level": "KV2", "00139-TDP03-justification": WARD_REASON},
        headers={"HX-Request": "true"},
    )
    html = page(response)
    assert 'class="changed"' in html and "Saved" in html
    version = scene.refresh().version
    assert f'id="submit-version" form="submit-form" value="{version}" hx-swap-oob="true"' in html
    item = selectors.items_of(scene.bo_de).get(area__local_code="TDP03")
    assert (item.proposed_level.code, item.justification) == ("KV2", WARD_REASON)


def test_without_javascript_a_refused_change_keeps_the_typed_text(scene, as_user):
    classified(scene)
    client = as_user(scene.ward)
    data = {"00139-TDP03-level": "C4", "00139-TDP03-justification": "Lý do đã gõ"}
    response = client.post(url("proposal_item", scene.bo_de.pk, "00139-TDP03"), data)
    assert response.status_code == 200 and "<html" in page(response)
    assert "Lý do đã gõ" in page(response)
    data["00139-TDP03-level"] = "KV2"
    assert client.post(url("proposal_item", scene.bo_de.pk, "00139-TDP03"), data).status_code == 302


def test_the_ward_submits_the_version_it_saw(scene, as_user):
    classified(scene)
    response = as_user(scene.ward).post(
        url("proposal_submit", scene.bo_de.pk), {"version": scene.refresh().version}
    )
    assert response.status_code == 302
    proposal = scene.refresh()
    assert (proposal.status, proposal.late) == ("submitted", False)


def test_a_submission_of_a_stale_page_conflicts_and_shows_the_current_state(scene, as_user):
    classified(scene)
    shown = scene.refresh().version
    raise_tdp03(scene)
    response = as_user(scene.ward).post(url("proposal_submit", scene.bo_de.pk), {"version": shown})
    assert response.status_code == 409
    html = page(response)
    assert "The proposal changed since you opened it" in html and WARD_REASON in html
    assert f'id="submit-version" value="{shown + 1}"' in html
    assert scene.refresh().status == Proposal.Status.DRAFT


def test_an_htmx_conflict_reloads_the_page(scene, as_user):
    submitted(scene)
    response = as_user(scene.ward).post(
        url("proposal_item", scene.bo_de.pk, "00139-TDP03"),
        {"00139-TDP03-level": "KV2", "00139-TDP03-justification": "x"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409 and response["HX-Refresh"] == "true"


def test_submitting_before_classifying_says_what_to_do(scene, as_user):
    response = as_user(scene.ward).post(url("proposal_submit", scene.bo_de.pk), {})
    assert response.status_code == 422
    assert "Run the classification" in page(response)


def test_the_ward_page_reads_a_long_ward_in_a_bounded_number_of_queries(
    scene, unit, as_user, django_assert_max_num_queries
):
    rows = [AreaRow(f"K{n:02d}", f"Khu {n}", "to_dan_pho", 100 + n, 30) for n in range(36)]
    make_areas(unit(BO_DE), rows)
    classified(scene)
    client = as_user(scene.ward)
    with django_assert_max_num_queries(8):
        response = client.get(url("proposal", scene.bo_de.pk))
    assert len(response.context["rows"]) == 40


# The district decides


def test_the_district_sees_the_wards_justifications_highlighted(scene, as_user):
    classified(scene)
    raise_tdp03(scene)
    scene.bo_de = services.submit_proposal(proposal=scene.refresh(), by=scene.ward)
    html = page(as_user(scene.district).get(url("proposal", scene.bo_de.pk)))
    assert 'class="justification alert alert-warning">' + WARD_REASON in html
    assert 'data-area="00139-TDP03" class="changed"' in html
    assert 'name="level__00139-TDP02"' in html and "Issue the decision" in html
    assert "00139-TDP03-level" not in html  # the ward's own controls are not the district's


def decision_form(scene: Scene, **overrides) -> dict:
    local = to_local(scene.round.effective_at)
    data = {
        "version": scene.refresh().version,
        "number": "2451/QĐ-UBND",
        "signatory": "Chủ tịch UBND quận Long Biên",
        "effective_date": local.strftime("%Y-%m-%d"),
        "effective_time": "06:00",
    }
    for item in selectors.items_of(scene.bo_de):
        data[f"level__{item.area.code}"] = item.proposed_level.code
        data[f"reason__{item.area.code}"] = ""
    data.update(overrides)
    return data


def test_a_change_without_a_reason_is_refused_and_the_typed_decision_kept(scene, as_user):
    submitted(scene)
    data = decision_form(scene, **{"level__00139-TDP02": "KV1"})
    response = as_user(scene.district).post(url("proposal_decide", scene.bo_de.pk), data)
    assert response.status_code == 200 and not Decision.objects.exists()
    form = response.context["decision_form"]
    assert form.errors["reason__00139-TDP02"] == ["Give the reason for changing the ward's level."]
    html = page(response)
    assert 'value="2451/QĐ-UBND"' in html and '<option value="KV1" selected>' in html


def test_the_district_decides_and_the_proposal_is_locked(scene, as_user, django_assert_max_num_queries):
    submitted(scene)
    client = as_user(scene.district)
    data = decision_form(scene, **{"level__00139-TDP02": "KV1", "reason__00139-TDP02": DISTRICT_REASON})
    response = client.post(url("proposal_decide", scene.bo_de.pk), data)
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.number, decision.effective_at) == ("2451/QĐ-UBND", scene.round.effective_at)
    with django_assert_max_num_queries(8):
        html = page(client.get(url("proposal", scene.bo_de.pk)))
    assert "Decision 2451/QĐ-UBND" in html and "The proposal is decided and locked." in html
    assert DISTRICT_REASON in html
    assert "<select" not in html and "Issue the decision" not in html
    ward_html = page(as_user(scene.ward).get(url("proposal", scene.bo_de.pk)))
    assert "<select" not in ward_html and "Classify" not in ward_html
    # a second decision (another tab, or a double click) is a conflict showing the decided state
    again = as_user(scene.district).post(
        url("proposal_decide", scene.bo_de.pk), {**data, "number": "2452/QĐ-UBND"}
    )
    assert again.status_code == 409
    assert "This proposal is not open for this action" in page(again) and "Decision 2451/QĐ-UBND" in page(
        again
    )
    assert Decision.objects.count() == 1


def test_a_bare_decision_takes_the_wards_levels_and_the_rounds_effect(scene, as_user):
    submitted(scene)
    data = {"number": "2451/QĐ-UBND", "signatory": "Chủ tịch UBND quận Long Biên"}
    response = as_user(scene.district).post(url("proposal_decide", scene.bo_de.pk), data)
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.effective_at == scene.round.effective_at
    assert {i.decided_level_id == i.proposed_level_id for i in selectors.items_of(scene.bo_de)} == {True}


def test_a_decision_effective_in_the_past_is_refused_beside_the_date(scene, as_user):
    submitted(scene)
    yesterday = to_local(scene.t.opened) - timedelta(days=1)
    data = decision_form(scene, effective_date=yesterday.strftime("%Y-%m-%d"))
    response = as_user(scene.district).post(url("proposal_decide", scene.bo_de.pk), data)
    assert response.context["decision_form"].errors["effective_date"] == [
        "The effective time must be in the future."
    ]
    assert scene.refresh().status == Proposal.Status.SUBMITTED


def test_the_district_returns_a_proposal_with_a_reason(scene, as_user):
    submitted(scene)
    client = as_user(scene.district)
    refused = client.post(
        url("proposal_return", scene.bo_de.pk), {"reason": "", "version": scene.bo_de.version}
    )
    assert refused.status_code == 200 and "This field is required." in page(refused)
    response = client.post(
        url("proposal_return", scene.bo_de.pk),
        {"reason": "Thiếu số liệu TDP03", "version": scene.bo_de.version},
    )
    assert response.status_code == 302
    html = page(as_user(scene.ward).get(url("proposal", scene.bo_de.pk)))
    assert "Returned by the district: Thiếu số liệu TDP03" in html and "Submit to the district" in html


def test_the_district_page_reads_a_long_ward_in_a_bounded_number_of_queries(
    scene, unit, as_user, django_assert_max_num_queries
):
    make_areas(unit(BO_DE), [AreaRow(f"K{n:02d}", f"Khu {n}", "to_dan_pho", 100 + n, 30) for n in range(36)])
    submitted(scene)
    client = as_user(scene.district)
    with django_assert_max_num_queries(8):
        response = client.get(url("proposal", scene.bo_de.pk))
    assert len(response.context["rows"]) == 40 and response.context["decidable"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("ward_officer_phuc_xa", 404),
        ("district_officer_ba_dinh", 404),
        ("health_worker_bo_de", 403),
        ("inspector_team_3", 403),
        ("city_commander", 200),
    ],
)
def test_a_proposal_page_is_for_its_ward_and_district(scene, request, as_user, persona, status):
    assert (
        as_user(request.getfixturevalue(persona)).get(url("proposal", scene.bo_de.pk)).status_code == status
    )


def test_the_ward_cannot_decide_and_the_district_cannot_classify(scene, as_user):
    submitted(scene)
    assert as_user(scene.ward).post(url("proposal_decide", scene.bo_de.pk), {}).status_code == 403
    assert as_user(scene.district).post(url("proposal_classify", scene.bo_de.pk)).status_code == 403


def test_the_page_is_vietnamese_first(scene, vietnamese_client):
    vietnamese_client.force_login(scene.ward)
    response = vietnamese_client.get(url("proposal", scene.bo_de.pk))
    assert response.status_code == 200 and response["Content-Language"] == "vi"
