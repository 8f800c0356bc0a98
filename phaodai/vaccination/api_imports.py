"""The dose import API (/api/v1/vaccination/imports), as core.bulk.api describes it: only those who record
doses, and only the jobs of their units."""

from functools import partial

from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.bulk.api import ImportApi
from phaodai.vaccination import services_imports

API = ImportApi(
    app="vaccination",
    require=partial(require_perm, perm=Perm.VACCINATE),
    services=services_imports,
    missing_file=_("Attach the doses file (CSV or XLSX) as the form field “file”."),
    report_name="dose-import-{pk}-rejections.csv",
    create_doc="Upload a file of dose records (CSV or XLSX, as `file`); the import runs in the background.",
    list_doc="The latest dose imports of the caller's units, newest first (at most 100).",
    detail_doc="A dose import's status, progress and counts.",
)
router = API.router()
