"""The CCCD at rest: AES-GCM ciphertext bound to its column, plus a keyed blind index."""

from phaodai.core.crypto import blind_index, field_cipher

# Binds each ciphertext to this column: a blob copied into another encrypted column will not open.
CCCD_AAD = b"person.cccd"
INDEX_PURPOSE = "cccd"


def encrypt_cccd(number: str) -> bytes:
    return field_cipher().encrypt(number, associated=CCCD_AAD)


def cccd_index(number: str) -> str:
    """The blind index of a normalised CCCD (lookup and uniqueness without the plaintext)."""
    return blind_index()(number, INDEX_PURPOSE)


def decrypt_cccd(ciphertext: bytes) -> str:
    """The plaintext CCCD, for checks and masked display only; never log or store it."""
    return field_cipher().decrypt(ciphertext, associated=CCCD_AAD)
