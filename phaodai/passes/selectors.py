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
from phaodai.passes import bundles, checking
from phaodai.passes.codec import Verification, verify
from phaodai.passes.models import Bundle, ForeignSigner, PassRule, RevokedPass, SigningKey
from phaodai.passes.payload import PassType
from phaodai.passes.rules import RuleSet
from phaodai.passes.trust import TrustEntry, TrustList, Usage, iso

# The bundle scope checkpoint devices download, and its value set of revoked pass ids.
CHECKPOINTS: Final = "checkpoints"
# The bundle scope market gate devices download (the markets rule set, issue #8).
MARKETS: Final = "markets"
REVOKED_PASSES: Final = "revoked-passes"
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


def rules_in_force(scope: str, at: datetime) -> list[dict[str, Any]]:
    """The scope's rules not lapsed at `at`, as a bundle carries them (every version: devices choose)."""
    return [rule_document(rule) for rule in PassRule.objects.filter(scope=scope, valid_to__gt=at)]


def current_bundle(scope: str) -> Bundle | None:
    return Bundle.objects.filter(scope=scope).order_by("-version").first()


def bundle_document(bundle: Bundle) -> dict[str, Any]:
    """The signed document a device downloads ({"bundle", "kid", "sig"})."""
    document: dict[str, Any] = json.loads(bundle.document)
    return document


_RULESETS: dict[tuple[str, int, str, datetime], tuple[bundles.Bundle, RuleSet]] = {}


def opened_bundle(bundle: Bundle) -> tuple[bundles.Bundle, RuleSet]:
    """A stored bundle checked against its own signer and its rules compiled (kept per scope and version)."""
    # Signer and signing time too: a restored or test database may reuse a scope's version number.
    cache_key = (bundle.scope, bundle.version, bundle.kid, bundle.issued_at)
    if cache_key not in _RULESETS:
        document = bundle_document(bundle)
        signer = SigningKey.objects.get(kid=bundle.kid)
        anchor = TrustEntry.from_certificate(bytes(signer.certificate), Usage.BUNDLE)
        opened = bundles.open_signed(document, TrustList([anchor]))
        ruleset = RuleSet(opened.rules, opened.value_sets, opened.timezone)
        _RULESETS.clear()  # one bundle per scope is in use; keep the cache small
        _RULESETS[cache_key] = (opened, ruleset)
    return _RULESETS[cache_key]


def revoked_pass_ids(at: datetime, scope: str | None = None) -> list[str]:
    """Pass ids revoked before they expired and not expired yet at `at` (what devices must refuse).

    A scope's bundle carries only what its devices may be shown: market gates the market passes, road
    checkpoints every other kind (a withdrawn market-pass scheme can revoke a whole ward's passes).
    """
    rows = RevokedPass.objects.filter(expires_at__gt=at).order_by("pass_id")
    if scope == MARKETS:
        rows = rows.filter(pass_type=PassType.MARKET)
    elif scope == CHECKPOINTS:
        rows = rows.exclude(pass_type=PassType.MARKET)
    return list(rows.values_list("pass_id", flat=True))


_LIVE: dict[tuple[str, int, str, datetime, tuple[str, ...]], RuleSet] = {}


def live_rules(bundle: Bundle, at: datetime) -> tuple[bundles.Bundle, RuleSet]:
    """A stored bundle with its rules compiled, its "revoked-passes" joined by any revocation it lacks.

    A revocation re-publishes the bundle in its own transaction (services.revoke_pass), so this
    usually is the bundle as signed; when it could not be (no bundle key), the server still refuses
    the revoked pass at once.
    """
    opened, ruleset = opened_bundle(bundle)
    held = opened.value_sets.get(REVOKED_PASSES) or []
    missing = tuple(sorted(set(revoked_pass_ids(at, bundle.scope)) - set(held)))
    if not missing:
        return opened, ruleset
    cache_key = (bundle.scope, bundle.version, bundle.kid, bundle.issued_at, missing)
    if cache_key not in _LIVE:
        _LIVE.clear()
        value_sets = {**opened.value_sets, REVOKED_PASSES: sorted({*held, *missing})}
        _LIVE[cache_key] = RuleSet(opened.rules, value_sets, opened.timezone)
    return opened, _LIVE[cache_key]


# external.checkpoint of a checkpoint: its kind, code and the unit codes where it stands.
checkpoint_facts = checking.checkpoint_facts


def check_pass(
    code: str,
    declaration: str | None,
    *,
    bundle: Bundle,
    checkpoint: dict[str, Any],
    at: datetime,
) -> checking.Check:
    """A scan decided on the server: the live trust list and revocations, the bundle's rules."""
    opened, ruleset = live_rules(bundle, at)
    return checking.check(
        code,
        declaration,
        trust=trust_list(at),
        rules=ruleset,
        notes=checking.note_identifiers(opened.rules),
        checkpoint=checkpoint,
        clock=at,
        bundle_version=bundle.version,
    )


def verify_code(text: str, *, clock: Clock = now) -> Verification:
    """Server-side verification for devices that cannot verify offline."""
    at = clock()
    return verify(text, trust_list(at), at)


def kid_text(kid: bytes) -> str:
    return base64.b64encode(kid).decode("ascii")
