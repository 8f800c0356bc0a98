import pytest

pytestmark = pytest.mark.django_db


def test_the_login_page_is_vietnamese_first(vietnamese_client):
    response = vietnamese_client.get("/login/")
    assert response.status_code == 200
    assert b'<html lang="vi">' in response.content
    assert "Đăng nhập" in response.content.decode()


def test_an_english_language_browser_still_gets_vietnamese(vietnamese_client):
    response = vietnamese_client.get("/login/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert b'<html lang="vi">' in response.content


def test_english_is_one_switch_away(vietnamese_client):
    response = vietnamese_client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}, follow=True)
    assert b'<html lang="en">' in response.content
    assert b'<html lang="en">' in vietnamese_client.get("/login/").content


def test_signing_in_lands_on_home_with_the_role_and_unit(client, ward_officer_bo_de, persona_password):
    response = client.post("/login/", {"username": "ward-00139", "password": persona_password}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Phường Bồ Đề" in response.content.decode()


def test_a_wrong_password_keeps_you_on_the_form(client, ward_officer_bo_de):
    response = client.post("/login/", {"username": "ward-00139", "password": "nope"})
    assert response.status_code == 200
    assert b"alert-error" in response.content


def test_home_needs_a_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_signing_out_needs_a_post(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_navigation_shows_only_what_the_role_can_use(client, checkpoint_officer_ql6, ward_officer_bo_de):
    client.force_login(checkpoint_officer_ql6)
    assert b'href="/people/"' not in client.get("/").content
    client.force_login(ward_officer_bo_de)
    assert b'href="/people/"' in client.get("/").content
