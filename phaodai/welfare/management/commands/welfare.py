"""`phaodai welfare load [--file PATH]`: load the support programmes (new versions only), print the count."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phaodai.welfare.reference import DATA, ensure_programmes


class Command(BaseCommand):
    help = "Welfare: load the support programmes of a JSON file (default: the shipped ones)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load"])
        parser.add_argument(
            "--file", type=Path, default=DATA, help="programmes JSON (see data/programmes.json)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = ensure_programmes(path=options["file"])
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"{options['file']}: {error}") from None
        self.stdout.write(f"{created} programme version(s) added")
