"""Writes: rotate and revoke signing keys, import foreign signers, sign passes, author rules, publish bundles.

Every change to keys, signers, rules and bundles is audited in its transaction. Keys, rules and
bundles are city-wide: only a role with MANAGE_SIGNING (the city commander) changes them.
"""

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import HANOI, Clock, now
from phaodai.core.crypto import field_cipher
from phaodai.core.errors import Conflict, Duplicate, InvalidInput, NotPermitted
from phaodai.core.jurisdiction import paths_of
from phaodai.passes import bundles, keys
from phaodai.passes.codec import encode_pass
from phaodai.passes.models import Bundle, ForeignSigner, PassRule, SigningKey
from phaodai.passes.payload import PassPayload, PassType
from phaodai.passes.rules import RuleDefinitionError, check_rule
from phaodai.passes.selectors import MAX_PASS_LIFETIME, rule_document, rules_in_force, trust_list
from phaodai.passes.trust import TrustEntry, TrustListError, Usage, kid_of

# A key signs for a year; its certificate runs on for as long as the last pass it signed can live.
KEY_SIGNING_PERIOD: Final = timedelta(days=365)
DEFAULT_ISSUER: Final = "VN"


class NoSigningKey(Conflict):
    code = "no_signing_key"
    message = _("No active signing key: a city commander must create one first.")


class KeyCannotSign(InvalidInput):
    code = "key_cannot_sign"
    message = _("The active signing key may not sign this kind of pass.")


class PassLifetime(InvalidInput):
    code = "pass_lifetime"
    message = _("A pass must end in the future, within 90 days and before the signing key's certificate.")


class KeyNotActive(Conflict):
    code = "key_not_active"
    message = _("This key was already revoked.")


class BadCertificate(InvalidInput):
    code = "bad_certificate"
    message = _("This is not a DER X.509 signer certificate with an EC P-256 or RSA key.")


class BadRule(InvalidInput):
    code = "bad_rule"


class BadBundle(InvalidInput):
    code = "bad_bundle"
    message = _("The bundle cannot be published as it is.")


def _require_signing(by: Any) -> None:
    if not paths_of(by, Perm.MANAGE_SIGNING):
        raise NotPermitted()


def _aad(kid: str) -> bytes:
    # Binds the sealed key to its row: a sealed key copied onto another key's row does not open.
    return f"passes.signingkey:{kid}".encode()


def _key_state(key: SigningKey) -> dict[str, Any]:
    return {
        "kid": key.kid,
        "purpose": key.purpose,
        "status": key.status,
        "pass_types": key.pass_types,
        "valid_from": key.valid_from,
        "valid_to": key.valid_to,
    }


def rotate_key(
    *,
    by: Any,
    purpose: str,
    label: str,
    pass_types: Iterable[str] = (),
    clock: Clock = now,
) -> SigningKey:
    """A new active key for `purpose`; the previous one retires and stays trusted while its signatures live.

    Rotating the bundle key first re-publishes each scope's current bundle signed by the outgoing
    key with the incoming one in its trust list, so devices holding that bundle accept the next.
    Rotating the pass key re-publishes each scope's bundle with the incoming key in its trust list.
    """
    _require_signing(by)
    purpose = SigningKey.Purpose(purpose)
    types = sorted(set(pass_types))
    if purpose == SigningKey.Purpose.PASSES:
        if not types or not set(types) <= set(PassType):
            raise InvalidInput(_("Choose the pass types this key may sign."), field="pass_types")
    elif types:
        raise InvalidInput(_("A bundle key signs no passes."), field="pass_types")
    label = label.strip()
    if not label or len(label) > 100:
        raise InvalidInput(_("Give the key a name of up to 100 characters."), field="label")
    at = clock()
    private_key, certificate = keys.new_key(
        common_name=label, valid_from=at, valid_to=at + KEY_SIGNING_PERIOD + MAX_PASS_LIFETIME
    )
    kid = base64.b64encode(kid_of(certificate)).decode("ascii")
    try:
        with transaction.atomic():
            outgoing = SigningKey.objects.select_for_update().filter(purpose=purpose, status="active").first()
            if outgoing is not None:
                before = _key_state(outgoing)
                outgoing.status, outgoing.retired_at = SigningKey.Status.RETIRED, at
                outgoing.save(update_fields=["status", "retired_at", "updated_at"])
                audit.record(
                    actor=by,
                    action="passes.key_retired",
                    object_type="passes.signingkey",
                    object_id=outgoing.pk,
                    before=before,
                    after=_key_state(outgoing),
                    clock=clock,
                )
            incoming = SigningKey.objects.create(
                kid=kid,
                label=label,
                purpose=purpose,
                status=SigningKey.Status.ACTIVE,
                certificate=certificate,
                sealed_private_key=field_cipher().encrypt(
                    keys.private_pem(private_key), associated=_aad(kid)
                ),
                pass_types=types,
                valid_from=at,
                valid_to=at + KEY_SIGNING_PERIOD + MAX_PASS_LIFETIME,
                created_by=by if getattr(by, "pk", None) else None,
            )
            audit.record(
                actor=by,
                action="passes.key_created",
                object_type="passes.signingkey",
                object_id=incoming.pk,
                after=_key_state(incoming),
                clock=clock,
            )
            if purpose == SigningKey.Purpose.BUNDLES and outgoing is not None:
                _hand_over(by=by, outgoing=outgoing, at=at, clock=clock)
            elif purpose == SigningKey.Purpose.PASSES:
                # devices learn the new key only from a bundle: else its passes are unknown_kid offline
                republish_trust(by=by, clock=lambda: at)
    except IntegrityError:
        raise Conflict() from None  # another rotation of the same purpose won
    return incoming


def _hand_over(*, by: Any, outgoing: SigningKey, at: datetime, clock: Clock) -> None:
    # order_by("scope"): the model's ordering by version would make distinct() yield a scope per version
    scopes = Bundle.objects.order_by("scope").values_list("scope", flat=True).distinct()
    for scope in scopes:
        latest = Bundle.objects.filter(scope=scope).order_by("-version").first()
        assert latest is not None
        held = json.loads(latest.document)["bundle"]
        not_after = max(datetime.fromisoformat(held["not_after"]), at + timedelta(days=1))
        _publish(
            by=by,
            scope=scope,
            not_after=not_after,
            value_sets=held["value_sets"],
            timezone=held["timezone"],
            signer=outgoing,
            at=at,
            clock=clock,
        )


def revoke_key(*, by: Any, key: SigningKey, clock: Clock = now) -> SigningKey:
    """Take a key out of the trust list at once (it leaked): what it signed stops verifying."""
    _require_signing(by)
    with transaction.atomic():
        before = _key_state(key)
        changed = (
            SigningKey.objects.filter(pk=key.pk)
            .exclude(status=SigningKey.Status.REVOKED)
            .update(status=SigningKey.Status.REVOKED, retired_at=clock(), updated_at=clock())
        )
        if not changed:
            raise KeyNotActive()
        key.refresh_from_db()
        audit.record(
            actor=by,
            action="passes.key_revoked",
            object_type="passes.signingkey",
            object_id=key.pk,
            before=before,
            after=_key_state(key),
            clock=clock,
        )
    # decision 0023: out at once, offline too; devices only drop it with a bundle lacking it. After the
    # commit: a bundle that cannot be published must not undo the revocation of a leaked key.
    republish_trust(by=by, clock=clock)
    return key


def import_foreign_signer(
    *, by: Any, certificate: bytes | str, label: str, country: str = "", clock: Clock = now
) -> ForeignSigner:
    """Trust an EU DCC signer certificate (DER, or its base64) for checking HC1 certificates."""
    _require_signing(by)
    if isinstance(certificate, str):
        try:
            certificate = base64.b64decode(certificate.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise BadCertificate(field="certificate") from None
    try:
        entry = TrustEntry.from_certificate(certificate, Usage.HCERT)
    except TrustListError:
        raise BadCertificate(field="certificate") from None
    country = country.strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise InvalidInput(_("A country is two letters, e.g. DE."), field="country")
    label = label.strip()[:100] or country or "HC1"
    try:
        with transaction.atomic():
            signer = ForeignSigner.objects.create(
                kid=base64.b64encode(entry.kid).decode("ascii"),
                label=label,
                country=country,
                certificate=certificate,
                kinds=sorted(entry.types),
                valid_from=entry.valid_from,
                valid_to=entry.valid_to,
                created_by=by if getattr(by, "pk", None) else None,
            )
            audit.record(
                actor=by,
                action="passes.foreign_signer_added",
                object_type="passes.foreignsigner",
                object_id=signer.pk,
                after={"kid": signer.kid, "country": country, "kinds": signer.kinds},
                clock=clock,
            )
    except IntegrityError:
        raise Duplicate(_("This signer certificate is already trusted."), field="certificate") from None
    return signer


def set_foreign_signer_active(*, by: Any, signer: ForeignSigner, active: bool, clock: Clock = now) -> None:
    _require_signing(by)
    with transaction.atomic():
        ForeignSigner.objects.filter(pk=signer.pk).update(active=active, updated_at=clock())
        audit.record(
            actor=by,
            action="passes.foreign_signer_" + ("enabled" if active else "disabled"),
            object_type="passes.foreignsigner",
            object_id=signer.pk,
            before={"active": signer.active},
            after={"active": active},
            clock=clock,
        )
    signer.active = active


def _open_private_key(key: SigningKey) -> Any:
    pem = field_cipher().decrypt(key.sealed_private_key, associated=_aad(key.kid))
    return keys.load_private(pem)


def sign_pass(*, payload: PassPayload, clock: Clock = now) -> str:
    """The `PD1:` code of a pass, signed with the active pass key (the caller checks who may issue)."""
    key = SigningKey.objects.filter(
        purpose=SigningKey.Purpose.PASSES, status=SigningKey.Status.ACTIVE
    ).first()
    if key is None:
        raise NoSigningKey()
    if str(payload.type) not in key.pass_types:
        raise KeyCannotSign()
    at = clock()
    if not at < payload.valid_to <= min(key.valid_to, at + MAX_PASS_LIFETIME):
        raise PassLifetime(field="valid_to")
    return encode_pass(
        payload,
        private_key=_open_private_key(key),
        kid=base64.b64decode(key.kid),
        issuer=getattr(settings, "PHAODAI_PASS_ISSUER", DEFAULT_ISSUER),
        issued_at=at,
    )


def save_rule(
    *,
    by: Any,
    scope: str,
    identifier: str,
    version: str,
    certificate_type: str,
    valid_from: datetime,
    valid_to: datetime,
    description_vi: str,
    description_en: str,
    logic: Any,
    rule_type: str = PassRule.Type.ACCEPTANCE,
    affected_fields: Iterable[str] = (),
    clock: Clock = now,
) -> PassRule:
    """A new rule (or a new version of one), its fields and logic checked as a device will read them."""
    _require_signing(by)
    rule = PassRule(
        scope=scope.strip(),
        identifier=identifier.strip(),
        rule_type=rule_type,
        version=version.strip(),
        certificate_type=certificate_type.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        affected_fields=list(affected_fields),
        description_vi=description_vi.strip(),
        description_en=description_en.strip(),
        logic=logic,
        created_by=by if getattr(by, "pk", None) else None,
    )
    if not rule.scope or len(rule.scope) > 40:
        raise InvalidInput(_("Name the bundle scope (up to 40 characters)."), field="scope")
    if not rule.description_vi or not rule.description_en:
        raise InvalidInput(_("Describe the rule in Vietnamese and in English."), field="description_vi")
    try:
        check_rule(rule_document(rule))
        bundles.canonical({"logic": logic})
    except (RuleDefinitionError, ValueError) as error:
        raise BadRule(str(error), field="logic") from None
    try:
        with transaction.atomic():
            rule.save()
            audit.record(
                actor=by,
                action="passes.rule_saved",
                object_type="passes.passrule",
                object_id=rule.pk,
                after=rule_document(rule),
                clock=clock,
            )
    except IntegrityError:
        raise Duplicate(_("This rule version exists already; raise the version."), field="version") from None
    return rule


def publish_bundle(
    *,
    by: Any,
    scope: str,
    not_after: datetime,
    value_sets: Mapping[str, Any] | None = None,
    clock: Clock = now,
) -> Bundle:
    """Sign and store the next version of a scope's bundle: its rules in force, the trust list, value sets."""
    _require_signing(by)
    at = clock()
    if not_after <= at:
        raise InvalidInput(_("The not-after date must be in the future."), field="not_after")
    signer = SigningKey.objects.filter(
        purpose=SigningKey.Purpose.BUNDLES, status=SigningKey.Status.ACTIVE
    ).first()
    if signer is None:
        raise NoSigningKey()
    if value_sets is None:
        latest = Bundle.objects.filter(scope=scope).order_by("-version").first()
        value_sets = json.loads(latest.document)["bundle"]["value_sets"] if latest else {}
    try:
        with transaction.atomic():
            return _publish(
                by=by,
                scope=scope,
                not_after=not_after,
                value_sets=value_sets,
                timezone=HANOI.key,
                signer=signer,
                at=at,
                clock=clock,
            )
    except IntegrityError:
        raise Conflict() from None  # another publication of the scope took this version


def _publish(
    *,
    by: Any,
    scope: str,
    not_after: datetime,
    value_sets: Mapping[str, Any],
    timezone: str,
    signer: SigningKey,
    at: datetime,
    clock: Clock,
    rules: list[dict[str, Any]] | None = None,
) -> Bundle:
    """The next version of the scope's bundle: `rules` (default: the scope's rules in force), signed."""
    latest = Bundle.objects.select_for_update().filter(scope=scope).order_by("-version").first()
    version = latest.version + 1 if latest else 1
    if rules is None:
        rules = rules_in_force(scope, at)
    content = bundles.build(
        scope=scope,
        version=version,
        issued_at=at,
        not_after=not_after,
        timezone=timezone,
        trust=trust_list(at),
        value_sets=value_sets,
        rules=rules,
    )
    try:
        signed = bundles.sign(
            content, private_key=_open_private_key(signer), kid=base64.b64decode(signer.kid)
        )
    except ValueError as error:
        raise BadBundle(str(error)) from None
    bundle = Bundle.objects.create(
        scope=scope,
        version=version,
        issued_at=at,
        not_after=not_after,
        document=json.dumps(signed, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        kid=signer.kid,
        published_by=by if getattr(by, "pk", None) else None,
    )
    audit.record(
        actor=by,
        action="passes.bundle_published",
        object_type="passes.bundle",
        object_id=bundle.pk,
        after={"scope": scope, "version": version, "kid": signer.kid, "rules": len(rules)},
        clock=clock,
    )
    return bundle


# Publishing a scope from its rule file, and revocations (publication.py), through this module.
from phaodai.passes.publication import (  # noqa: E402,F401  (re-exported)
    RULE_FILES,
    RuleFileError,
    install_rules,
    publish_scope,
    republish_trust,
    revoke_pass,
    revoke_passes,
)
