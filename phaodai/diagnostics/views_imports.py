"""Pages of lab result imports (core.bulk.web): upload, the job and its report, my unit's jobs, and the
queue of results whose person was not found (a ward matches or dismisses them)."""

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
from phaodai.diagnostics import services_imports
from phaodai.diagnostics.lab_import import COLUMNS
from phaodai.diagnostics.models import Sample, UnmatchedResult


class MatchForm(forms.Form):
    cccd = forms.CharField(label=gettext_lazy("Citizen ID (CCCD) of the person"), max_length=20)
    lab_cccd_wrong = forms.BooleanField(
        required=False, label=gettext_lazy("The laboratory's CCCD was wrong: the result is this person's")
    )


class ResultQueue:
    """A result is matched to the person with the CCCD entered; messages name it by its sample code."""

    form = MatchForm

    def match(self, *, by: Any, item: UnmatchedResult, data: Mapping[str, Any]) -> Sample:
        return services_imports.match_unmatched(
            by=by, unmatched=item, cccd=data["cccd"], lab_cccd_wrong=data["lab_cccd_wrong"]
        )

    def matched(self, item: UnmatchedResult, outcome: Sample) -> str:
        return _("%(code)s was matched.") % {"code": item.sample_code}

    def refused(self, item: UnmatchedResult, error: DomainError) -> str:
        return _("%(code)s: %(message)s") % {"code": item.sample_code, "message": error.detail}

    def invalid(self, item: UnmatchedResult) -> str:
        return _("%(code)s: enter the CCCD.") % {"code": item.sample_code}

    def dismissed(self, item: UnmatchedResult) -> str:
        return _("%(code)s was dismissed.") % {"code": item.sample_code}


PAGES = ImportPages(
    app="diagnostics",
    require=partial(require_perm, perm=Perm.IMPORT_RESULTS),
    # The queue is for those who take samples: a ward matches its residents' results.
    require_queue=partial(require_perm, perm=Perm.SAMPLE),
    services=services_imports,
    queue=ResultQueue(),
    file_label=gettext_lazy("Results file (CSV UTF-8 or Excel .xlsx)"),
    columns=COLUMNS,
    report_name="import-{pk}-rejections.csv",
)
