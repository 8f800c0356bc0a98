from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

pytestmark = pytest.mark.django_db


def get_token(client, username, password):
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


def test_a_ward_officer_exchanges_credentials_for_a_token_and_uses_it(
    client, ward_officer_bo_de, persona_password
):
    response = get_token(client, "ward-00139", persona_password)
    assert response.status_code == 200
    token = response.json()["token"]

    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})

    assert me.status_code == 200
    assert me.json() == {
        "username": "ward-00139",
        "assignments": [{"role": "ward_officer", "unit_code": "00139", "unit_name": "Phường Bồ Đề"}],
    }


def test_wrong_password_gets_a_coded_401(client, ward_officer_bo_de):
    response = get_token(client, "ward-00139", "not-the-password")
    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials"


def test_missing_fields_name_the_field(client):
    response = client.post("/api/v1/auth/token", {"username": "x"}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert "password" in body["message"]


def test_no_token_means_401_with_a_code(client):
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_forged_token_is_refused(client, ward_officer_bo_de):
    response = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer pd_forged"})
    assert response.status_code == 401


def test_tokens_expire(client, ward_officer_bo_de, persona_password, settings):
    token = get_token(client, "ward-00139", persona_password).json()["token"]
    later = timezone.now() + timedelta(days=settings.PHAODAI_API_TOKEN_DAYS, minutes=1)
    with time_machine.travel(later):
        response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_a_revoked_token_stops_working(client, ward_officer_bo_de, persona_password):
    token = get_token(client, "ward-00139", persona_password).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/auth/token/revoke", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_only_a_digest_of_the_token_is_stored(client, ward_officer_bo_de, persona_password):
    from phaodai.accounts.models import ApiToken

    token = get_token(client, "ward-00139", persona_password).json()["token"]
    stored = ApiToken.objects.get()
    assert token not in (stored.digest, stored.prefix)
    assert token.startswith(stored.prefix)


def test_openapi_spec_is_published(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/auth/token" in response.json()["paths"]
