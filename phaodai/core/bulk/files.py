"""What a whole file must pass before any row is read: size, kind, encoding, and for XLSX no zip bomb.

Shared by every import (territory's area lists read whole files through these too). The errors
below are file-level rejections: no row was looked at.
"""

import codecs
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, Protocol

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.core.errors import InvalidInput

TEXT_EXTENSIONS = {".csv", ".txt"}
XLSX_EXTENSIONS = {".xlsx", ".xlsm"}
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# A workbook's parts may inflate this much in all, and each part at most this many times its size:
# real sheets compress 5-20x; a zip bomb reaches thousands.
MAX_XLSX_UNCOMPRESSED = 2 * 1024 * 1024 * 1024
MAX_XLSX_RATIO = 200
MAX_XLSX_MEMBERS = 10_000
RATIO_FLOOR = 1024 * 1024


class ImportFileError(InvalidInput):
    """The file as a whole cannot be read; no row was looked at."""

    code = "import_file_invalid"
    message = gettext_lazy("The file could not be read.")


class UploadTooLarge(ImportFileError):
    code = "upload_too_large"
    status = 413


class UnsupportedFile(ImportFileError):
    code = "unsupported_file"


class UnreadableEncoding(ImportFileError):
    code = "unreadable_encoding"


class MissingColumns(ImportFileError):
    code = "missing_columns"


class TooManyRows(ImportFileError):
    code = "too_many_rows"


class ZipBomb(UnsupportedFile):
    code = "xlsx_zip_bomb"


class Upload(Protocol):
    """What an upload must offer: Django's UploadedFile, or any stream with a name and a size."""

    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    def read(self, size: int = -1, /) -> bytes: ...


def size_limit_text(limit: int) -> str:
    # Whole sizes read "10 MB"; fractions follow the language's decimal mark ("2,5 MB" in Vietnamese).
    megabytes = limit / (1024 * 1024)
    if megabytes >= 1:
        return _("%(n)s MB") % {
            "n": number_format(int(megabytes) if megabytes.is_integer() else round(megabytes, 1))
        }
    return _("%(n)s KB") % {"n": number_format(round(limit / 1024))}


def too_large(limit: int) -> UploadTooLarge:
    return UploadTooLarge(
        _("The file is larger than the limit of %(limit)s; split it or remove what is not needed.")
        % {"limit": size_limit_text(limit)},
        field="file",
    )


def read_limited(upload: Upload, limit: int) -> bytes:
    """The upload's bytes; refused before reading when its declared size passes `limit`."""
    if upload.size is not None and upload.size > limit:
        raise too_large(limit)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    return data


def old_excel() -> UnsupportedFile:
    return UnsupportedFile(
        _(
            "This is an old Excel .xls file or a password-protected workbook; in Excel choose "
            "Save As → Excel Workbook (.xlsx) or CSV UTF-8, without a password."
        ),
        field="file",
    )


def wrong_extension(extension: str) -> UnsupportedFile:
    return UnsupportedFile(
        _("“%(ext)s” files cannot be imported; upload a CSV (.csv) or Excel workbook (.xlsx).")
        % {"ext": extension},
        field="file",
    )


def not_a_sheet() -> UnsupportedFile:
    return UnsupportedFile(_("This is not a CSV or Excel (.xlsx) file; upload one of those."), field="file")


def sniff(head: bytes, extension: str) -> str:
    """ "xlsx" or "csv" from a file's first bytes (4 KB) and its extension; refuses anything else."""
    if extension and extension not in TEXT_EXTENSIONS | XLSX_EXTENSIONS:
        raise wrong_extension(extension)
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        raise old_excel()
    utf16 = head.startswith(UTF16_BOMS)
    binary = head.startswith(BINARY_MAGIC) or (b"\x00" in head[:4096] and not utf16)
    if extension in XLSX_EXTENSIONS or binary:
        raise not_a_sheet()
    return "csv"


def utf8_checked(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Pass a text file's chunks on while checking they are UTF-8 (a BOM is fine); refuse anything else.

    UTF-16 and Windows-1258 (CP1258) files are refused, not converted: a bulk import runs unattended,
    and a guessed encoding garbles names without anyone seeing it. The message names what the file
    seems to be and the row where it stops being UTF-8.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    line = 1
    first = True
    for chunk in chunks:
        if first:
            first = False
            if chunk.startswith(UTF16_BOMS) or b"\x00" in chunk[:200]:
                raise UnreadableEncoding(
                    _(
                        "The file is UTF-16 text; in Excel choose Save As → CSV UTF-8 (comma delimited) "
                        "and upload that file."
                    ),
                    field="file",
                )
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            raise not_utf8(chunk, line + chunk[: error.start].count(b"\n")) from None
        line += chunk.count(b"\n")
        yield chunk
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise not_utf8(b"", line) from None


def not_utf8(chunk: bytes, line: int) -> UnreadableEncoding:
    try:
        chunk.decode("cp1258")
        looks_like = _("Windows-1258 (CP1258) or another legacy encoding")
    except UnicodeDecodeError:
        looks_like = _("an unknown encoding")
    return UnreadableEncoding(
        _(
            "Row %(row)d is not UTF-8 text (it looks like %(encoding)s); in Excel choose Save As → "
            "CSV UTF-8 (comma delimited) and upload that file."
        )
        % {"row": line, "encoding": looks_like},
        field="file",
    )


def check_xlsx_archive(stream: IO[bytes]) -> None:
    """Refuse a workbook whose parts would inflate too far (a zip bomb), before openpyxl opens it.

    The sizes checked are those the archive declares; inflating beyond them fails a CRC/size check in
    zipfile, so a lying header cannot get past this either.
    """
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnsupportedFile(
            _("The file could not be opened as an Excel workbook (.xlsx)."), field="file"
        ) from None
    finally:
        stream.seek(0)
    total = sum(member.file_size for member in members)
    # Small parts (styles, content types) compress far better than data and cannot hurt anyone.
    worst = max(
        (m.file_size / max(m.compress_size, 1) for m in members if m.file_size > RATIO_FLOOR), default=0
    )
    if len(members) > MAX_XLSX_MEMBERS or total > MAX_XLSX_UNCOMPRESSED or worst > MAX_XLSX_RATIO:
        raise ZipBomb(
            _(
                "The workbook would expand to %(size)s when opened, far more than its data can need "
                "(a compressed “zip bomb”); it was not opened. Save the sheet again as .xlsx or CSV UTF-8."
            )
            % {"size": size_limit_text(total)},
            field="file",
        )
