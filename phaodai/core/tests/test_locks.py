"""Advisory lock keys: 32-bit, the same for the same id, whatever form the id comes in."""

import uuid

from phaodai.core.locks import key_of


def test_lock_keys_fit_32_bits_and_name_the_same_id_alike():
    person = uuid.UUID("9f1c2b1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b")
    assert key_of(person) == key_of(str(person))
    assert 0 <= key_of(person) < 2**31
    assert key_of(42) == 42
    assert key_of(2**31 + 42) == 42
