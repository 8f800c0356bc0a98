"""The codec's and bundles' refusal messages, translatable, for pages and the API (codes.py has English)."""

from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MESSAGES: Final[dict[str, Promise]] = {
    "too_long": _("The code is longer than any pass."),
    "bad_prefix": _("This is not a pass code (unknown prefix)."),
    "bad_base45": _("The code is damaged (not Base45)."),
    "bad_zlib": _("The code is damaged (compression)."),
    "inflated_too_large": _("The code unpacks to more data than any pass holds."),
    "bad_cose": _("The code is damaged (signed envelope)."),
    "unsupported_algorithm": _("The code is signed with an algorithm that is not accepted."),
    "bad_kid": _("The code names its signing key wrongly."),
    "unknown_kid": _("The code was signed with a key that is not in the trust list."),
    "algorithm_mismatch": _("The signing algorithm does not match the signer's key."),
    "malformed_signature": _("The signature is malformed."),
    "bad_signature": _("The signature does not match: the code was altered or forged."),
    "bad_claims": _("The signed claims are malformed."),
    "signer_not_yet_valid": _("The signer's certificate is not valid yet."),
    "signer_expired": _("The signer's certificate has expired."),
    "not_yet_valid": _("The pass was issued in the future (check the device's clock)."),
    "expired": _("The pass has expired."),
    "bad_payload": _("The pass content is malformed."),
    "key_usage": _("The signer is not allowed to sign this kind of pass."),
    "not_a_pass": _("This is not a pass that lets one through a checkpoint."),
    "not_a_declaration": _("The second code is not a health declaration."),
    "no_rules": _("No rule of the bundle applies at this time: get a current bundle."),
    "bad_bundle": _("The rule bundle is malformed."),
    "bundle_bad_signature": _("The rule bundle's signature does not match."),
    "older_version": _("The rule bundle is older than the one held."),
    "device_time_invalid": _(
        "The device's time is earlier than the bundle's signing time: device time invalid."
    ),
    "past_not_after": _("The rule bundle is past its not-after date; get a newer one."),
}


def describe(code: str) -> Promise:
    """The translatable message for a refusal code."""
    return MESSAGES[code]
