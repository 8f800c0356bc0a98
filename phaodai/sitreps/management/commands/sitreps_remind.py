"""`phaodai sitreps_remind`: send the due report reminders and escalations once, print the counts.

Run it every few minutes from cron (or enqueue `phaodai.sitreps.tasks.remind`): a reminder or an
escalation already sent is never sent again. `--at` replays another moment (e.g. in the demo).
"""

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phaodai.core.clock import HANOI, now, plausible
from phaodai.sitreps import services


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--at: expected an ISO time such as 2021-09-08T16:00, got {text!r}") from None
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=HANOI)
    if not plausible(moment):
        raise CommandError(f"--at: {text!r} is not a plausible time")
    return moment


class Command(BaseCommand):
    help = "Send due situation-report reminders (before deadlines) and escalations (after them) once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--at",
            metavar="ISO_TIME",
            help="Act as if it were this moment (Hà Nội time unless an offset is given)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        moment = _moment(options["at"]) if options["at"] else None
        run = services.send_reminders(clock=(lambda: moment) if moment is not None else now)
        self.stdout.write(f"reminded {run.reminded} units, escalated to {run.escalated} receivers")
