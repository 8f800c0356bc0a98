"""core.bulk's shared import pieces (jobs, API, pages, command), driven with a stand-in app: the kinds'
own behaviour is tested in diagnostics and vaccination, through these."""

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from phaodai.accounts.roles import Perm
from phaodai.core.bulk.api import ImportApi, report_response
from phaodai.core.bulk.command import FileUpload, ImportCommand, bar
from phaodai.core.bulk.jobs import JobKind, is_live, progress_of
from phaodai.core.bulk.web import ImportPages
from phaodai.core.errors import DomainError, InvalidInput, NotPermitted
from phaodai.core.models import ImportJob


def job(**values: Any) -> ImportJob:
    defaults = {"pk": 7, "status": ImportJob.Status.RUNNING, "size_bytes": 1000, "bytes_read": 250}
    return ImportJob(**{**defaults, **values})


def test_progress_is_the_share_of_the_file_read_and_full_only_once_done() -> None:
    assert progress_of(job()) == 25
    assert progress_of(job(bytes_read=1000)) == 99  # read to the end, rows still being written
    assert progress_of(job(status=ImportJob.Status.DONE)) == 100
    assert progress_of(job(size_bytes=0, bytes_read=0)) == 0


def test_a_job_is_live_until_it_is_done_or_failed() -> None:
    live = {status: is_live(job(status=status)) for status in ImportJob.Status.values}
    assert live == {"queued": True, "running": True, "done": False, "failed": False}


def test_the_command_bar_shows_the_percent_and_the_counts() -> None:
    line = bar(job(rows=10, accepted=6, duplicates=1, corrected=1, rejected=1, unmatched=1))
    assert line.startswith("\r[##########.........") and " 25%" in line
    assert line.endswith("rows 10  accepted 6  duplicates 1  corrected 1  rejected 1  unmatched 1")


def test_a_file_on_disk_reads_as_an_upload(tmp_path: Path) -> None:
    source = tmp_path / "doses.csv"
    source.write_bytes(b"a,b\r\n1,2\r\n")
    with source.open("rb") as handle:
        upload = FileUpload(handle, source.name, 10)
        assert (upload.name, upload.size, upload.read(4), upload.read()) == (
            "doses.csv",
            10,
            b"a,b\r",
            b"\n1,2\r\n",
        )


def test_the_report_downloads_under_the_kinds_name_and_is_never_cached() -> None:
    response = report_response(job(pk=12), "dose-import-{pk}-rejections.csv")
    assert response["Content-Disposition"] == 'attachment; filename="dose-import-12-rejections.csv"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "text/csv; charset=utf-8"


# A stand-in app: services that record their calls, in the vaccination URL namespace.


def refuse_anonymous(user: Any) -> None:
    if not user.is_authenticated:
        raise NotPermitted()


@dataclass
class Services:
    item: Any = field(default_factory=lambda: SimpleNamespace(pk=3, code="HN-3"))
    dismiss_error: DomainError | None = None
    calls: list[str] = field(default_factory=list)

    def start_import(self, *, by: Any, upload: Any) -> ImportJob:
        raise AssertionError("not called here")

    def jobs_visible_to(self, user: Any) -> Any:
        raise AssertionError("not called here")

    def job_for(self, user: Any, job_id: int) -> ImportJob:
        self.calls.append(f"job_for {job_id}")
        return job(pk=job_id, created_at=datetime(2021, 9, 20, tzinfo=UTC))

    def progress_of(self, job: ImportJob) -> int:
        return progress_of(job)

    def unmatched_visible_to(self, user: Any) -> Any:
        return [self.item]

    def unmatched_for(self, user: Any, pk: int) -> Any:
        self.calls.append(f"unmatched_for {pk}")
        return self.item

    def dismiss_unmatched(self, *, by: Any, unmatched: Any) -> None:
        if self.dismiss_error:
            raise self.dismiss_error
        self.calls.append(f"dismiss {unmatched.pk}")


class CccdForm(forms.Form):
    cccd = forms.CharField(max_length=12)


class Queue:
    form = CccdForm

    def match(self, *, by: Any, item: Any, data: Mapping[str, Any]) -> Any:
        if data["cccd"] == "000000000000":
            raise InvalidInput("No person with this CCCD.", field="cccd")
        return 2

    def matched(self, item: Any, outcome: Any) -> str:
        return f"{item.code}: {outcome} recorded"

    def refused(self, item: Any, error: DomainError) -> str:
        return f"{item.code}: {error.detail}"

    def invalid(self, item: Any) -> str:
        return f"{item.code}: too long"

    def dismissed(self, item: Any) -> str:
        return f"{item.code} dismissed"


def pages(services: Services) -> ImportPages:
    return ImportPages(
        app="vaccination", require=refuse_anonymous, require_queue=refuse_anonymous, services=services,
        queue=Queue(), file_label="File", columns=("a", "b"), report_name="x-{pk}.csv",
    )  # fmt: skip


def post(data: dict[str, str]) -> Any:
    request = RequestFactory().post("/", data)
    request.user = get_user_model()(username="signed-in")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]  # as the middleware does
    return request


def said(request: Any) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


@pytest.mark.parametrize(
    ("cccd", "expected"),
    [
        ("001085012345", ("success", "HN-3: 2 recorded")),
        ("000000000000", ("error", "HN-3: No person with this CCCD.")),
        ("0010850123456789", ("error", "HN-3: too long")),
    ],
)
def test_matching_says_what_happened_and_returns_to_the_queue(cccd: str, expected: tuple[str, str]) -> None:
    request = post({"cccd": cccd})
    answer = pages(Services()).unmatched_match(request, 3)
    assert (answer.status_code, answer["Location"]) == (302, "/vaccination/unmatched/")
    assert said(request) == [expected]


def test_dismissing_says_so_or_gives_the_refusal() -> None:
    request, services = post({}), Services()
    pages(services).unmatched_dismiss(request, 3)
    assert said(request) == [("success", "HN-3 dismissed")] and services.calls[-1] == "dismiss 3"
    request = post({})
    pages(Services(dismiss_error=InvalidInput("Already dismissed."))).unmatched_dismiss(request, 3)
    assert said(request) == [("error", "Already dismissed.")]


def test_the_pages_refuse_before_reading_anything() -> None:
    request, services = post({}), Services()
    request.user = AnonymousUser()
    for view in (pages(services).unmatched_match, pages(services).unmatched_dismiss):
        with pytest.raises(NotPermitted):
            view(request, 3)
    with pytest.raises(NotPermitted):
        pages(services).import_report(request, 3)
    assert services.calls == []


def test_the_pages_are_named_in_the_apps_namespace_with_their_methods_guarded() -> None:
    patterns = {p.name: p for p in pages(Services()).urlpatterns()}
    assert list(patterns) == [
        "imports", "import_new", "import_detail", "import_report", "unmatched", "unmatched_match",
        "unmatched_dismiss",
    ]  # fmt: skip
    # Only the upload is exempt from the middleware's CSRF check: it makes its own, after the size guard.
    exempt = {name for name, p in patterns.items() if getattr(p.callback, "csrf_exempt", False)}
    assert exempt == {"import_new"}
    request = post({})
    assert patterns["unmatched"].callback(request).status_code == 405  # a GET page
    request = RequestFactory().get("/")
    request.user = get_user_model()(username="signed-in")
    assert patterns["unmatched_dismiss"].callback(request, pk=3).status_code == 405  # a POST action


def test_the_api_describes_a_job_with_its_counts_and_its_report_url() -> None:
    api = ImportApi(
        app="vaccination", require=refuse_anonymous, services=Services(), missing_file="Attach it.",
        report_name="x-{pk}.csv", create_doc="", list_doc="", detail_doc="",
    )  # fmt: skip
    out = api.job_out(job(pk=5, original_name="mui.csv", rows=3, accepted=2, rejected=1))
    assert out["counts"] == {
        "rows": 3,
        "accepted": 2,
        "duplicates": 0,
        "corrected": 0,
        "rejected": 1,
        "unmatched": 0,
    }
    assert (out["file_name"], out["progress"]) == ("mui.csv", 25)
    assert out["report_url"] == "/api/v1/vaccination/imports/5/report"
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(NotPermitted):
        api.detail(request, 5)


# The command, over a kind whose jobs are stand-ins.


KIND = JobKind(
    kind="stand_in", perm=Perm.VACCINATE, start_action="import.stand_in.start",
    handler=lambda clock: pytest.fail("no job runs here"),
    enqueue=lambda job_id: None,
)  # fmt: skip


class StandInCommand(ImportCommand):
    help = "Import stand-ins."
    jobs = KIND
    user_help = "who imports"
    job_label = "stand-in import job"
    usage_error = "give a FILE and --user USERNAME, or --resume JOB_ID"


@pytest.mark.django_db
def test_the_command_names_what_is_missing_and_the_unknown_job() -> None:
    with pytest.raises(CommandError, match="give a FILE and --user USERNAME, or --resume JOB_ID"):
        call_command(StandInCommand(), stdout=io.StringIO())
    with pytest.raises(CommandError, match="no stand-in import job 404"):
        call_command(StandInCommand(), resume=404, stdout=io.StringIO())
    with pytest.raises(CommandError, match="is not a file"):
        call_command(StandInCommand(), "/nonexistent.csv", user="x", stdout=io.StringIO())
