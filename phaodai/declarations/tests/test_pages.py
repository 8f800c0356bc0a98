"""The pages: the public form and pass, officials' list, worklist and detail."""

import pytest

from phaodai.declarations.models import Declaration
from phaodai.declarations.tests.conftest import CCCD, form_data

pytestmark = pytest.mark.django_db


def declare(client, **changes):
    return client.post("/declarations/new/", form_data(**changes))


def test_the_form_opens_for_anyone(client):
    page = client.get("/declarations/new/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Fever" in body and "Loss of taste or smell" in body and "punishable" in body
    assert 'value="00139"' in body  # Bồ Đề among Hà Nội's wards
    assert page["Cache-Control"] == "private, no-store"


def test_a_person_declares_and_gets_a_pass_to_keep(client, pass_key, frozen):
    sent = declare(client)
    declaration = Declaration.objects.get()
    assert sent.status_code == 302 and sent.url == f"/declarations/pass/{declaration.token}/"
    page = client.get(sent.url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and "001******345" in body and "Nguyễn Văn An" in body
    assert "07:30 12/09/2021" in body  # valid until, Hà Nội time
    assert CCCD not in body
    assert (page["Cache-Control"], page["Referrer-Policy"]) == ("private, no-store", "no-referrer")
    assert "noindex" in page["X-Robots-Tag"]
    pdf = client.get(f"/declarations/pass/{declaration.token}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_double_tap_on_the_form_gives_the_same_pass(client, pass_key, frozen):
    first = declare(client)
    second = declare(client)
    assert first.url == second.url and Declaration.objects.count() == 1


def test_the_form_shows_each_mistake_beside_its_field(client, pass_key, frozen):
    page = declare(
        client, birth_year="1800", id_number="00108501234", acknowledged=None, q_fever=None, ward="99999"
    )
    body = page.content.decode()
    assert page.status_code == 422
    assert 'id="id_birth_year-errors"' in body and "A year of birth must be from 1901 to 2021." in body
    assert 'id="id_id_number-errors"' in body and "exactly 12 digits; this one has 11" in body
    assert 'id="id_acknowledged-errors"' in body
    assert 'id="id_q_fever-errors"' in body and "Answer yes or no: Fever." in body
    assert "There is no Hà Nội ward 99999." in body
    assert Declaration.objects.count() == 0


def test_an_unknown_or_mangled_token_is_not_found(client):
    assert client.get("/declarations/pass/not-a-token/").status_code == 404
    assert client.get("/declarations/pass/" + "x" * 80 + "/").status_code == 404
    assert client.get("/declarations/pass/not-a-token/pdf/").status_code == 404


def test_an_expired_pass_says_so(client, pass_key, frozen):
    declare(client)
    declaration = Declaration.objects.get()
    frozen.shift(72 * 3600)
    assert "has expired" in client.get(f"/declarations/pass/{declaration.token}/").content.decode()


def test_an_official_files_on_behalf(client, pass_key, frozen, health_worker_bo_de):
    client.force_login(health_worker_bo_de)
    assert "filing on the person" in client.get("/declarations/new/").content.decode()
    declare(client)
    declaration = Declaration.objects.get()
    assert (declaration.channel, declaration.filed_by) == ("official", health_worker_bo_de)


def test_superscript_digits_are_refused_not_a_crash(client, pass_key, frozen, ward_officer_bo_de):
    page = declare(client, birth_year="19⁸⁵")
    assert page.status_code == 422 and "Enter the year of birth as four digits" in page.content.decode()
    client.force_login(ward_officer_bo_de)
    for before in ("²", "99999999999999999999999"):  # read as no cursor, like any other bad one
        assert client.get("/declarations/worklist/", {"before": before}).status_code == 200


def test_officials_list_and_follow_up_in_their_ward(
    client, pass_key, frozen, ward_officer_bo_de, django_assert_max_num_queries
):
    for house in ("Số 1", "Số 2", "Số 3"):
        declare(client, house=house, q_fever="yes")
    client.force_login(ward_officer_bo_de)
    with django_assert_max_num_queries(8):
        listing = client.get("/declarations/?flagged=yes")
    assert listing.status_code == 200 and listing.content.decode().count("001******345") == 3
    with django_assert_max_num_queries(8):
        worklist = client.get("/declarations/worklist/")
    assert worklist.content.decode().count("Record follow-up") == 3
    declaration = Declaration.objects.earliest("id")
    detail = client.get(f"/declarations/{declaration.pk}/")
    assert (
        detail.status_code == 200
        and "Fever" in detail.content.decode()
        and CCCD not in detail.content.decode()
    )
    empty = client.post(f"/declarations/{declaration.pk}/follow-up/", {"note": ""})
    assert empty.status_code == 422 and "Say what was done" in empty.content.decode()
    done = client.post(f"/declarations/{declaration.pk}/follow-up/", {"note": "Đã gọi", "next": "worklist"})
    assert done.status_code == 302 and done.url == "/declarations/worklist/"
    assert client.get("/declarations/worklist/").content.decode().count("Record follow-up") == 2
    again = client.post(f"/declarations/{declaration.pk}/follow-up/", {"note": "Lần nữa"})
    assert again.status_code == 409


def test_finding_a_whole_number_goes_in_the_body(client, pass_key, frozen, ward_officer_bo_de):
    declare(client)
    client.force_login(ward_officer_bo_de)
    found = client.post("/declarations/", {"id_kind": "cccd", "id_number": CCCD})
    assert found.status_code == 200 and "001******345" in found.content.decode()
    assert CCCD not in found.content.decode().replace(f'value="{CCCD}"', "")
    bad = client.post("/declarations/", {"id_kind": "cccd", "id_number": "12345"})
    assert bad.status_code == 422 and "12 digits" in bad.content.decode()


def test_officials_outside_get_404_and_others_403(
    client, pass_key, frozen, ward_officer_phuc_xa, welfare_officer_bo_de
):
    declare(client, q_fever="yes")
    declaration = Declaration.objects.get()
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/declarations/{declaration.pk}/").status_code == 404
    assert "001******345" not in client.get("/declarations/").content.decode()
    client.force_login(welfare_officer_bo_de)
    assert client.get(f"/declarations/{declaration.pk}/").status_code == 403
    assert client.get("/declarations/").status_code == 403


def test_past_the_hourly_budget_the_form_says_to_wait_and_keeps_what_was_typed(
    client, pass_key, frozen, settings
):
    settings.PHAODAI_DECLARATIONS_PER_HOUR = 1
    assert declare(client).status_code == 302
    refused = declare(client, house="Số 10")
    assert refused.status_code == 429 and "Too many submissions" in refused.text
    assert 'value="Số 10"' in refused.text
    assert Declaration.objects.count() == 1
