"""Uploaded documents (PDF, images, Word): checked by their first bytes, stored under a random name."""

import zipfile
from pathlib import PurePath
from uuid import uuid4

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import InvalidInput


class UnsupportedFile(InvalidInput):
    code = "unsupported_file"
    message = _("Attach a PDF, a PNG or JPEG image, or a Word document (DOCX).")


class FileTooLarge(InvalidInput):
    code = "file_too_large"
    message = _("The file is too large.")


# Extensions accepted, with the bytes a real file of that kind starts with.
_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
}


def check_upload(upload: UploadedFile, *, field: str) -> str:
    """Refuse anything but a PDF, PNG/JPEG or DOCX within the size limit; return its extension."""
    limit = settings.PHAODAI_MAX_UPLOAD_BYTES
    if upload.size is None or upload.size > limit:
        raise FileTooLarge(
            _("The file is larger than %(mb)s MB.") % {"mb": f"{limit / 1024 / 1024:.0f}"}, field=field
        )
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in _MAGIC:
        raise UnsupportedFile(field=field)
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(_MAGIC[extension]):
        raise UnsupportedFile(field=field)
    if extension == ".docx" and not _is_word_document(upload):
        raise UnsupportedFile(field=field)
    return extension


def _is_word_document(upload: UploadedFile) -> bool:
    # Any ZIP starts with PK; a Word document has its main part at word/document.xml.
    try:
        with zipfile.ZipFile(upload) as archive:
            return "word/document.xml" in archive.namelist()
    except Exception:
        return False
    finally:
        upload.seek(0)


def stored_name(extension: str) -> str:
    # A random name: the uploader's file name never reaches the file system or a URL.
    return f"{uuid4().hex}{extension}"


def download(stored: FieldFile, name: str) -> FileResponse:
    """Send a stored file as a download under its display name; never cached by shared caches."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=name or str(stored.name).rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    return response
