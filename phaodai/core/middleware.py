"""Page middleware: DomainError rendering, the interface language, and refusing NUL bytes."""

from collections.abc import Callable
from io import BytesIO
from typing import Final

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from phaodai.core.errors import DomainError

BODY_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        template = "core/error_partial.html" if getattr(request, "htmx", False) else "core/error.html"
        response = TemplateResponse(request, template, {"error": exception}, status=exception.status)
        return response.render()


class ChosenLanguageMiddleware:
    """Vietnamese unless the user chose otherwise with the language switch.

    Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language: an official on an
    English-language PC still gets the Vietnamese interface first (decision 0009).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _label in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response


API_PREFIX = "/api/"


class _DiscardFiles(FileUploadHandler):
    """Reads past a multipart body's file parts: their bytes are the file's own (NUL bytes included)."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        return None

    def file_complete(self, file_size: int) -> None:
        return None


def _small_body(request: HttpRequest) -> bytes | None:
    """The body when Django would hold it in memory anyway (within DATA_UPLOAD_MAX_MEMORY_SIZE), else None."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if limit is not None and length > limit:
        return None
    try:
        return request.body
    except (RequestDataTooBig, OSError):  # the view meets the same refusal (or broken stream) itself
        return None


def _multipart_fields_hold_nul(request: HttpRequest, body: bytes) -> bool:
    encoding = request.encoding or settings.DEFAULT_CHARSET
    try:
        fields, _files = MultiPartParser(
            request.META, BytesIO(body), [_DiscardFiles(request)], encoding
        ).parse()
    except (MultiPartParserError, SuspiciousOperation, ValueError):
        return False  # not readable: the view's own parse refuses it
    return any("\x00" in name or any("\x00" in value for value in values) for name, values in fields.lists())


def posted_form_holds_nul(request: HttpRequest) -> bool:
    """Whether a form-encoded body, or a multipart body's fields (never its files), holds a NUL.

    The API (/api/) is left alone, JSON or form: its input schemas refuse NUL with its own error shape
    (core.schemas: 422 `invalid_input`, as JSON).
    A multipart body above DATA_UPLOAD_MAX_MEMORY_SIZE (an upload) is not read here: reading it whole
    is what the upload handlers avoid, and the views that take uploads set their own handlers.
    """
    if request.method not in BODY_METHODS or request.path.startswith(API_PREFIX):
        return False
    if request.content_type == "application/x-www-form-urlencoded":
        body = _small_body(request)
        # "%00" is always an escaped NUL in this encoding ("%" starts every escape).
        return body is not None and (b"\x00" in body or b"%00" in body)
    if request.content_type == "multipart/form-data":
        body = _small_body(request)
        return body is not None and _multipart_fields_hold_nul(request, body)
    return False


class RefuseNulBytesMiddleware:
    """Answer 400 to a NUL byte in the path, the query or a posted form's fields: PostgreSQL cannot
    store or compare one, so without this an app that forgot to check would answer 500 there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return _refuse(_("The address contains a NUL character."))
        if posted_form_holds_nul(request):
            return _refuse(
                _("A field of the form contains a NUL character; remove it and send the form again.")
            )
        return self.get_response(request)


def _refuse(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
