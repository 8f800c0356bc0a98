"""`phaodai scenario <name>`: replay a reproducible scenario through the real services."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from phaodai.demo.scenarios import SCENARIOS


class Command(BaseCommand):
    help = "Replay a scenario (e.g. long-bien-2021-09) into the database; running it again changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=sorted(SCENARIOS), help="the scenario to replay")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                SCENARIOS[options["name"]](write=self.stdout.write)
        except LookupError as error:
            raise CommandError(str(error)) from error
