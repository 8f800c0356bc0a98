"""Receiving an import file: the size cap enforced while the body streams in, then the file stored
under a random name with its SHA-256, refused at once when it is not a readable sheet."""

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.utils.translation import gettext as _

from phaodai.core.bulk import files
from phaodai.core.bulk.files import Upload

CHUNK = 1024 * 1024
# Room for the multipart envelope and the other form fields around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


class SizeCapUploadHandler(FileUploadHandler):
    """Stops storing an uploaded file once it passes `limit` bytes, so it is never kept whole."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        return None  # the next handler keeps the file


def declared_length(request: HttpRequest) -> int:
    """The request's Content-Length, 0 when absent or garbled."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def import_limit() -> int:
    """The largest import file accepted (PHAODAI_MAX_IMPORT_BYTES, 512 MB by default)."""
    return int(getattr(settings, "PHAODAI_MAX_IMPORT_BYTES", 512 * 1024 * 1024))


def import_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_name: str
    size_bytes: int
    sha256: str


def _chunks(upload: Upload, limit: int) -> Iterator[bytes]:
    total = 0
    while chunk := upload.read(CHUNK):
        total += len(chunk)
        if total > limit:
            raise files.too_large(limit)
        yield chunk


def store_import_file(upload: Upload, *, limit: int | None = None) -> StoredFile:
    """Copy the upload under a random name, checking size, kind and (CSV) encoding as it streams.

    Nothing is kept when a check fails; the caller creates the job only for a stored file.
    """
    limit = import_limit() if limit is None else limit
    if upload.size is not None and upload.size > limit:
        raise files.too_large(limit)
    original = PurePath(upload.name or "upload.csv").name[:255]
    extension = PurePath(original).suffix.lower()
    head = upload.read(4096)
    if not head.strip():
        raise files.UnsupportedFile(_("The file is empty."), field="file")
    kind = files.sniff(head, extension)
    name = f"{uuid.uuid4().hex}.{kind}"
    target = import_dir() / name
    digest = hashlib.sha256()
    size = 0

    def stream() -> Iterator[bytes]:
        yield head
        yield from _chunks(upload, limit - len(head))

    try:
        with target.open("wb") as out:
            checked = files.utf8_checked(stream()) if kind == "csv" else stream()
            for chunk in checked:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        if kind == "xlsx":
            with target.open("rb") as written:
                files.check_xlsx_archive(written)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return StoredFile(stored_name=name, original_name=original, size_bytes=size, sha256=digest.hexdigest())


def stored_path(stored_name: str) -> Path:
    return import_dir() / PurePath(stored_name).name
