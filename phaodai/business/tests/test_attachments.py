"""Documents attached to a plan: checked by their content, kept once, changed only while the plan is open."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from phaodai.business import services
from phaodai.business.attachments import MAX_ATTACHMENTS
from phaodai.business.errors import PlanNotOpen, TooManyAttachments
from phaodai.business.models import PlanAttachment
from phaodai.business.tests.conftest import plan_fields
from phaodai.core.audit import AuditEntry
from phaodai.core.uploads import FileTooLarge, UnsupportedFile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "so-do-mat-bang.pdf", body: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture
def draft(rep: Any, factory: Any) -> Any:
    return services.draft_plan(by=rep, business=factory, **plan_fields())


def test_a_representative_attaches_a_pdf_and_a_retry_keeps_it_once(rep: Any, draft: Any) -> None:
    first = services.attach_document(by=rep, plan=draft, upload=pdf())
    again = services.attach_document(by=rep, plan=draft, upload=pdf("copy.pdf"))

    assert again.pk == first.pk
    assert first.name == "so-do-mat-bang.pdf"
    # stored under a random name, never the uploader's
    assert "so-do-mat-bang" not in first.file.name
    assert first.file.name.endswith(".pdf")
    with first.file.open("rb") as stored:
        assert stored.read() == PDF
    assert AuditEntry.objects.filter(action="business.attach_plan_document").count() == 1


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("phuong-an.pdf", b"MZ\x90\x00 not a pdf"),  # a program renamed to .pdf
        ("phuong-an.exe", PDF),  # a PDF under a name we do not take
        ("phuong-an.docx", b"PK\x03\x04 not a zip"),  # a broken Word file
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused(rep: Any, draft: Any, name: str, body: bytes) -> None:
    with pytest.raises(UnsupportedFile) as refused:
        services.attach_document(by=rep, plan=draft, upload=pdf(name, body))
    assert refused.value.field == "file"
    assert not PlanAttachment.objects.exists()


@override_settings(PHAODAI_MAX_UPLOAD_BYTES=20)
def test_a_file_over_the_limit_is_refused_with_the_limit(rep: Any, draft: Any) -> None:
    with pytest.raises(FileTooLarge):
        services.attach_document(by=rep, plan=draft, upload=pdf())
    assert not PlanAttachment.objects.exists()


def test_a_plan_takes_at_most_ten_documents(rep: Any, draft: Any) -> None:
    for number in range(MAX_ATTACHMENTS):
        services.attach_document(by=rep, plan=draft, upload=pdf(f"{number}.pdf", PDF + str(number).encode()))
    with pytest.raises(TooManyAttachments):
        services.attach_document(by=rep, plan=draft, upload=pdf("one-more.pdf", PDF + b"x"))
    assert PlanAttachment.objects.count() == MAX_ATTACHMENTS


def test_documents_change_only_while_the_plan_is_a_draft_or_returned(rep: Any, draft: Any) -> None:
    kept = services.attach_document(by=rep, plan=draft, upload=pdf())
    submitted = services.submit_plan(by=rep, plan=draft, version=draft.version)

    with pytest.raises(PlanNotOpen) as refused:
        services.attach_document(by=rep, plan=submitted, upload=pdf("late.pdf", PDF + b"late"))
    assert "Submitted" in str(refused.value.detail)
    with pytest.raises(PlanNotOpen):
        services.remove_document(by=rep, attachment=kept)
    assert list(PlanAttachment.objects.values_list("pk", flat=True)) == [kept.pk]


def test_removing_a_document_deletes_it_and_its_file(
    rep: Any, draft: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = services.attach_document(by=rep, plan=draft, upload=pdf())
    storage, name = document.file.storage, document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_document(by=rep, attachment=document)
    assert not PlanAttachment.objects.exists()
    assert not storage.exists(name)


def test_the_plan_page_lists_documents_and_serves_them_to_those_who_see_the_plan(
    client: Any, rep: Any, draft: Any, district_officer_long_bien: Any, ward_officer_phuc_xa: Any
) -> None:
    client.force_login(rep)
    response = client.post(f"/business/plans/{draft.pk}/documents/", {"file": pdf()})
    assert response.status_code == 302
    document = PlanAttachment.objects.get()

    page = client.get(f"/business/plans/{draft.pk}/")
    assert "so-do-mat-bang.pdf" in page.content.decode()

    client.force_login(district_officer_long_bien)
    download = client.get(f"/business/plans/documents/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert 'filename="so-do-mat-bang.pdf"' in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"

    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/business/plans/documents/{document.pk}/").status_code == 404


def test_a_refused_upload_is_explained_beside_the_field(client: Any, rep: Any, draft: Any) -> None:
    client.force_login(rep)
    response = client.post(
        f"/business/plans/{draft.pk}/documents/", {"file": pdf("virus.pdf", b"MZ not a pdf")}
    )
    assert response.status_code == 422
    assert "Attach a PDF, a PNG or JPEG image, or a Word document (DOCX)." in response.content.decode()
    assert not PlanAttachment.objects.exists()


def test_the_api_lists_a_plans_documents_with_their_download(client: Any, rep: Any, draft: Any) -> None:
    document = services.attach_document(by=rep, plan=draft, upload=pdf())
    client.force_login(rep)
    body = client.get(f"/api/v1/business/plans/{draft.pk}").json()
    assert body["documents"] == [
        {
            "id": document.pk,
            "name": "so-do-mat-bang.pdf",
            "uploaded_at": body["documents"][0]["uploaded_at"],
            "url": f"/business/plans/documents/{document.pk}/",
        }
    ]
