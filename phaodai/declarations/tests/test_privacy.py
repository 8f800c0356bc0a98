"""Personal data: the identity number is stored only encrypted and indexed, never in plain, never logged."""

import pytest
from django.db import connection

from phaodai.core.crypto import field_cipher
from phaodai.core.models import AuditEntry
from phaodai.declarations import services
from phaodai.declarations.models import Declaration
from phaodai.declarations.tests.conftest import CCCD, NOW, all_no, at, typed
from phaodai.notifications.models import Notification
from phaodai.passes import selectors as passes
from phaodai.people.cccd import cccd_index

pytestmark = pytest.mark.django_db


def test_no_plain_identity_number_anywhere_in_the_database(pass_key):
    services.submit_declaration(data=typed(answers={**all_no(), "fever": True}), clock=at(NOW))
    services.submit_declaration(
        data=typed(id_kind="passport", id_number="b1234567", house="Số 2"), clock=at(NOW)
    )
    tables = [Declaration._meta.db_table, AuditEntry._meta.db_table, Notification._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(str(bytes(v)) if isinstance(v, (bytes, memoryview)) else str(v) for v in row)
                assert CCCD not in text and "B1234567" not in text, table


def test_the_number_opens_only_with_its_column_and_matches_the_registry_index(pass_key):
    declaration, _ = services.submit_declaration(data=typed(), clock=at(NOW))
    stored = Declaration.objects.get(pk=declaration.pk)
    assert field_cipher().decrypt(bytes(stored.id_ciphertext), associated=services.ID_AAD) == CCCD
    with pytest.raises(Exception):  # noqa: B017 - any failure to open is right
        field_cipher().decrypt(bytes(stored.id_ciphertext), associated=b"person.cccd")
    assert stored.id_index == cccd_index(CCCD)
    assert stored.id_masked == "001******345"


def test_a_passport_is_masked_to_its_last_three_characters(pass_key):
    declaration, _ = services.submit_declaration(
        data=typed(id_kind="passport", id_number="b1234567"), clock=at(NOW)
    )
    assert declaration.id_masked == "*****567"
    payload = passes.verify_code(declaration.pass_code, clock=at(NOW)).payload
    assert payload is not None and "cc" not in payload
