import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory

from phaodai.core.middleware import RefuseNulBytesMiddleware

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


# Posted forms ---------------------------------------------------------------------------------------


def through(request):
    """The middleware around a view that reads the form as a view would, and answers 200."""
    seen = {}

    def view(request):
        request.upload_handlers = list(request.upload_handlers)  # a view may still choose its handlers
        seen["post"] = request.POST.dict()
        seen["files"] = {name: upload.read() for name, upload in request.FILES.items()}
        return HttpResponse("ok")

    return RefuseNulBytesMiddleware(view)(request), seen


@pytest.mark.parametrize("body", ["name=a%00b&note=x", "name=ok&no%00te=x", "name=a\x00b"])
def test_a_nul_in_a_url_encoded_form_is_a_clear_400(body):
    request = RequestFactory().post(
        "/community/teams/", body, content_type="application/x-www-form-urlencoded"
    )
    response, seen = through(request)
    assert response.status_code == 400 and "NUL" in response.content.decode()
    assert response["Content-Type"] == "text/plain; charset=utf-8" and not seen


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_every_method_with_a_body_is_checked(method):
    request = getattr(RequestFactory(), method)(
        "/x/", "name=a%00b", content_type="application/x-www-form-urlencoded"
    )
    assert through(request)[0].status_code == 400


def test_a_clean_form_reaches_the_view_with_its_values():
    body = "name=Nguy%E1%BB%85n&note=50%25+off&code=%2500"  # "%2500" is the text "%00", not a NUL
    request = RequestFactory().post("/x/", body, content_type="application/x-www-form-urlencoded")
    response, seen = through(request)
    assert response.status_code == 200
    assert seen["post"] == {"name": "Nguyễn", "note": "50% off", "code": "%00"}


def test_a_nul_in_a_multipart_field_is_refused_but_not_in_a_files_contents():
    upload = SimpleUploadedFile("roster.xlsx", b"PK\x03\x04\x00\x00binary\x00", "application/octet-stream")
    response, seen = through(RequestFactory().post("/x/", {"name": "Tổ 5", "file": upload}))
    assert response.status_code == 200
    assert seen["post"] == {"name": "Tổ 5"} and seen["files"] == {"file": b"PK\x03\x04\x00\x00binary\x00"}
    upload.seek(0)
    response, seen = through(RequestFactory().post("/x/", {"name": "Tổ\x005", "file": upload}))
    assert response.status_code == 400 and "NUL" in response.content.decode() and not seen


def test_a_multipart_upload_too_large_to_hold_is_left_to_its_view(settings):
    # Reading a large upload whole is what upload handlers avoid: its view checks its own fields.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    upload = SimpleUploadedFile("big.csv", b"x" * 5000)
    response, seen = through(RequestFactory().post("/x/", {"name": "Tổ\x005", "file": upload}))
    assert response.status_code == 200 and seen["files"] == {"file": b"x" * 5000}


def test_a_page_form_with_a_nul_is_refused_before_the_view(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    response = client.post(
        "/community/teams/", "area=00139-TDP01%00", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400 and "NUL" in response.content.decode()


def test_a_nul_in_a_json_body_is_left_to_the_api_and_its_error_shape(client, ward_officer_bo_de):
    # The API's input schemas refuse NUL themselves (core.schemas.Strict) as {"code", "message", ...}.
    client.force_login(ward_officer_bo_de)
    body = '{"unit": "00139", "kind": "goods", "item": "rice", "quantity": 5, "donor_name": "A\\u0000B"}'
    response = client.post("/api/v1/relief/donations", body, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    assert "NUL" in response.json()["message"] or "NUL" in str(response.json().get("errors"))


def test_a_nul_in_a_form_sent_to_the_api_is_left_to_the_api():
    # API endpoints taking forms (multipart photos) refuse NUL with their own JSON error shape.
    response, seen = through(RequestFactory().post("/api/v1/x", {"note": "a\x00b"}))
    assert response.status_code == 200 and seen
