"""The management command of an import kind, with a progress bar on stderr:

phaodai <command> FILE --user USERNAME [--batch-size N]
phaodai <command> --resume JOB_ID
phaodai <command> --resume-stale          (from cron: every import that failed or went silent)

An app's command subclasses ImportCommand and names its kind of job and its texts.
"""

from pathlib import Path
from typing import Any, ClassVar

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from phaodai.core.bulk import runner
from phaodai.core.bulk.jobs import JobKind, progress_of
from phaodai.core.errors import DomainError
from phaodai.core.models import ImportJob

BAR = 40


def bar(job: ImportJob) -> str:
    """One line of progress: a bar, the percent of the file read, and the counts so far."""
    percent = progress_of(job)
    filled = BAR * percent // 100
    return (
        f"\r[{'#' * filled}{'.' * (BAR - filled)}] {percent:3d}%  rows {job.rows}  accepted {job.accepted}  "
        f"duplicates {job.duplicates}  corrected {job.corrected}  rejected {job.rejected}  "
        f"unmatched {job.unmatched}"
    )


class ImportCommand(BaseCommand):
    jobs: JobKind
    user_help: ClassVar[str]  # who may import, for --user's help
    job_label: ClassVar[str]  # "dose import job", in the error for an unknown --resume
    usage_error: ClassVar[str]  # when neither a file and a user nor a job is given

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="the CSV or XLSX file")
        parser.add_argument("--user", help=self.user_help)
        parser.add_argument("--resume", type=int, metavar="JOB_ID", help="resume this import job")
        parser.add_argument(
            "--resume-stale",
            action="store_true",
            help="resume every import that failed part-way or whose worker went silent (run it from cron)",
        )
        parser.add_argument("--batch-size", type=int, default=runner.BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        if options["resume_stale"]:
            for job_id in self.jobs.resumable():
                job = self.jobs.run(job_id, batch_size=batch_size)
                if job is not None:
                    self.stdout.write(f"job {job.pk}: {job.status}, {job.rows} rows")
            return
        if options["resume"]:
            job_id = options["resume"]
            if not self.jobs.exists(job_id):
                raise CommandError(f"no {self.job_label} {job_id}")
        else:
            job_id = self._start(options)
        job = self.jobs.run(job_id, batch_size=batch_size, progress=self._progress)
        self.stderr.write("")
        if job is None:
            raise CommandError(f"import job {job_id} is running elsewhere or already done")
        if job.status != ImportJob.Status.DONE:
            raise CommandError(f"import job {job.pk} failed: {job.error} (resume with --resume {job.pk})")
        self.stdout.write(
            f"job {job.pk}: rows={job.rows} accepted={job.accepted} duplicates={job.duplicates} "
            f"corrected={job.corrected} rejected={job.rejected} unmatched={job.unmatched}"
        )

    def _progress(self, job: ImportJob) -> None:
        self.stderr.write(bar(job), ending="")
        self.stderr.flush()

    def _start(self, options: dict[str, Any]) -> int:
        if not options["file"] or not options["user"]:
            raise CommandError(self.usage_error)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {options['user']!r}") from None
        try:
            with path.open("rb") as handle:
                upload = FileUpload(handle, path.name, path.stat().st_size)
                job = self.jobs.start(by=user, upload=upload, enqueue=lambda _job_id: None)
        except DomainError as error:
            raise CommandError(str(error.detail)) from None
        self.stdout.write(f"job {job.pk} created")
        return job.pk


class FileUpload:
    """A file on disk as an upload (name, size, read)."""

    def __init__(self, handle: Any, name: str, size: int) -> None:
        self._handle, self.name, self.size = handle, name, size

    def read(self, size: int = -1, /) -> bytes:
        return bytes(self._handle.read(size))
