"""`phaodai passes verify-hcert --cert B64 --clock ISO`: verify the QR text on stdin, print the steps as JSON.

The certificate (base64 DER) is trusted for EU `HC1:` certificates (its extended key usages decide
the kinds) and for our `PD1:` passes (every type). Exit status: 0 valid, 1 refused, 2 bad input.
"""

import base64
import binascii
import json
import sys
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phaodai.passes.codec import MAX_CODE_CHARS, verify
from phaodai.passes.payload import PassType
from phaodai.passes.trust import TrustEntry, TrustList, TrustListError, Usage


class Command(BaseCommand):
    help = "Signed passes: `verify-hcert` checks a PD1:/HC1: code read from stdin against one certificate."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify-hcert}")
        check = commands.add_parser("verify-hcert", help="Verify the code on stdin; print the steps as JSON.")
        check.add_argument("--cert", required=True, help="The signer certificate, base64 of its DER.")
        check.add_argument("--clock", required=True, help="The validation time, ISO 8601 with an offset.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify-hcert":
            self.verify_hcert(options["cert"], options["clock"], options.get("stdin") or sys.stdin)

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
