"""Shared test fixtures: named personas built through the real write paths (STYLE §8)."""

import pytest

from phaodai.accounts.roles import Role

PASSWORD = "correct horse battery staple"

# (fixture name, username, role, unit code)
PERSONAS = [
    ("city_commander", "city-01", Role.CITY_COMMANDER, "01"),
    ("district_officer_long_bien", "district-004", Role.DISTRICT_OFFICER, "004"),
    ("district_officer_ba_dinh", "district-001", Role.DISTRICT_OFFICER, "001"),
    ("ward_officer_bo_de", "ward-00139", Role.WARD_OFFICER, "00139"),
    ("ward_officer_ngoc_lam", "ward-00133", Role.WARD_OFFICER, "00133"),
    ("ward_officer_phuc_xa", "ward-00001", Role.WARD_OFFICER, "00001"),
    ("health_worker_bo_de", "health-00139", Role.HEALTH_WORKER, "00139"),
    ("welfare_officer_bo_de", "welfare-00139", Role.WELFARE_OFFICER, "00139"),
    ("lab_tech_cdc", "lab-01", Role.LAB_TECHNICIAN, "01"),
    ("checkpoint_officer_ql6", "checkpoint-268", Role.CHECKPOINT_OFFICER, "268"),
    ("inspector_team_3", "inspector-004", Role.INSPECTOR, "004"),
    ("business_rep_bo_de", "business-00139", Role.BUSINESS_REPRESENTATIVE, "00139"),
]


def make_persona(username: str, role: str, unit_code: str):
    from phaodai.accounts import services
    from phaodai.territory.models import Unit

    return services.create_user(
        username=username, password=PASSWORD, role=role, unit=Unit.objects.get(code=unit_code)
    )


def _persona_fixture(username: str, role: str, unit_code: str):
    @pytest.fixture
    def persona(db):
        return make_persona(username, role, unit_code)

    return persona


for _name, _username, _role, _unit in PERSONAS:
    globals()[_name] = _persona_fixture(_username, _role, _unit)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2 costs ~0.7 s per persona; tests check roles and scope, not hashing strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded attachments go to the test's own directory, never to the project's var/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_public_answers():
    # The public look-up keeps answers in memory per process; each test starts from its own data.
    from phaodai.portal.answer_cache import DIRECTORY

    DIRECTORY.reset()
    yield
    DIRECTORY.reset()


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate-limit counters live in the cache; one test's submissions never count against the next.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_messages_outside_requests():
    # Messages raised by direct service calls read in English (the source language) in assertions;
    # requests still get Vietnamese first through LocaleMiddleware, as users do.
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    """The test client with English chosen, so page assertions read the source messages.

    Vietnamese-first is tested explicitly with `vietnamese_client` and in the browser tests.
    """
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def vietnamese_client():
    """A client that has made no language choice, as a first-time visitor."""
    from django.test import Client

    return Client()


@pytest.fixture
def persona_password() -> str:
    return PASSWORD


@pytest.fixture
def unit(db):
    """Look up a real administrative unit by its GSO code."""
    from phaodai.territory.models import Unit

    return lambda code: Unit.objects.get(code=code)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL, let pytest-django empty the audit log between transactional tests."""
    # The audit log's triggers refuse TRUNCATE, which pytest-django's flush after live_server and
    # other transactional tests relies on. The test database (never production) turns on the DBA
    # maintenance switch for every session; the immutability tests switch it off with SET LOCAL.
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            name = connection.ops.quote_name(connection.settings_dict["NAME"])
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {name} SET phaodai.audit_purge = 'on'")
            # Database defaults apply from the next session on: reconnect.
            connection.close()


def pytest_collection_modifyitems(config, items):
    """Skip tests marked postgres_only unless the suite runs on PostgreSQL."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL to a postgres:// URL)")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


_started_at = None  # the clock travel of PHAODAI_TEST_START_AT, when set


def pytest_configure(config):
    """PHAODAI_TEST_START_AT=HH:MM runs the whole session as if it started at that Hà Nội time today,
    the clock ticking on from there (each xdist worker does the same): a suite started at 23:40 crosses
    midnight, where code that takes "this hour" or "today" for granted breaks (stop 23's CI at 23:15)."""
    import os

    start = os.environ.get("PHAODAI_TEST_START_AT")
    if not start:
        return
    global _started_at
    from datetime import datetime, time

    import time_machine

    from phaodai.core.clock import HANOI

    hour, minute = (int(part) for part in start.split(":"))
    today = datetime.now(HANOI).date()
    _started_at = time_machine.travel(datetime.combine(today, time(hour, minute), tzinfo=HANOI), tick=True)
    _started_at.start()


def pytest_unconfigure(config):
    if _started_at is not None:
        _started_at.stop()
