"""Import a laboratory's results from a CSV/XLSX file, with a progress bar on stderr (core.bulk.command).

phaodai import_results FILE --user USERNAME [--batch-size N]
phaodai import_results --resume JOB_ID
phaodai import_results --resume-stale          (from cron: every lab-result import that failed or went silent)
"""

from phaodai.core.bulk.command import ImportCommand
from phaodai.diagnostics import services_imports


class Command(ImportCommand):
    help = "Import lab results from a CSV or XLSX file (or resume an import by its job id)."
    jobs = services_imports.JOBS
    user_help = "the importing user's username (a lab technician)"
    job_label = "lab-result import job"
    usage_error = "give a FILE and --user USERNAME, or --resume JOB_ID"
