"""The inbox: unread first with severity badges; reading one follows its link; reading all."""

import re

import pytest
from django.test import RequestFactory

from phaodai.accounts.roles import Perm
from phaodai.core.clock import hanoi
from phaodai.notifications.context_processors import unread
from phaodai.notifications.models import Reading
from phaodai.notifications.services import notify


@pytest.fixture
def bo_de_news(unit):
    """Three notifications to Bồ Đề's reporters (oldest first); and one to Ba Đình's."""
    ward = unit("00139")

    def at(hour):
        return lambda: hanoi(2021, 9, 8, hour)

    sent = [
        notify(ward, kind="t", subject=subject, url=url, perm=Perm.SUBMIT_REPORTS, severity=severity,
               email=False, clock=at(hour))
        for hour, subject, url, severity in [
            (8, "Nhắc báo cáo", "/reports/ward-daily-1630/submit/", "warning"),
            (9, "Thông tin chung", "", "info"),
            (10, "Khẩn", "https://evil.example/phish", "urgent"),
        ]
    ]  # fmt: skip
    other = notify(unit("001"), kind="t", subject="Ba Đình", email=False, clock=lambda: hanoi(2021, 9, 8))
    return sent, other


def subjects(page):
    found = re.findall(r'data-notification="\d+" data-read="(\w+)">.*?<span class="text">([^<]+)', page, re.S)
    return [(read, subject.strip()) for read, subject in found]


@pytest.mark.django_db
def test_the_inbox_lists_unread_first_with_severity(client, ward_officer_bo_de, bo_de_news):
    sent, _other = bo_de_news
    Reading.objects.create(notification=sent[2], user=ward_officer_bo_de, read_at=hanoi(2021, 9, 8, 11))
    client.force_login(ward_officer_bo_de)
    page = client.get("/notifications/").content.decode()
    assert subjects(page) == [("false", "Thông tin chung"), ("false", "Nhắc báo cáo"), ("true", "Khẩn")]
    assert 'data-severity="urgent"' in page and "2 unread notifications." in page
    assert "Ba Đình" not in page


@pytest.mark.django_db
def test_reading_one_goes_to_what_it_is_about(client, ward_officer_bo_de, bo_de_news):
    sent, _other = bo_de_news
    client.force_login(ward_officer_bo_de)
    response = client.post(f"/notifications/{sent[0].pk}/read/")
    assert response["Location"] == "/reports/ward-daily-1630/submit/"
    assert Reading.objects.filter(notification=sent[0], user=ward_officer_bo_de).exists()
    assert client.post(f"/notifications/{sent[1].pk}/read/")["Location"] == "/notifications/"


@pytest.mark.django_db
def test_a_link_to_another_site_is_not_followed(client, ward_officer_bo_de, bo_de_news):
    sent, _other = bo_de_news
    client.force_login(ward_officer_bo_de)
    assert client.post(f"/notifications/{sent[2].pk}/read/")["Location"] == "/notifications/"


@pytest.mark.django_db
def test_someone_elses_notification_is_404(client, ward_officer_bo_de, health_worker_bo_de, bo_de_news):
    sent, other = bo_de_news
    client.force_login(ward_officer_bo_de)
    assert client.post(f"/notifications/{other.pk}/read/").status_code == 404
    client.force_login(health_worker_bo_de)  # same ward, but the reminders are for reporters
    assert client.post(f"/notifications/{sent[0].pk}/read/").status_code == 404
    assert client.get(f"/notifications/{sent[0].pk}/read/").status_code == 405


@pytest.mark.django_db
def test_read_all_and_the_header_count(client, ward_officer_bo_de, bo_de_news):
    request = RequestFactory().get("/")
    request.user = ward_officer_bo_de
    assert unread(request) == {"unread_notifications": 3}
    client.force_login(ward_officer_bo_de)
    assert client.post("/notifications/read-all/")["Location"] == "/notifications/"
    assert unread(request) == {"unread_notifications": 0}
    assert "0 unread notifications." in client.get("/notifications/").content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_have_no_count_and_no_inbox(client):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert unread(request) == {"unread_notifications": 0}
    assert client.get("/notifications/").status_code == 302
