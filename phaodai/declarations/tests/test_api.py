"""The API: anonymous POST with a clear validation contract, idempotent; the pass by token; scoped reads."""

import pytest

from phaodai.accounts import services as accounts
from phaodai.declarations.models import Declaration
from phaodai.declarations.tests.conftest import CCCD, all_no, api_body

pytestmark = pytest.mark.django_db
URL = "/api/v1/declarations/"


def post(client, body, **headers):
    return client.post(URL, body, content_type="application/json", headers=headers)


def test_anyone_declares_and_reads_the_pass_by_token(client, pass_key, frozen):
    sent = post(client, api_body())
    assert sent.status_code == 201
    body = sent.json()
    assert body["code"].startswith("PD1:") and body["id_masked"] == "001******345"
    assert body["valid_to"] == "2021-09-12T00:30:00Z" or body["valid_to"].startswith("2021-09-12T00:30:00")
    assert body["pass_url"] == f"/declarations/pass/{body['token']}/"
    assert CCCD not in sent.content.decode()
    again = client.get(f"{URL}passes/{body['token']}")
    assert again.status_code == 200 and again.json()["code"] == body["code"]
    assert client.get(f"{URL}passes/nope").status_code == 404


def test_a_retry_with_the_idempotency_key_answers_200_with_the_first(client, pass_key, frozen):
    first = post(client, api_body(), **{"Idempotency-Key": "k-1"})
    second = post(client, api_body(), **{"Idempotency-Key": "k-1"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["token"] == second.json()["token"] and Declaration.objects.count() == 1
    other = post(client, api_body(answers={**all_no(), "fever": True}), **{"Idempotency-Key": "k-1"})
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


def test_bad_input_answers_422_with_every_field(client, pass_key, frozen):
    answers = all_no()
    del answers["fever"]
    sent = post(
        client, api_body(birth_year=1800, id_number="0010850123", acknowledged=False, answers=answers)
    )
    assert sent.status_code == 422
    body = sent.json()
    assert body["code"] == "invalid_declaration"
    fields = {error["field"] for error in body["errors"]}
    assert {"birth_year", "id_number", "acknowledged", "answers.fever"} <= fields
    assert Declaration.objects.count() == 0


def test_an_answer_that_is_not_true_or_false_is_refused_by_the_schema(client, pass_key, frozen):
    sent = post(client, api_body(answers={**all_no(), "fever": "yes"}))
    assert sent.status_code == 422 and sent.json()["errors"][0]["field"] == "answers.fever"
    assert post(client, api_body(acknowledged="true")).status_code == 422


def test_a_bearer_token_files_on_behalf_and_a_bad_one_is_refused(
    client, pass_key, frozen, health_worker_bo_de
):
    token = accounts.issue_token(user=health_worker_bo_de)
    sent = post(client, api_body(), Authorization=f"Bearer {token}")
    assert sent.status_code == 201
    declaration = Declaration.objects.get()
    assert (declaration.filed_by, declaration.channel) == (health_worker_bo_de, "official")
    assert post(client, api_body(house="Số 9"), Authorization="Bearer pd_nope").status_code == 401


def test_a_session_cookie_does_not_file_on_behalf(client, pass_key, frozen, health_worker_bo_de):
    client.force_login(health_worker_bo_de)
    assert post(client, api_body()).status_code == 201
    assert Declaration.objects.get().filed_by is None


def test_the_questions_are_published(client):
    questions = client.get(f"{URL}questions").json()
    assert [q["code"] for q in questions][:2] == ["fever", "cough"]
    assert {q["group"] for q in questions} == {"symptom", "exposure"}


def test_officials_read_their_units(client, pass_key, frozen, ward_officer_bo_de, ward_officer_phuc_xa):
    post(client, api_body(answers={**all_no(), "fever": True}))
    declaration = Declaration.objects.get()
    client.force_login(ward_officer_bo_de)
    listing = client.get(f"{URL}list?flagged=true")
    assert [row["id"] for row in listing.json()["items"]] == [declaration.pk]
    found = client.post(f"{URL}find", {"id_number": CCCD}, content_type="application/json")
    assert [row["id_masked"] for row in found.json()["items"]] == ["001******345"]
    detail = client.get(f"{URL}{declaration.pk}")
    assert detail.status_code == 200 and detail.json()["answers"]["fever"] is True
    done = client.post(
        f"{URL}{declaration.pk}/follow-up", {"note": "Đã gọi"}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["review"] == "done"
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"{URL}{declaration.pk}").status_code == 404
    assert client.get(f"{URL}list").json()["items"] == []


def test_a_day_outside_the_plausible_years_is_422_not_a_crash(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    for day in ("9999-12-31", "0001-01-01"):
        refused = client.get(f"{URL}list", {"day": day})
        assert refused.status_code == 422 and refused.json()["code"] == "implausible_day"
    assert client.get(f"{URL}list", {"day": "2021-09-09"}).status_code == 200


def test_reads_need_sign_in(client):
    assert client.get(f"{URL}list").status_code == 401


def test_one_device_files_a_few_an_hour_and_retries_still_answer(client, pass_key, frozen, settings):
    settings.PHAODAI_DECLARATIONS_PER_HOUR = 2
    first = post(client, api_body(), **{"Idempotency-Key": "k-1"})
    second = post(client, api_body(answers={**all_no(), "fever": True}), **{"Idempotency-Key": "k-2"})
    assert (first.status_code, second.status_code) == (201, 201)
    third = post(client, api_body(answers={**all_no(), "cough": True}), **{"Idempotency-Key": "k-3"})
    assert third.status_code == 429 and third.json()["code"] == "too_many_requests"
    retry = post(client, api_body(), **{"Idempotency-Key": "k-1"})
    assert retry.status_code == 200 and retry.json()["token"] == first.json()["token"]
    # Another device is not held back; the next hour the first files again.
    other = client.post(
        URL, api_body(answers={**all_no(), "cough": True}), content_type="application/json",
        REMOTE_ADDR="10.0.0.9", headers={"Idempotency-Key": "k-4"},
    )  # fmt: skip
    assert other.status_code == 201
    frozen.shift(3600)
    later = post(client, api_body(answers={**all_no(), "cough": True}), **{"Idempotency-Key": "k-5"})
    assert later.status_code == 201
    assert Declaration.objects.count() == 4


def test_an_official_filing_for_many_people_is_not_limited(
    client, pass_key, frozen, settings, health_worker_bo_de
):
    settings.PHAODAI_DECLARATIONS_PER_HOUR = 1
    token = accounts.issue_token(user=health_worker_bo_de)
    for answer in ("fever", "cough", "fatigue"):
        sent = post(client, api_body(answers={**all_no(), answer: True}), Authorization=f"Bearer {token}")
        assert sent.status_code == 201, answer
