"""Publishing a scope's bundle from its rule file, and revocations that re-publish it at once.

Reached through `passes.services` (re-exported there). Decisions (docs/decisions/0023):
- A scope's rules are data in a file (checkpoints: phaodai/checkpoints/data/rules-s23.json). Publishing
  first installs every rule version of the file not yet stored (through save_rule, so each is checked
  and audited); a stored version whose content differs from the file is refused: raise the version.
- Publishing again without a change (same rules, trust list, value sets) makes no new version: a
  device would download the same thing under a new number. It publishes when something changed,
  when the held bundle is past its not-after, or when forced (to extend the not-after).
- A revocation is recorded in RevokedPass inside the revoking transaction and re-publishes the
  bundles that carry the list ("checkpoints", "markets") there too (same rules, same not-after, the
  new "revoked-passes"; a batch, such as a withdrawn market-pass scheme, once), so a device
  learns it with the next download and the server's verifier refuses the pass from that commit on.
  Without a bundle or a bundle key nothing is published; the server still refuses the pass (selectors.
  live_rules) and the next publication carries it.
- Revoking a key, or rotating the pass key, re-publishes every scope's bundle the same way with the
  trust list of that moment (republish_trust): devices learn keys only from bundles.
"""

import json
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from phaodai.core.clock import HANOI, Clock, now
from phaodai.core.errors import Conflict, InvalidInput
from phaodai.passes import bundles
from phaodai.passes.models import Bundle, PassRule, RevokedPass, SigningKey
from phaodai.passes.rules import RuleDefinitionError, check_rule
from phaodai.passes.selectors import (
    CHECKPOINTS,
    MARKETS,
    REVOKED_PASSES,
    current_bundle,
    revoked_pass_ids,
    rule_document,
    rules_in_force,
    trust_list,
)
from phaodai.passes.trust import parse_iso

logger = logging.getLogger(__name__)

RULE_FILES: Final[dict[str, Path]] = {
    CHECKPOINTS: Path(__file__).resolve().parents[1] / "checkpoints" / "data" / "rules-s23.json",
    MARKETS: Path(__file__).resolve().parents[1] / "markets" / "data" / "rules-markets.json",
}
# The scopes whose bundles carry the revoked pass ids, re-published at each revocation.
REVOKING_SCOPES: Final = (CHECKPOINTS, MARKETS)
DEFAULT_BUNDLE_DAYS: Final = 7
MAX_BUNDLE_DAYS: Final = 90
# Fields compared between a stored rule version and the file's (the engine fields are ours).
_COMPARED: Final = ("Type", "CertificateType", "AffectedFields", "Description", "Logic")
_REPUBLISH_ATTEMPTS: Final = 3


class RuleFileError(InvalidInput):
    code = "bad_rule_file"
    message = _("The rule file cannot be read or holds a bad rule.")


def _services() -> Any:
    # services re-exports this module's functions, so it is imported when they run, not before.
    from phaodai.passes import services

    return services


def read_rule_file(path: Path) -> list[dict[str, Any]]:
    """The rules of a file {"rules": [...]}, each checked as a device will read it."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RuleFileError(f"{Path(path).name}: {error}") from None
    rules = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(rules, list):
        raise RuleFileError(f'{Path(path).name}: expected {{"rules": [...]}}')
    for rule in rules:
        try:
            check_rule(rule)
        except (RuleDefinitionError, TypeError) as error:
            name = rule.get("Identifier", "?") if isinstance(rule, dict) else "?"
            raise RuleFileError(f"{name}: {error}") from None
    return rules


def _description(rule: dict[str, Any], language: str) -> str:
    return next((d["desc"] for d in rule["Description"] if d["lang"] == language), "")


def _same_rule(stored: PassRule, rule: dict[str, Any]) -> bool:
    document = rule_document(stored)
    return all(document[name] == rule[name] for name in _COMPARED) and (
        stored.valid_from,
        stored.valid_to,
    ) == (parse_iso(rule["ValidFrom"]), parse_iso(rule["ValidTo"]))


def install_rules(*, by: Any, scope: str, path: Path, clock: Clock = now) -> list[PassRule]:
    """Store the file's rule versions not stored yet; the new rows. A changed stored version is refused."""
    services = _services()
    services._require_signing(by)
    added = []
    for rule in read_rule_file(path):
        stored = PassRule.objects.filter(
            scope=scope, identifier=rule["Identifier"], version=rule["Version"]
        ).first()
        if stored is not None:
            if not _same_rule(stored, rule):
                raise RuleFileError(
                    f"{rule['Identifier']} {rule['Version']}: changed in the file; raise its Version"
                )
            continue
        added.append(
            services.save_rule(
                by=by,
                scope=scope,
                identifier=rule["Identifier"],
                version=rule["Version"],
                certificate_type=rule["CertificateType"],
                valid_from=parse_iso(rule["ValidFrom"]),
                valid_to=parse_iso(rule["ValidTo"]),
                description_vi=_description(rule, "vi"),
                description_en=_description(rule, "en"),
                logic=rule["Logic"],
                rule_type=rule["Type"],
                affected_fields=rule["AffectedFields"],
                clock=clock,
            )
        )
    return added


def _held(bundle: Bundle | None) -> dict[str, Any] | None:
    return None if bundle is None else json.loads(bundle.document)["bundle"]


def _unchanged(held: dict[str, Any] | None, candidate: dict[str, Any], at: datetime) -> bool:
    if held is None or parse_iso(held["not_after"]) <= at:
        return False
    return all(bundles.canonical({k: held[k]}) == bundles.canonical({k: candidate[k]}) for k in candidate)


def publish_scope(
    *,
    by: Any,
    scope: str,
    days: int = DEFAULT_BUNDLE_DAYS,
    force: bool = False,
    rules_file: Path | None = None,
    clock: Clock = now,
) -> tuple[Bundle, bool]:
    """Install the scope's rule file and publish its bundle if anything changed: (bundle, published)."""
    services = _services()
    services._require_signing(by)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_BUNDLE_DAYS:
        raise InvalidInput(_("A bundle runs 1 to %(days)s days.") % {"days": MAX_BUNDLE_DAYS}, field="days")
    at = clock()
    path = rules_file or RULE_FILES.get(scope)
    try:
        with transaction.atomic():
            if path is not None:
                install_rules(by=by, scope=scope, path=path, clock=clock)
            signer = SigningKey.objects.filter(
                purpose=SigningKey.Purpose.BUNDLES, status=SigningKey.Status.ACTIVE
            ).first()
            if signer is None:
                raise services.NoSigningKey()
            latest = current_bundle(scope)
            held = _held(latest)
            value_sets = dict(held["value_sets"]) if held else {}
            if scope in REVOKING_SCOPES:
                value_sets[REVOKED_PASSES] = revoked_pass_ids(at, scope)
            candidate = {
                "rules": rules_in_force(scope, at),
                "trust_list": trust_list(at).to_json(),
                "value_sets": value_sets,
                "timezone": HANOI.key,
            }
            if latest is not None and not force and _unchanged(held, candidate, at):
                return latest, False
            bundle = services._publish(
                by=by,
                scope=scope,
                not_after=at + timedelta(days=days),
                value_sets=value_sets,
                timezone=HANOI.key,
                signer=signer,
                at=at,
                clock=clock,
                rules=candidate["rules"],
            )
    except IntegrityError:
        raise Conflict() from None  # another publication of the scope took this version
    return bundle, True


def revoke_passes(*, by: Any, passes: list[tuple[str, str, datetime]], clock: Clock = now) -> int:
    """Put many passes (pass id, type, expiry) on the revocation list, then re-publish once; the count added.

    For a whole batch withdrawn at once (a market-pass scheme): one publication, not one per pass.
    """
    at = clock()
    wanted = {pass_id: (kind, expires) for pass_id, kind, expires in passes}
    known = set(RevokedPass.objects.filter(pass_id__in=list(wanted)).values_list("pass_id", flat=True))
    fresh = [
        RevokedPass(pass_id=pass_id, pass_type=kind, expires_at=expires, revoked_at=at)
        for pass_id, (kind, expires) in wanted.items()
        if pass_id not in known
    ]
    with transaction.atomic():
        RevokedPass.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=1000)
    if any(row.expires_at > at for row in fresh):
        _republish(by, at, clock)
    return len(fresh)


def revoke_pass(*, by: Any, pass_id: str, pass_type: str, expires_at: datetime, clock: Clock = now) -> bool:
    """Put a pass on the revocation list and re-publish the bundles that carry it; False if already on it.

    Called by the app that revoked the pass inside its own transaction (the caller checks who may).
    """
    at = clock()
    try:
        with transaction.atomic():
            _, created = RevokedPass.objects.get_or_create(
                pass_id=pass_id,
                defaults={"pass_type": pass_type, "expires_at": expires_at, "revoked_at": at},
            )
    except IntegrityError:
        return False  # revoked at the same moment by another request
    if created and expires_at > at:
        _republish(by, at, clock)
    return created


def republish_trust(*, by: Any, clock: Clock = now) -> None:
    """Every scope's bundle again with the trust list as it is now (a key revoked, a pass key rotated).

    Devices only learn a changed trust list from a bundle: without this they would keep trusting a
    revoked key offline, and refuse passes of a new key as unknown. Same rules and not-after.
    """
    at = clock()
    # order_by("scope"): the model's ordering by version would defeat distinct()
    scopes = Bundle.objects.order_by("scope").values_list("scope", flat=True).distinct()
    _republish(by, at, clock, scopes=list(scopes))


def _republish(by: Any, at: datetime, clock: Clock, scopes: Iterable[str] = REVOKING_SCOPES) -> None:
    """Each bundle of `scopes` again, with the revocations and trust list of now; skipped (logged) if not."""
    signer = SigningKey.objects.filter(
        purpose=SigningKey.Purpose.BUNDLES, status=SigningKey.Status.ACTIVE
    ).first()
    for scope in scopes:
        _republish_scope(by, scope, signer, at, clock)


def _with_revocations(value_sets: dict[str, Any], scope: str, at: datetime) -> dict[str, Any]:
    if scope not in REVOKING_SCOPES:
        return value_sets
    return {**value_sets, REVOKED_PASSES: revoked_pass_ids(at, scope)}


def _republish_scope(by: Any, scope: str, signer: SigningKey | None, at: datetime, clock: Clock) -> None:
    services = _services()
    for _attempt in range(_REPUBLISH_ATTEMPTS):
        held = _held(current_bundle(scope))
        if held is None:
            return  # nothing published yet: the first publication carries the list
        if signer is None:
            logger.warning("bundle not re-published: no active bundle key")
            return
        try:
            with transaction.atomic():
                services._publish(
                    by=by,
                    scope=scope,
                    not_after=parse_iso(held["not_after"]),
                    value_sets=_with_revocations(held["value_sets"], scope, at),
                    timezone=held["timezone"],
                    signer=signer,
                    at=at,
                    clock=clock,
                    rules=held["rules"],
                )
            return
        except IntegrityError:
            continue  # a concurrent publication took the version: build on it
        except services.BadBundle:
            logger.exception("bundle not re-published: the bundle cannot be signed")
            return
    logger.warning("bundle not re-published: the bundle kept changing")
