"""`phaodai audit verify`: walk the audit chain, name every break, exit 1 when it was tampered with."""

import argparse
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from phaodai.core import audit

_HASH = re.compile(r"[0-9a-f]{64}")


def _hash(value: str) -> str:
    if not _HASH.fullmatch(value):
        raise argparse.ArgumentTypeError(_("expected 64 lower-case hexadecimal digits"))
    return value


def _anchor(value: str) -> tuple[int, str]:
    entry_id, _sep, entry_hash = value.partition(":")
    if not entry_id.isascii() or not entry_id.isdigit():
        raise argparse.ArgumentTypeError(_("expected ENTRY_ID:HASH, as printed by an earlier verify"))
    return int(entry_id), _hash(entry_hash)


class Command(BaseCommand):
    help = "Audit log maintenance: `verify` checks the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify}")
        verify = commands.add_parser("verify", help="Recompute the hash chain and report every break.")
        verify.add_argument(
            "--anchor",
            type=_anchor,
            action="append",
            default=[],
            metavar="ENTRY_ID:HASH",
            help="A head printed by an earlier verify and kept outside the database; may repeat.",
        )
        verify.add_argument(
            "--start",
            type=_hash,
            default=audit.GENESIS,
            help="Previous hash of the oldest entry, recorded by the DBA at a retention purge.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify(start=options["start"], anchors=options["anchor"])

    def verify(self, *, start: str, anchors: list[tuple[int, str]]) -> None:
        walk = audit.ChainWalk(start=start)
        broken = 0
        for chain_break in walk.breaks():
            broken += 1
            self._report(chain_break)
        for entry_id, entry_hash in anchors:
            anchor_break = audit.check_anchor(entry_id, entry_hash)
            if anchor_break is not None:
                broken += 1
                self._report(anchor_break)
        if broken:
            found = ngettext("%(breaks)d break", "%(breaks)d breaks", broken) % {"breaks": broken}
            raise CommandError(
                _("Checked %(n)d entries: the audit log was tampered with (%(found)s).")
                % {"n": walk.checked, "found": found},
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(_("Checked %(n)d entries: the chain is intact.") % {"n": walk.checked})
        )
        if walk.head is not None:
            head_id, head_hash = walk.head
            self.stdout.write(
                _("Head: %(anchor)s (keep it outside the database; pass it later as --anchor).")
                % {"anchor": f"{head_id}:{head_hash}"}
            )

    def _report(self, chain_break: audit.ChainBreak) -> None:
        self.stdout.write(
            self.style.ERROR(
                _("Entry %(id)d: %(reason)s") % {"id": chain_break.entry_id, "reason": chain_break.reason}
            )
        )
