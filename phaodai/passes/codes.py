"""Why a code or a bundle was refused: stable codes with English messages that never echo the content.

Pages translate the message by its code (messages.py); the command line and the offline verifier
print code and message as they are. The JS verifier uses the same codes.
"""

from typing import Final

MESSAGES: Final[dict[str, str]] = {
    "too_long": "The code is longer than any pass.",
    "bad_prefix": "This is not a pass code (unknown prefix).",
    "bad_base45": "The code is damaged (not Base45).",
    "bad_zlib": "The code is damaged (compression).",
    "inflated_too_large": "The code unpacks to more data than any pass holds.",
    "bad_cose": "The code is damaged (signed envelope).",
    "unsupported_algorithm": "The code is signed with an algorithm that is not accepted.",
    "bad_kid": "The code names its signing key wrongly.",
    "unknown_kid": "The code was signed with a key that is not in the trust list.",
    "algorithm_mismatch": "The signing algorithm does not match the signer's key.",
    "malformed_signature": "The signature is malformed.",
    "bad_signature": "The signature does not match: the code was altered or forged.",
    "bad_claims": "The signed claims are malformed.",
    "signer_not_yet_valid": "The signer's certificate is not valid yet.",
    "signer_expired": "The signer's certificate has expired.",
    "not_yet_valid": "The pass was issued in the future (check the device's clock).",
    "expired": "The pass has expired.",
    "bad_payload": "The pass content is malformed.",
    "key_usage": "The signer is not allowed to sign this kind of pass.",
    # Checks at a checkpoint (passes.checking)
    "not_a_pass": "This is not a pass that lets one through a checkpoint.",
    "not_a_declaration": "The second code is not a health declaration.",
    "no_rules": "No rule of the bundle applies at this time: get a current bundle.",
    # Bundles
    "bad_bundle": "The rule bundle is malformed.",
    "bundle_bad_signature": "The rule bundle's signature does not match.",
    "older_version": "The rule bundle is older than the one held.",
    "device_time_invalid": (
        "The device's time is earlier than the bundle's signing time: device time invalid."
    ),
    "past_not_after": "The rule bundle is past its not-after date; get a newer one.",
}


class CodecError(ValueError):
    """A refusal with a stable code; str() is the message, never the offending content."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(MESSAGES[code])

    @property
    def message(self) -> str:
        return MESSAGES[self.code]
