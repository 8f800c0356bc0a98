import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/territory/?q=%00", "/api/v1/territory/units/%00", "/people/?q=a%00b"])
def test_a_nul_byte_in_the_address_is_a_clear_400(client, url):
    # PostgreSQL refuses NUL in text: without this guard these would be 500s there.
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_body_that_is_not_json_keeps_the_api_error_shape(client):
    response = client.post("/api/v1/auth/token", "not json{", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
