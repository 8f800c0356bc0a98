"""Pages of dose imports (core.bulk.web): upload, the job and its report, my units' jobs, and the queue
of doses whose person was not found (a ward matches them to a person or dismisses them)."""

from collections.abc import Mapping
from functools import partial
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.bulk.web import ImportPages
from phaodai.core.errors import DomainError
from phaodai.vaccination import services_imports
from phaodai.vaccination.dose_import import COLUMNS
from phaodai.vaccination.models import UnmatchedDose


class MatchForm(forms.Form):
    cccd = forms.CharField(
        label=gettext_lazy("Citizen ID (CCCD) of the person (empty: the one in the file)"),
        max_length=20,
        required=False,
    )
    file_cccd_wrong = forms.BooleanField(
        label=gettext_lazy("The file's CCCD was wrong (this is the person's)"), required=False
    )


def _label(item: UnmatchedDose) -> str:
    return _("Import %(job)s, row %(row)s") % {"job": item.import_job_id, "row": item.row_number}


class DoseQueue:
    """Every open dose of the entry's CCCD is recorded for the person; messages name the file's row."""

    form = MatchForm

    def match(self, *, by: Any, item: UnmatchedDose, data: Mapping[str, Any]) -> int:
        return services_imports.match_unmatched(
            by=by, unmatched=item, cccd=data["cccd"], file_cccd_wrong=data["file_cccd_wrong"]
        )

    def matched(self, item: UnmatchedDose, outcome: int) -> str:
        return _("%(item)s: %(count)s doses recorded.") % {"item": _label(item), "count": outcome}

    def refused(self, item: UnmatchedDose, error: DomainError) -> str:
        return _("%(item)s: %(message)s") % {"item": _label(item), "message": error.detail}

    def invalid(self, item: UnmatchedDose) -> str:
        return _("%(item)s: the CCCD is too long.") % {"item": _label(item)}

    def dismissed(self, item: UnmatchedDose) -> str:
        return _("Import %(job)s, row %(row)s was dismissed.") % {
            "job": item.import_job_id,
            "row": item.row_number,
        }


PAGES = ImportPages(
    app="vaccination",
    require=partial(require_perm, perm=Perm.VACCINATE),
    require_queue=partial(require_perm, perm=Perm.VACCINATE),
    services=services_imports,
    queue=DoseQueue(),
    file_label=gettext_lazy("Dose records (CSV UTF-8 or Excel .xlsx)"),
    columns=COLUMNS,
    report_name="dose-import-{pk}-rejections.csv",
)
