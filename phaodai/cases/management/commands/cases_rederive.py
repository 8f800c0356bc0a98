"""`phaodai cases_rederive`: rebuild every F-level and cluster as of today (or `--as-of`), print the counts.

Run it nightly, just after midnight (cron, or enqueue `phaodai.cases.tasks.rederive`): new cases and
contacts re-derive at once, but time alone also changes the answer — a case older than the tracing
horizon stops being an F0, and its contacts stop being F1 — and only the rebuild sees that.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phaodai.cases import services
from phaodai.core.clock import local_date, now, read_local_date


class Command(BaseCommand):
    help = "Rebuild every F-level and cluster as of a day (default: today in Hà Nội)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", metavar="DAY", help="The day to derive as of: YYYY-MM-DD or dd/mm/yyyy"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = local_date(now())
        if options["as_of"]:
            found = read_local_date(options["as_of"])
            if found is None:
                raise CommandError(
                    f"--as-of: expected a day such as 2021-09-15 or 15/09/2021, got {options['as_of']!r}"
                )
            day = found
        derivation = services.rederive(as_of=day)
        levels = ", ".join(f"F{level}: {count}" for level, count in enumerate(derivation.levels))
        self.stdout.write(
            f"{day:%d/%m/%Y}: {levels or 'nobody traced'}; active clusters: {derivation.clusters}"
        )
