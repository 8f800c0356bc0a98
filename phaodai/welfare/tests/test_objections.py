"""Objections and the list's sending are ordered by the list's row lock: no list goes to the district with
an open objection, no objection is recorded on an application already sent, and an upheld objection
either rejects the application or is refused (never marked upheld while the application is paid)."""

import pytest
from django.db import transaction

from phaodai.core.errors import Conflict, InvalidInput
from phaodai.welfare import listing, services
from phaodai.welfare.models import Application, Objection, SupportList
from phaodai.welfare.tests.world import build_world, file, later

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(ward_officer_bo_de):
    return build_world(ward_officer=ward_officer_bo_de, residents=2)


def posted(world, officer, count=1):
    for n in range(count):
        services.review(by=officer, application=file(officer, world, n), accept=True, clock=later(0.1))
    return listing.post_list(by=officer, ward=world.ward, programme_code="HN-3642", clock=later(0.2))


class ObjectionFirst:
    """listing's `transaction`, recording an objection just before submit_list's transaction starts: the
    moment another officer's objection commits after an early count of open objections."""

    def __init__(self, record):
        self.record = record

    def atomic(self, *args, **kwargs):
        record, self.record = self.record, None
        if record is not None:
            record()
        return transaction.atomic(*args, **kwargs)


def test_an_objection_recorded_as_the_list_is_sent_holds_it(world, ward_officer_bo_de, monkeypatch):
    support_list = posted(world, ward_officer_bo_de)
    application = support_list.applications.get()
    monkeypatch.setattr(
        listing,
        "transaction",
        ObjectionFirst(
            lambda: listing.record_objection(
                by=ward_officer_bo_de, application=application, text="Không cư trú tại phường"
            )
        ),
    )
    with pytest.raises(InvalidInput) as held:
        listing.submit_list(by=ward_officer_bo_de, support_list=support_list, clock=later(3))
    monkeypatch.undo()
    assert held.value.field == "objections"
    assert SupportList.objects.get(pk=support_list.pk).status == "posted"
    objection = Objection.objects.get()
    listing.resolve_objection(by=ward_officer_bo_de, objection=objection, upheld=True, note="Đã xác minh")
    assert Application.objects.get(pk=application.pk).status == "rejected"


def test_an_objection_to_an_application_already_sent_is_refused(world, ward_officer_bo_de):
    support_list = posted(world, ward_officer_bo_de)
    seen = support_list.applications.get()  # read while posted, as the officer's page was
    listing.submit_list(by=ward_officer_bo_de, support_list=support_list, clock=later(3))
    assert seen.status == "posted"
    with pytest.raises(InvalidInput) as refused:
        listing.record_objection(by=ward_officer_bo_de, application=seen, text="Vẫn đi làm")
    assert refused.value.field == "text"
    assert not Objection.objects.exists()


def test_upholding_an_objection_to_an_application_sent_on_is_refused(world, ward_officer_bo_de):
    support_list = posted(world, ward_officer_bo_de)
    application = support_list.applications.get()
    objection = listing.record_objection(by=ward_officer_bo_de, application=application, text="Vẫn đi làm")
    # As the race left it before the fix: the list went on with this objection open.
    Application.objects.filter(pk=application.pk).update(status="submitted")
    SupportList.objects.filter(pk=support_list.pk).update(status="submitted")
    with pytest.raises(Conflict) as refused:
        listing.resolve_objection(by=ward_officer_bo_de, objection=objection, upheld=True, note="Đã xác minh")
    assert refused.value.status == 409 and refused.value.field == "outcome"
    assert Objection.objects.get().status == "open"
    assert Application.objects.get(pk=application.pk).status == "submitted"
    # Dismissing it (the district returns the application at appraisal) is still possible.
    done = listing.resolve_objection(
        by=ward_officer_bo_de, objection=objection, upheld=False, note="Chuyển quận trả lại"
    )
    assert done.status == "dismissed"


def test_a_second_upheld_objection_to_a_rejected_application_is_resolved(world, ward_officer_bo_de):
    support_list = posted(world, ward_officer_bo_de)
    application = support_list.applications.get()
    first, second = (
        listing.record_objection(by=ward_officer_bo_de, application=application, text=text)
        for text in ("Vẫn đi làm", "Có hợp đồng lao động")
    )
    listing.resolve_objection(by=ward_officer_bo_de, objection=first, upheld=True, note="Đúng")
    done = listing.resolve_objection(by=ward_officer_bo_de, objection=second, upheld=True, note="Đúng")
    assert done.status == "upheld"
    assert Application.objects.get(pk=application.pk).status == "rejected"


def test_the_application_page_explains_an_objection_that_can_no_longer_reject(
    world, ward_officer_bo_de, client
):
    support_list = posted(world, ward_officer_bo_de)
    application = support_list.applications.get()
    objection = listing.record_objection(by=ward_officer_bo_de, application=application, text="Vẫn đi làm")
    Application.objects.filter(pk=application.pk).update(status="submitted")
    client.force_login(ward_officer_bo_de)
    response = client.post(
        f"/welfare/objections/{objection.pk}/resolve/", {"outcome": "uphold", "note": "Đã xác minh"}
    )
    assert response.status_code == 409
    assert "no longer posted: upholding the objection cannot reject it" in response.content.decode()
    assert Objection.objects.get().status == "open"
    client.cookies["django_language"] = "vi"
    again = client.post(
        f"/welfare/objections/{objection.pk}/resolve/", {"outcome": "uphold", "note": "Đã xác minh"}
    )
    assert again.status_code == 409 and "không còn niêm yết" in again.content.decode()
