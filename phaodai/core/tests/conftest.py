"""Fixtures for the kernel's tests: English messages and a small audit chain."""

from collections.abc import Iterator

import pytest
from django.utils import translation

from phaodai.core import audit
from phaodai.core.models import AuditEntry
from phaodai.core.tests.auditing import ticking_clock


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    # Assertions read English msgids; the Vietnamese catalogue must not change what they see.
    with translation.override("en"):
        yield


@pytest.fixture
def chain(db) -> list[AuditEntry]:
    """Five entries appended the normal way, oldest first."""
    clock = ticking_clock()
    return [
        audit.record(
            actor=None,
            action="test.write",
            object_type="test.thing",
            object_id=n,
            unit_path="/01/004/00139/",
            after={"n": n},
            clock=clock,
        )
        for n in range(1, 6)
    ]
