"""Notifications: stored for a unit's officials (by capability), e-mailed once, deduplicated, read."""

import pytest
from django.core import mail

from phaodai.accounts.roles import Perm
from phaodai.core.clock import hanoi
from phaodai.notifications import selectors, services
from phaodai.notifications.models import Notification, Reading

pytestmark = pytest.mark.django_db


def at(hour: int, minute: int = 0):
    return lambda: hanoi(2021, 9, 8, hour, minute)


@pytest.fixture
def with_emails(district_officer_long_bien, inspector_team_3, ward_officer_bo_de):
    for user, address in [
        (district_officer_long_bien, "chihuy@longbien.example.vn"),
        (inspector_team_3, "doi3@longbien.example.vn"),
        (ward_officer_bo_de, "bode@longbien.example.vn"),
    ]:
        user.email = address
        user.save(update_fields=["email"])


def test_a_notification_reaches_the_units_officials_with_the_capability(
    unit, with_emails, district_officer_long_bien, inspector_team_3, ward_officer_bo_de,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        note = services.notify(
            unit("004"), kind="test", subject="Họp giao ban 17:00", body="Phòng họp số 2",
            url="/reports/", perm=Perm.REVIEW_REPORTS, severity="warning", clock=at(9),
        )  # fmt: skip
    assert [n.pk for n in selectors.inbox(district_officer_long_bien)] == [note.pk]
    assert not selectors.inbox(inspector_team_3).exists()  # bound to 004, but without the capability
    assert not selectors.inbox(ward_officer_bo_de).exists()  # bound to a ward below, not to 004
    [message] = mail.outbox
    assert message.to == ["chihuy@longbien.example.vn"] and message.subject == "Họp giao ban 17:00"
    assert message.body == "Phòng họp số 2\n\n/reports/"


def test_a_notification_without_a_capability_reaches_everyone_bound_to_the_unit(
    unit, district_officer_long_bien, inspector_team_3
):
    services.notify(unit("004"), kind="test", subject="Thông báo chung", email=False, clock=at(9))
    assert (
        selectors.inbox(inspector_team_3).count() == selectors.inbox(district_officer_long_bien).count() == 1
    )


def test_no_mail_leaves_before_the_writing_transaction_commits(
    unit, with_emails, district_officer_long_bien, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(unit("004"), kind="test", subject="x", clock=at(9))
    assert mail.outbox == [] and len(callbacks) == 1


def test_a_keyed_notification_is_sent_once(
    unit, with_emails, district_officer_long_bien, django_capture_on_commit_callbacks
):
    def send(subject: str, minute: int) -> Notification:
        return services.notify(
            unit("004"), kind="test", subject=subject, perm=Perm.REVIEW_REPORTS, dedupe_key="k-1",
            clock=at(9, minute),
        )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        first, again = send("a", 0), send("b", 5)
    assert first.pk == again.pk and again.subject == "a"
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


def test_reading_is_per_user_and_idempotent(unit, district_officer_long_bien, inspector_team_3):
    note = services.notify(unit("004"), kind="test", subject="a", email=False, clock=at(9))
    services.notify(unit("004"), kind="test", subject="b", email=False, clock=at(9, 1))
    assert selectors.unread_count(district_officer_long_bien) == 2
    services.mark_read(note, district_officer_long_bien, clock=at(10))
    services.mark_read(note, district_officer_long_bien, clock=at(11))
    assert Reading.objects.get().read_at == hanoi(2021, 9, 8, 10)
    assert selectors.unread_count(district_officer_long_bien) == 1
    assert selectors.unread_count(inspector_team_3) == 2
    assert (
        services.mark_all_read(selectors.inbox(district_officer_long_bien), district_officer_long_bien) == 1
    )
    assert selectors.unread_count(district_officer_long_bien) == 0
    assert (
        services.mark_all_read(selectors.inbox(district_officer_long_bien), district_officer_long_bien) == 0
    )


def test_a_notification_of_another_unit_is_not_found(unit, district_officer_ba_dinh):
    from django.http import Http404

    note = services.notify(unit("004"), kind="test", subject="a", email=False, clock=at(9))
    with pytest.raises(Http404):
        selectors.notification_for(district_officer_ba_dinh, note.pk)


def test_a_notification_to_one_person_reaches_them_alone(
    unit, with_emails, district_officer_long_bien, inspector_team_3, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        note = services.notify(
            unit("004"), kind="test", subject="Riêng anh", recipient=inspector_team_3, clock=at(9)
        )
    assert [n.pk for n in selectors.inbox(inspector_team_3)] == [note.pk]
    assert selectors.unread_count(inspector_team_3) == 1
    # the unit's other officials do not see it, though it is about their unit
    assert not selectors.inbox(district_officer_long_bien).exists()
    [message] = mail.outbox
    assert message.to == ["doi3@longbien.example.vn"]
