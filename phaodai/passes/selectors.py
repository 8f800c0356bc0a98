"""Reads: the trust list in force, keys and signers, rules, and the current bundle of a scope.

Nothing here is personal or scoped to a unit: keys, trust lists and bundles are city-wide and the
trust list and bundles are published to every device.
"""

import base64
import json
from datetime import datetime, timedelta
from typing import Any, Final

from django.db.models import QuerySet

from phaodai.core.clock import Clock, now
from phaodai.passes import bundles
from phaodai.passes.codec import Verification, verify
from phaodai.passes.models import Bundle, ForeignSigner, PassRule, SigningKey
from phaodai.passes.rules import RuleSet
from phaodai.passes.trust import TrustEntry, TrustList, Usage, iso

# The longest a pass may live: a retired key stays trusted this long after it stopped signing.
MAX_PASS_LIFETIME: Final = timedelta(days=90)


def trusted_until(key: SigningKey) -> datetime:
    """Until when codes signed by a key are accepted: its certificate's end, sooner once retired."""
    if key.retired_at is None:
        return key.valid_to
    return min(key.valid_to, key.retired_at + MAX_PASS_LIFETIME)


def trust_list(at: datetime) -> TrustList:
    """Every signer a device should trust at `at`: our keys not revoked and not past their window, and
    the active foreign signers whose certificates have not expired."""
    entries: list[TrustEntry] = []
    for key in SigningKey.objects.exclude(status=SigningKey.Status.REVOKED).filter(valid_to__gte=at):
        until = trusted_until(key)
        if until < at:
            continue
        usage = Usage.PASS if key.purpose == SigningKey.Purpose.PASSES else Usage.BUNDLE
        entries.append(
            TrustEntry.from_certificate(
                bytes(key.certificate), usage, types=key.pass_types, valid_from=key.valid_from, valid_to=until
            )
        )
    for signer in ForeignSigner.objects.filter(active=True, valid_to__gte=at):
        entries.append(
            TrustEntry.from_certificate(bytes(signer.certificate), Usage.HCERT, types=signer.kinds)
        )
    return TrustList(entries)


def published_trust_list(clock: Clock = now) -> dict[str, Any]:
    """The trust list as published: when, and the entries (kid, certificate, public key, types, window)."""
    at = clock()
    return {"issued_at": iso(at), "entries": trust_list(at).to_json()}


def bundle_anchors(at: datetime) -> TrustList:
    """The bundle signers a verifier page pins when it installs (it learns later ones from bundles)."""
    return TrustList(entry for entry in trust_list(at).entries if entry.usage == Usage.BUNDLE)


def signing_keys() -> QuerySet[SigningKey]:
    return SigningKey.objects.all()


def foreign_signers() -> QuerySet[ForeignSigner]:
    return ForeignSigner.objects.all()


def rules_of(scope: str) -> QuerySet[PassRule]:
    return PassRule.objects.filter(scope=scope)


def rule_document(rule: PassRule) -> dict[str, Any]:
    """A rule as a bundle carries it: the EU rule fields, with our pass type as CertificateType."""
    return {
        "Identifier": rule.identifier,
        "Type": rule.rule_type,
        "Version": rule.version,
        "CertificateType": rule.certificate_type,
        "ValidFrom": iso(rule.valid_from),
        "ValidTo": iso(rule.valid_to),
        "AffectedFields": list(rule.affected_fields),
        "Description": [
            {"lang": "vi", "desc": rule.description_vi},
            {"lang": "en", "desc": rule.description_en},
        ],
        "Logic": rule.logic,
        "Engine": "CERTLOGIC",
        "EngineVersion": "1.3.2",
    }


def current_bundle(scope: str) -> Bundle | None:
    return Bundle.objects.filter(scope=scope).order_by("-version").first()


def bundle_document(bundle: Bundle) -> dict[str, Any]:
    """The signed document a device downloads ({"bundle", "kid", "sig"})."""
    document: dict[str, Any] = json.loads(bundle.document)
    return document


_RULESETS: dict[tuple[str, int], tuple[bundles.Bundle, RuleSet]] = {}


def opened_bundle(bundle: Bundle) -> tuple[bundles.Bundle, RuleSet]:
    """A stored bundle checked against its own signer and its rules compiled (kept per scope and version)."""
    cache_key = (bundle.scope, bundle.version)
    if cache_key not in _RULESETS:
        document = bundle_document(bundle)
        signer = SigningKey.objects.get(kid=bundle.kid)
        anchor = TrustEntry.from_certificate(bytes(signer.certificate), Usage.BUNDLE)
        opened = bundles.open_signed(document, TrustList([anchor]))
        ruleset = RuleSet(opened.rules, opened.value_sets, opened.timezone)
        _RULESETS.clear()  # one bundle per scope is in use; keep the cache small
        _RULESETS[cache_key] = (opened, ruleset)
    return _RULESETS[cache_key]


def verify_code(text: str, *, clock: Clock = now) -> Verification:
    """Server-side verification for devices that cannot verify offline."""
    at = clock()
    return verify(text, trust_list(at), at)


def kid_text(kid: bytes) -> str:
    return base64.b64encode(kid).decode("ascii")
