"""The notifications API: the inbox, unread filter, marking read; 404 for another unit's notification."""

from collections.abc import Callable
from datetime import datetime

import pytest

from phaodai.accounts.roles import Perm
from phaodai.core.clock import hanoi
from phaodai.notifications import services

pytestmark = pytest.mark.django_db
API = "/api/v1/notifications"


def minute(n: int) -> Callable[[], datetime]:
    return lambda: hanoi(2021, 9, 8, 9, n)


@pytest.fixture
def notes(unit):
    return [
        services.notify(
            unit("004"),
            kind="sitreps.missing",
            subject=f"Thông báo {n}",
            body="Nội dung",
            url="/reports/",
            perm=Perm.REVIEW_REPORTS,
            severity="urgent",
            email=False,
            clock=minute(n),
        )
        for n in range(3)
    ]


def test_the_inbox_lists_newest_first_with_the_unread_count(client, notes, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    body = client.get(API).json()
    assert body["unread_count"] == 3
    assert [item["id"] for item in body["items"]] == [n.pk for n in reversed(notes)]
    first = body["items"][0]
    assert (first["subject"], first["unit"], first["severity"], first["read"]) == (
        "Thông báo 2",
        "004",
        "urgent",
        False,
    )
    assert first["created_at"] == "2021-09-08T09:02:00+07:00"
    assert [item["id"] for item in client.get(f"{API}?limit=1").json()["items"]] == [notes[2].pk]
    assert client.get(f"{API}?limit=0").status_code == 422
    assert client.get(f"{API}?limit=201").status_code == 422


def test_marking_read(client, notes, district_officer_long_bien, district_officer_ba_dinh):
    client.force_login(district_officer_long_bien)
    answer = client.post(f"{API}/{notes[0].pk}/read")
    assert answer.status_code == 200 and answer.json()["read"] is True
    assert client.post(f"{API}/{notes[0].pk}/read").status_code == 200
    unread = client.get(f"{API}?unread=true").json()
    assert unread["unread_count"] == 2 and [i["id"] for i in unread["items"]] == [notes[2].pk, notes[1].pk]
    assert client.post(f"{API}/read-all").json() == {"marked": 2}
    assert client.get(f"{API}?unread=true").json() == {"unread_count": 0, "items": []}
    client.force_login(district_officer_ba_dinh)
    assert client.get(API).json() == {"unread_count": 0, "items": []}
    missing = client.post(f"{API}/{notes[0].pk}/read")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    client.logout()
    assert client.get(API).status_code == 401
