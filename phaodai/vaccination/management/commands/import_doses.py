"""Import dose records from a CSV/XLSX file, with a progress bar on stderr.

phaodai import_doses FILE --user USERNAME [--batch-size N]
phaodai import_doses --resume JOB_ID
phaodai import_doses --resume-stale          (from cron: every dose import that failed or went silent)
"""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from phaodai.core.bulk import runner
from phaodai.core.errors import DomainError
from phaodai.core.models import ImportJob

# Generic (the progress line, a file on disk as an upload): to move into core.bulk with the lab's.
from phaodai.diagnostics.management.commands.import_results import _FileUpload, bar
from phaodai.vaccination import services_imports


class Command(BaseCommand):
    help = "Import dose records from a CSV or XLSX file (or resume an import by its job id)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="the CSV or XLSX file")
        parser.add_argument("--user", help="the importing user's username (one who records doses)")
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
            for job_id in services_imports.resumable():
                job = services_imports.run_import(job_id, batch_size=batch_size)
                if job is not None:
                    self.stdout.write(f"job {job.pk}: {job.status}, {job.rows} rows")
            return
        if options["resume"]:
            job_id = options["resume"]
            if not ImportJob.objects.filter(pk=job_id, kind=services_imports.KIND).exists():
                raise CommandError(f"no dose import job {job_id}")
        else:
            job_id = self._start(options)
        job = services_imports.run_import(job_id, batch_size=batch_size, progress=self._progress)
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
            raise CommandError("give a FILE and --user USERNAME, or --resume JOB_ID, or --resume-stale")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {options['user']!r}") from None
        try:
            with path.open("rb") as handle:
                upload = _FileUpload(handle, path.name, path.stat().st_size)
                job = services_imports.start_import(by=user, upload=upload, enqueue=lambda _job_id: None)
        except DomainError as error:
            raise CommandError(str(error.detail)) from None
        self.stdout.write(f"job {job.pk} created")
        return job.pk
