"""`phaodai demo`: migrate, generate a seeded Hà Nội, create the demo logins, then serve it."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from phaodai.demo.context import DEFAULT_PASSWORD, DEFAULT_PERSONS, DEFAULT_SEED, DemoContext
from phaodai.demo.logins import login_table
from phaodai.demo.phases import run_phases
from phaodai.demo.reset import drop_all_tables
from phaodai.territory.units import hanoi_units


class Command(BaseCommand):
    help = (
        "Prepare the demo: migrate the database, generate areas, households and persons for all 579 wards "
        "(seeded, reproducible, safe to re-run), create one login per role, print them and serve on "
        "127.0.0.1. Static files are served by runserver's --insecure handler, so DEBUG may stay off."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="generator seed (default %(default)s)"
        )
        parser.add_argument(
            "--persons", type=int, default=DEFAULT_PERSONS, help="persons to generate (default %(default)s)"
        )
        parser.add_argument(
            "--districts",
            default="",
            help="comma-separated district codes to generate areas in (default: all 30); "
            "add --reset when changing it",
        )
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password of every demo login")
        parser.add_argument(
            "--reset", action="store_true", help="drop the whole database first and start over"
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="prepare the data, do not start the server"
        )
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (default %(default)s)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["persons"] < 0:
            raise CommandError("--persons cannot be negative.")
        ctx = DemoContext(
            seed=options["seed"],
            persons=options["persons"],
            password=options["password"],
            districts=tuple(code.strip() for code in options["districts"].split(",") if code.strip()),
            write=self.stdout.write,
        )
        unknown = set(ctx.districts) - {row.code for row in hanoi_units() if row.level == "district"}
        if unknown:
            raise CommandError(f"Unknown district codes: {', '.join(sorted(unknown))}.")
        # The embedded SQLite database lives under var/, which a fresh clone does not have.
        Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
        if options["reset"]:
            if settings.PRODUCTION:
                raise CommandError("--reset drops every table; it is refused with PHAODAI_ENV=production.")
            ctx.progress(f"reset: dropped {drop_all_tables()} tables")
        call_command("migrate", interactive=False, verbosity=0)
        ctx.progress("migrate: database schema up to date")
        run_phases(ctx)
        ctx.progress("demo ready")

        url = f"http://127.0.0.1:{options['port']}/"
        self.stdout.write("\nDemo logins:\n" + login_table(ctx.results["logins"], ctx.password))
        self.stdout.write(f"\nOpen {url} and sign in with one of these.\n")
        if not options["no_serve"]:
            # --insecure serves static files with DEBUG off: the demo behaves like production otherwise.
            call_command(
                "runserver", f"127.0.0.1:{options['port']}", use_reloader=False, insecure_serving=True
            )
