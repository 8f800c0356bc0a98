"""`phaodai tasks roll`: create the next occurrence of every recurring task that is done or past due."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from phaodai.command.services import roll_recurring


class Command(BaseCommand):
    help = "Task maintenance: `roll` creates the next occurrence of recurring tasks (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{roll}")
        commands.add_parser(
            "roll", help="Create the next occurrence of each recurring task done or past due."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        created = roll_recurring()
        self.stdout.write(f"{len(created)} recurring task occurrence(s) created")
