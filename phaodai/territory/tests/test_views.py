"""Territory pages: the public browser, and area editing and import for those who may."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from phaodai.territory.models import Area
from phaodai.territory.rules import AreaRow
from phaodai.territory.services import bulk_create_areas
from phaodai.territory.tests.files import csv_upload, xlsx_upload

pytestmark = pytest.mark.django_db
HEADER = "local_code,name,kind,population,households\n"


def english_client() -> Client:
    """A client that chose English, so assertions read the source messages."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def client_as():
    def login(user):
        client = english_client()
        client.force_login(user)
        return client

    return login


def _url(name, *args):
    return reverse(f"territory:{name}", args=args)


# --- public pages ---------------------------------------------------------------------------------


def test_the_city_page_lists_its_30_districts(django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = english_client().get(_url("browse"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thành phố Hà Nội" in html
    assert html.count('href="/territory/0') + html.count('href="/territory/2') >= 30
    assert "Long Biên" in html and "Hà Đông" in html


def test_search_without_diacritics_finds_bo_de():
    response = english_client().get(_url("browse"), {"q": "bo de"})
    assert response.status_code == 200
    assert "Phường Bồ Đề" in response.content.decode()
    assert _url("unit", "00139") in response.content.decode()


def test_htmx_search_returns_only_the_results():
    response = english_client().get(_url("browse"), {"q": "phuc xa"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Phường Phúc Xá" in html
    assert "<html" not in html


def test_search_that_finds_nothing_says_so():
    assert (
        "No district or ward matches" in english_client().get(_url("browse"), {"q": "zzzz"}).content.decode()
    )


def test_a_district_page_lists_its_wards_with_breadcrumbs(bo_de_areas, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = english_client().get(_url("unit", "004"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('href="/territory/00') >= 14
    assert 'class="breadcrumbs"' in html and "Thành phố Hà Nội" in html
    assert response.context["wards"].get(code="00139").area_count == 2


def test_a_ward_page_lists_its_areas(bo_de_areas, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = english_client().get(_url("unit", "00139"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tổ dân phố 1" in html and "Chung cư Bồ Đề" in html
    assert "Thành phố Hà Nội" in html and "Quận Long Biên" in html  # breadcrumbs
    assert response.context["population"] == 2000
    assert _url("area_add", "00139") not in html


def test_the_query_count_of_a_ward_page_does_not_grow_with_its_areas(
    bo_de, ward_officer_bo_de, client_as, django_assert_max_num_queries
):
    bulk_create_areas(ward=bo_de, rows=[AreaRow(f"A{n}", f"Tổ {n}", "to_dan_pho", n, n) for n in range(200)])
    client = client_as(ward_officer_bo_de)
    with django_assert_max_num_queries(8):
        response = client.get(_url("unit", "00139"))
    assert len(response.context["areas"]) == 200


def test_the_city_code_leads_to_the_city_page_and_unknown_codes_are_404():
    assert english_client().get(_url("unit", "01"))["Location"] == _url("browse")
    assert english_client().get(_url("unit", "99999")).status_code == 404


def test_those_who_may_change_areas_see_the_actions(
    client_as, ward_officer_bo_de, welfare_officer_bo_de, bo_de_areas
):
    html = client_as(ward_officer_bo_de).get(_url("unit", "00139")).content.decode()
    assert _url("area_add", "00139") in html and _url("area_import", "00139") in html
    assert _url("area_edit", "00139", "TDP01") in html
    assert (
        _url("area_add", "00139")
        not in client_as(welfare_officer_bo_de).get(_url("unit", "00139")).content.decode()
    )


# --- adding and editing ---------------------------------------------------------------------------


def test_changing_pages_need_sign_in():
    for url in (_url("area_add", "00139"), _url("area_import", "00139"), _url("area_edit", "00139", "TDP01")):
        response = english_client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "name_args",
    [
        ("area_add", "00139"),
        ("area_import", "00139"),
        ("import_result", "00139"),
        ("import_report", "00139"),
        ("area_edit", "00139", "TDP01"),
    ],
)
def test_changing_pages_outside_the_jurisdiction_are_404(
    client_as, ward_officer_phuc_xa, bo_de_areas, name_args
):
    assert client_as(ward_officer_phuc_xa).get(_url(*name_args)).status_code == 404


def test_changing_pages_for_a_role_without_the_permission_are_403(
    client_as, welfare_officer_bo_de, bo_de_areas
):
    for url in (_url("area_add", "00139"), _url("area_edit", "00139", "TDP01"), _url("area_import", "00139")):
        response = client_as(welfare_officer_bo_de).get(url)
        assert response.status_code == 403
        assert "not allow" in response.content.decode()


def test_a_district_has_no_area_pages(client_as, district_officer_long_bien):
    assert client_as(district_officer_long_bien).get(_url("area_add", "004")).status_code == 404


def test_add_an_area(client_as, ward_officer_bo_de):
    client = client_as(ward_officer_bo_de)
    assert client.get(_url("area_add", "00139")).status_code == 200
    response = client.post(
        _url("area_add", "00139"),
        {
            "local_code": "TDP03",
            "name": "Tổ dân phố 3",
            "kind": "to_dan_pho",
            "population": "640",
            "households": "170",
        },
    )
    assert response.status_code == 302 and response["Location"] == _url("unit", "00139")
    area = Area.objects.get(code="00139-TDP03")
    assert (area.population, area.households) == (640, 170)


def test_a_refused_area_shows_why_beside_the_field(client_as, ward_officer_bo_de, bo_de_areas):
    response = client_as(ward_officer_bo_de).post(
        _url("area_add", "00139"),
        {"local_code": "TDP01", "name": "Tổ mới", "kind": "to_dan_pho", "population": "1", "households": "1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["local_code"]
    assert "TDP01" in response.content.decode()
    response = client_as(ward_officer_bo_de).post(
        _url("area_add", "00139"),
        {"local_code": "Tổ 5", "name": "Tổ 5", "kind": "to_dan_pho", "population": "-1", "households": "1"},
    )
    assert set(response.context["form"].errors) == {"population"}  # field checks first, then the service's


def test_edit_an_area(client_as, ward_officer_bo_de, bo_de_areas):
    client = client_as(ward_officer_bo_de)
    page = client.get(_url("area_edit", "00139", "TDP01"))
    assert page.status_code == 200 and "Tổ dân phố 1" in page.content.decode()
    response = client.post(
        _url("area_edit", "00139", "TDP01"),
        {"name": "Tổ dân phố số 1", "kind": "khu_lien_gia", "population": "1250", "households": "320"},
    )
    assert response.status_code == 302
    area = Area.objects.get(code="00139-TDP01")
    assert (area.name, area.kind, area.population) == ("Tổ dân phố số 1", "khu_lien_gia", 1250)


def test_an_unknown_area_is_404(client_as, ward_officer_bo_de):
    assert client_as(ward_officer_bo_de).get(_url("area_edit", "00139", "NOPE")).status_code == 404


def test_deactivate_an_area(client_as, ward_officer_bo_de, ward_officer_phuc_xa, bo_de_areas):
    assert client_as(ward_officer_phuc_xa).post(_url("area_deactivate", "00139", "CC01")).status_code == 404
    assert client_as(ward_officer_bo_de).get(_url("area_deactivate", "00139", "CC01")).status_code == 405
    response = client_as(ward_officer_bo_de).post(_url("area_deactivate", "00139", "CC01"))
    assert response.status_code == 302
    assert not Area.objects.get(code="00139-CC01").active
    assert "Chung cư Bồ Đề" not in english_client().get(_url("unit", "00139")).content.decode()


# --- import ---------------------------------------------------------------------------------------

MIXED = HEADER + "TDP01,Tổ dân phố 1,tdp,1200,310\nTDP02,Tổ dân phố 2,tdp,1.5E+3,100\n=cmd,Tổ x,tdp,1,1\n"


def test_the_import_page_explains_the_file(client_as, ward_officer_bo_de):
    response = client_as(ward_officer_bo_de).get(_url("area_import", "00139"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "dan so" in html and "10 MB" in html and 'enctype="multipart/form-data"' in html


def test_an_import_reports_each_refused_row_and_keeps_the_good_ones(client_as, ward_officer_bo_de):
    client = client_as(ward_officer_bo_de)
    response = client.post(_url("area_import", "00139"), {"file": csv_upload(MIXED)})
    assert response.status_code == 302 and response["Location"] == _url("import_result", "00139")
    assert list(Area.objects.values_list("code", flat=True)) == ["00139-TDP01"]
    result = client.get(response["Location"])
    assert result.status_code == 200
    html = result.content.decode()
    assert 'data-count="created">1<' in html and 'data-count="refused">2<' in html
    assert "scientific notation" in html
    assert _url("import_report", "00139") in html


def test_the_report_downloads_as_csv_for_excel(client_as, ward_officer_bo_de):
    client = client_as(ward_officer_bo_de)
    client.post(_url("area_import", "00139"), {"file": csv_upload(MIXED)})
    response = client.get(_url("import_report", "00139"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffrow,column,reason,value")
    lines = text.splitlines()
    assert lines[1].startswith("3,population,")
    assert lines[2].startswith("4,local_code,") and lines[2].endswith(",'=cmd")  # no formula injection


def test_the_same_file_twice_reports_no_change(client_as, ward_officer_bo_de):
    client = client_as(ward_officer_bo_de)
    upload = xlsx_upload([["Mã", "Tên", "Loại", "Dân số", "Số hộ"], ["01", "Tổ 1", "Tổ dân phố", 100, 30]])
    client.post(_url("area_import", "00139"), {"file": upload})
    upload.seek(0)
    client.post(_url("area_import", "00139"), {"file": upload})
    html = client.get(_url("import_result", "00139")).content.decode()
    assert 'data-count="created">0<' in html and 'data-count="unchanged">1<' in html
    assert Area.objects.count() == 1


def test_result_and_report_without_an_import_lead_to_the_form(client_as, ward_officer_bo_de):
    client = client_as(ward_officer_bo_de)
    assert client.get(_url("import_result", "00139"))["Location"] == _url("area_import", "00139")
    assert client.get(_url("import_report", "00139"))["Location"] == _url("area_import", "00139")


def test_a_file_that_cannot_be_read_is_explained_on_the_form(client_as, ward_officer_bo_de):
    client = client_as(ward_officer_bo_de)
    response = client.post(_url("area_import", "00139"), {"file": csv_upload("Mã,Tên\n1,Tổ 1\n")})
    assert response.status_code == 422
    assert "lacks the columns" in response.content.decode()
    response = client.post(_url("area_import", "00139"), {"file": csv_upload(b"%PDF-1.4", name="x.pdf")})
    assert response.status_code == 422
    assert "cannot be imported" in response.content.decode()
    response = client.post(_url("area_import", "00139"), {})
    assert response.status_code == 200 and response.context["form"].errors["file"]


def test_a_50_mb_upload_is_refused_before_its_body_is_read(client_as, ward_officer_bo_de, settings):
    settings.PHAODAI_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    big = csv_upload(HEADER.encode() + b"A1,T,tdp,1,1\n" * (50 * 1024 * 1024 // 13))
    response = client_as(ward_officer_bo_de).post(_url("area_import", "00139"), {"file": big})
    assert response.status_code == 413
    assert "10 MB" in response.content.decode()
    assert not Area.objects.exists()


def test_an_upload_over_the_limit_is_dropped_while_streaming(client_as, ward_officer_bo_de, settings):
    # Just over the limit, so the declared length alone does not give it away: the upload handler does.
    settings.PHAODAI_MAX_UPLOAD_BYTES = 2000
    response = client_as(ward_officer_bo_de).post(
        _url("area_import", "00139"), {"file": csv_upload(HEADER + "A1,Tổ 1,tdp,1,1\n" * 200)}
    )
    assert response.status_code == 413
    assert "2 KB" in response.content.decode()
    assert not Area.objects.exists()


def test_the_import_form_is_csrf_protected(ward_officer_bo_de):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ward_officer_bo_de)
    response = client.post(_url("area_import", "00139"), {"file": csv_upload(MIXED)})
    assert response.status_code == 403
    assert not Area.objects.exists()


def test_an_outsider_cannot_import_even_a_valid_file(client_as, ward_officer_phuc_xa):
    response = client_as(ward_officer_phuc_xa).post(_url("area_import", "00139"), {"file": csv_upload(MIXED)})
    assert response.status_code == 404
    assert not Area.objects.exists()
