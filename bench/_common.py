"""Helpers shared by the benches: the throwaway database, Django, and the demo city with its scenario."""

import os
import sys
import time
from urllib.parse import urlsplit, urlunsplit


def ensure_database(bench: str) -> None:
    """Create the database DATABASE_URL names when it does not exist yet (PostgreSQL only)."""
    import psycopg

    parts = urlsplit(os.environ.get("DATABASE_URL", ""))
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(f"{bench} needs DATABASE_URL=postgres://... (a throwaway PostgreSQL database)")
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", flush=True)


def setup_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def step(message: str, started: float) -> None:
    print(f"{message} ({time.perf_counter() - started:.1f} s, not timed)", flush=True)


def seed_city() -> None:
    """Every ward's demo areas (about 14,300), then the Long Biên scenario; both skip what exists."""
    from django.db import transaction

    from phaodai.demo.context import DemoContext
    from phaodai.demo.scenarios import long_bien_2021_09
    from phaodai.demo.seeding import seed_areas

    t0 = time.perf_counter()
    with transaction.atomic():
        summary = seed_areas(DemoContext(write=lambda _line: None))
    step(f"areas: {summary}", t0)
    t0 = time.perf_counter()
    with transaction.atomic():
        long_bien_2021_09(write=lambda _line: None)
    step("Long Biên scenario replayed", t0)
