"""Fixtures for the public portal: the Long Biên scenario of September 2021, replayed once per module."""

import pytest
from django.db import transaction

from phaodai.business.tests.conftest import factory, register, rep, restaurant  # noqa: F401  (business fixtures)
from phaodai.demo.scenarios import BO_DE, long_bien_2021_09


def quiet(_line: str) -> None:
    """Swallow the scenario's progress lines."""


@pytest.fixture(scope="module")
def long_bien(django_db_setup, django_db_blocker):
    """The scenario's result; its data lives in a transaction rolled back after the module's tests.

    Replaying it takes seconds, so it runs once per module; each test still runs in its own savepoint
    (the `db` fixture), so what a test writes is undone before the next one.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield long_bien_2021_09(write=quiet)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def scenario(long_bien, db):
    return long_bien


@pytest.fixture
def bo_de_areas(scenario):
    from phaodai.portal.tests.helpers import unit
    from phaodai.territory import selectors as territory

    return list(territory.areas_of(unit(BO_DE)))
