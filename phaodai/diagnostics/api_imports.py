"""The lab result import API (/api/v1/diagnostics/imports), as core.bulk.api describes it: only those who
may import results (lab technicians), and only the jobs of their units."""

from functools import partial

from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.bulk.api import ImportApi
from phaodai.diagnostics import services_imports

API = ImportApi(
    app="diagnostics",
    require=partial(require_perm, perm=Perm.IMPORT_RESULTS),
    services=services_imports,
    missing_file=_("Attach the results file (CSV or XLSX) as the form field “file”."),
    report_name="import-{pk}-rejections.csv",
    create_doc=(
        "Upload a laboratory's results file (CSV or XLSX, as `file`); the import runs in the background."
    ),
    list_doc="The latest imports of the caller's units, newest first (at most 100).",
    detail_doc="An import's status, progress and counts.",
)
router = API.router()
