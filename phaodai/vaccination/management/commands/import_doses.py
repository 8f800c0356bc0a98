"""Import dose records from a CSV/XLSX file, with a progress bar on stderr (core.bulk.command).

phaodai import_doses FILE --user USERNAME [--batch-size N]
phaodai import_doses --resume JOB_ID
phaodai import_doses --resume-stale          (from cron: every dose import that failed or went silent)
"""

from phaodai.core.bulk.command import ImportCommand
from phaodai.vaccination import services_imports


class Command(ImportCommand):
    help = "Import dose records from a CSV or XLSX file (or resume an import by its job id)."
    jobs = services_imports.JOBS
    user_help = "the importing user's username (one who records doses)"
    job_label = "dose import job"
    usage_error = "give a FILE and --user USERNAME, or --resume JOB_ID, or --resume-stale"
