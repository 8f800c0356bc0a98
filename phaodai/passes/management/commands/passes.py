"""Signed passes from the command line.

- `passes verify-hcert --cert B64 --clock ISO`: verify the QR text on stdin against one certificate,
  print the steps as JSON. The certificate (base64 DER) is trusted for EU `HC1:` certificates (its
  extended key usages decide the kinds) and for our `PD1:` passes (every type).
  Exit status: 0 valid, 1 refused, 2 bad input.
- `passes verify --checkpoint CODE [--declaration-file F] [--clock ISO]`: decide the PD1 code on stdin
  at a checkpoint as the server does (live trust list and revocations, the current "checkpoints"
  bundle), print the decision JSON (passes.checking.Check.as_json, English). Nothing is logged.
  Exit status: 0 allowed, 1 denied, 2 bad input.
- `passes publish --scope checkpoints --user NAME [--days N] [--force]`: install the scope's rule file
  and publish its bundle, signed with the active bundle key, as NAME (a city commander; audited).
  Prints {"scope", "version", "published"}; an unchanged bundle is not published again.
"""

import base64
import binascii
import json
import sys
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from phaodai.checkpoints import selectors as checkpoints
from phaodai.core.errors import DomainError
from phaodai.passes import selectors, services
from phaodai.passes.codec import MAX_CODE_CHARS, verify
from phaodai.passes.payload import PassType
from phaodai.passes.trust import TrustEntry, TrustList, TrustListError, Usage, iso


class Command(BaseCommand):
    help = "Signed passes: verify-hcert, verify (a scan at a checkpoint), publish (a scope's bundle)."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{verify-hcert,verify,publish}"
        )
        check = commands.add_parser("verify-hcert", help="Verify the code on stdin; print the steps as JSON.")
        check.add_argument("--cert", required=True, help="The signer certificate, base64 of its DER.")
        check.add_argument("--clock", required=True, help="The validation time, ISO 8601 with an offset.")
        scan = commands.add_parser("verify", help="Decide the PD1 code on stdin at a checkpoint; print JSON.")
        scan.add_argument("--checkpoint", required=True, help="The checkpoint's code, e.g. CN-05.")
        scan.add_argument("--declaration-file", help="A file holding the holder's health declaration code.")
        scan.add_argument("--clock", help="The time of the check, ISO 8601 with an offset (default: now).")
        publish = commands.add_parser("publish", help="Install a scope's rules and publish its bundle.")
        publish.add_argument("--scope", required=True, help="The bundle scope, e.g. checkpoints.")
        publish.add_argument("--user", required=True, help="Who publishes (needs passes.manage_signing).")
        publish.add_argument("--days", type=int, default=7, help="Days until the bundle's not-after.")
        publish.add_argument("--force", action="store_true", help="Publish even if nothing changed.")

    def handle(self, *args: Any, **options: Any) -> None:
        stdin = options.get("stdin") or sys.stdin
        if options["subcommand"] == "verify-hcert":
            self.verify_hcert(options["cert"], options["clock"], stdin)
        elif options["subcommand"] == "verify":
            self.verify_scan(
                options["checkpoint"], options.get("declaration_file"), options.get("clock"), stdin
            )
        elif options["subcommand"] == "publish":
            self.publish(options["scope"], options["user"], options["days"], options["force"])

    def verify_scan(self, code: str, declaration_file: str | None, clock: str | None, stdin: Any) -> None:
        try:
            at = _clock(clock) if clock else datetime.now(UTC)
            checkpoint = checkpoints.checkpoint_by_code(code)
            if checkpoint is None:
                raise ValueError(f"no checkpoint has the code {code.strip()[:20]!r}")
            declaration = _declaration(declaration_file)
            text = _read(stdin)
        except ValueError as error:
            self._print({"error": {"code": "bad_input", "message": str(error)}})
            raise CommandError(str(error), returncode=2) from None
        bundle = selectors.current_bundle(selectors.CHECKPOINTS)
        if bundle is None:
            self._print({"error": {"code": "no_bundle", "message": "No checkpoints bundle is published."}})
            raise CommandError("no bundle", returncode=2)
        facts = selectors.checkpoint_facts(
            checkpoint.kind, checkpoint.code, (checkpoint.unit_path, checkpoint.other_side_path)
        )
        result = selectors.check_pass(text, declaration, bundle=bundle, checkpoint=facts, at=at)
        self._print({**result.as_json("en"), "checkpoint": facts, "clock": iso(at)})
        if not result.allowed:
            raise CommandError("denied", returncode=1)

    def publish(self, scope: str, username: str, days: int, force: bool) -> None:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            self._print({"error": {"code": "bad_input", "message": f"no active user {username[:50]!r}"}})
            raise CommandError("no such user", returncode=2)
        try:
            bundle, published = services.publish_scope(by=user, scope=scope, days=days, force=force)
        except DomainError as error:
            self._print({"error": {"code": error.code, "message": str(error.detail)}})
            raise CommandError(str(error.detail), returncode=1) from None
        self._print({"scope": bundle.scope, "version": bundle.version, "published": published})

    def verify_hcert(self, cert: str, clock: str, stdin: Any) -> None:
        try:
            trust = _trust(cert)
            at = _clock(clock)
            text = _read(stdin)
        except ValueError as error:
            self._print({"error": {"code": "bad_input", "message": str(error)}})
            raise CommandError(str(error), returncode=2) from None
        result = verify(text, trust, at)
        self._print(result.report())
        if not result.ok:
            raise CommandError(result.message or "refused", returncode=1)

    def _print(self, obj: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(obj, ensure_ascii=False))


def _trust(cert: str) -> TrustList:
    try:
        der = base64.b64decode(cert.strip(), validate=True)
        return TrustList(
            [
                TrustEntry.from_certificate(der, Usage.HCERT),
                TrustEntry.from_certificate(der, Usage.PASS, types=list(PassType)),
            ]
        )
    except (binascii.Error, TrustListError):
        raise ValueError("--cert must be the base64 of a DER X.509 certificate") from None


def _clock(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("--clock must be an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ValueError("--clock needs an offset, e.g. 2021-09-09T06:30:00+07:00")
    return moment


def _declaration(path: str | None) -> str | None:
    if not path:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_CODE_CHARS + 64)
        return data.decode("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise ValueError("--declaration-file must be a readable UTF-8 text file") from None


def _read(stdin: Any) -> str:
    """The code on stdin without the line break that ends it; at most a little more than any code."""
    stream = getattr(stdin, "buffer", stdin)
    data = stream.read(MAX_CODE_CHARS + 64)
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("stdin is not UTF-8 text") from None
    return str(data).strip("\r\n")
