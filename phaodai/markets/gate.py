"""The market gate (issue #8, point 4): decide a scan, keep every entry, one first use per single-use pass.

A check at the gate (`check_at_gate`), on the server, at its clock:
1. who: markets.gate over the market's ward (403 without it anywhere, 404 logged outside it);
2. the code, through passes.selectors.check_pass with the "markets" bundle: the signature first
   (nothing of a code whose signature fails is trusted, not even its pass id), then the markets rule
   set (data/rules-markets.json: the signed window, which is the slot widened by the scheme's
   tolerance, so it is the hour check; this market or any of its ward; not revoked);
3. the market's own state: a closed market lets nobody in;
4. single use: the first accepted entry of a single-use pass inserts its PassUse row (unique on the
   pass id); whoever loses that insert — a second scan, another gate at the same moment — is refused
   with "already_used", the time and the market of the first use.
Every scan is a GateEntry (allowed or not, with the reason), idempotent on `entry_key`: a retry returns
the recorded answer and writes nothing.

A device that decided offline sends its entries later (`sync_entries`): each is kept as the device
decided it (synced), and a single-use pass found used elsewhere or earlier is flagged (double_use,
first_used_at) on the later of the two entries. `inside_now` counts who is inside.
See docs/decisions/0027-market-gate.md.
"""

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now
from phaodai.core.errors import Conflict, InvalidInput, NotPermitted
from phaodai.core.jurisdiction import paths_of, require_within
from phaodai.markets.models import GateEntry, Market, MarketPass, PassUse, Scheme
from phaodai.markets.selectors import market_for
from phaodai.passes import selectors as passes
from phaodai.passes.messages import MESSAGES as CODEC_MESSAGES

ALLOWED: Final = "allowed"
DENIED: Final = "denied"
IN: Final = GateEntry.Direction.IN
OUT: Final = GateEntry.Direction.OUT
# The gate's own refusals (the codec's and the rules' come with theirs).
ALREADY_USED: Final = "already_used"
MARKET_CLOSED: Final = "market_closed"
PASS_REVOKED: Final = "pass_revoked"  # noqa: S105 (a refusal code)
# An offline entry that names a pass of another market or ward, or scanned outside the pass's window:
# kept as the device sent it, but refused and never linked to that pass or its household.
PASS_MISMATCH: Final = "pass_mismatch"  # noqa: S105 (a refusal code)
GATE_MESSAGES: Final = {
    ALREADY_USED: _("This single-use pass has already been used."),
    MARKET_CLOSED: _("This market is closed."),
    PASS_REVOKED: _("This market pass has been revoked."),
    PASS_MISMATCH: _("This entry names a pass of another market, ward or hour."),
}
ENTRY_KEY: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
DEVICE: Final = re.compile(r"[A-Za-z0-9._:-]{0,64}")
PASS_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,39}")
MAX_SYNC: Final = 500
# A device clock this far ahead of the server's is not believed (as the codec's iat check).
CLOCK_SKEW: Final = timedelta(minutes=5)
# Without exit scans a visitor counts as inside for a slot and its margin (defaults of a scheme).
DEFAULT_STAY: Final = timedelta(minutes=60 + 15)
ENTRY_TYPE: Final = "markets.gateentry"
MARKET_TYPE: Final = "markets.market"


class NoMarketBundle(Conflict):
    code = "no_bundle"
    message = _("No market rule bundle is published: a city commander must publish the 'markets' scope.")


class EntryKeyReused(Conflict):
    code = "entry_key_reused"
    message = _("This entry key was already used for another scan.")


@dataclass(frozen=True)
class Reason:
    """Why a scan was refused: a stable code with its text in Vietnamese and English."""

    code: str
    vi: str
    en: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "vi": self.vi, "en": self.en}


@dataclass(frozen=True)
class GateResult:
    """The answer at the gate; `entry` is the recorded GateEntry (the same one on a retry)."""

    decision: str
    reasons: tuple[Reason, ...]
    entry: GateEntry
    holder: Mapping[str, Any] | None = None
    hours: tuple[str, str] | None = None
    first_used_at: datetime | None = None
    first_used_market: str | None = None
    inside_now: int = 0
    duplicate: bool = False

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED


@dataclass(frozen=True)
class OfflineEntry:
    """One scan as a device decided it with no network."""

    entry_key: str
    scanned_at: datetime
    allowed: bool
    pass_id: str = ""
    reason: str = ""
    direction: str = IN
    device: str = ""


@dataclass(frozen=True)
class Flagged:
    """A single-use pass used twice: the later entry, and when and where the first use was."""

    entry_key: str
    pass_id: str
    first_used_at: datetime
    first_used_market: str


@dataclass(frozen=True)
class SyncResult:
    created: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    rejected: tuple[tuple[str, str], ...] = ()  # (entry key, why)
    flagged: tuple[Flagged, ...] = field(default=())


# Facts and reasons -----------------------------------------------------------------------------------


def gate_facts(market: Market) -> dict[str, Any]:
    """external.checkpoint for the markets rules: kind, code, units, and the ward's any-market token."""
    facts = passes.checkpoint_facts("market", market.code, (market.unit_path,))
    facts["ward_pass"] = "*" + market.unit_path.strip("/").split("/")[-1]
    return facts


def _reason(code: str, descriptions: Mapping[str, str] | None = None) -> Reason:
    """A reason in both languages: a rule's own descriptions, or a message of the gate or the codec."""
    if descriptions is not None:
        return Reason(code, descriptions.get("vi") or code, descriptions.get("en") or code)
    message = GATE_MESSAGES.get(code) or CODEC_MESSAGES.get(code)
    if message is None:
        return Reason(code, code, code)
    texts = {}
    for language in ("vi", "en"):
        with translation.override(language):
            texts[language] = str(message)
    return Reason(code, texts["vi"], texts["en"])


def _check_code(market: Market, code: Any, at: datetime) -> tuple[Any, list[Reason]]:
    """The pass check with the markets bundle: (the check, its reasons)."""
    if not isinstance(code, str):
        raise InvalidInput(_("Send the scanned code as text."), field="code")
    bundle = passes.current_bundle(passes.MARKETS)
    if bundle is None:
        raise NoMarketBundle()
    result = passes.check_pass(code.strip(), None, bundle=bundle, checkpoint=gate_facts(market), at=at)
    if result.error is not None:
        return result, [_reason(result.error)]
    return result, [_reason(o.identifier, o.descriptions) for o in result.failed]


def _authentic_pass_id(result: Any) -> str:
    """The pass id, only when the signature held (an unauthenticated code names nothing)."""
    verification = result.verification
    if verification is None or verification.signature_ok is not True:
        return ""
    pass_id = result.pass_id or ""
    return pass_id if PASS_ID.fullmatch(pass_id) else ""


# Inputs ----------------------------------------------------------------------------------------------


def _entry_key(key: Any) -> str:
    if key is None or key == "":
        return f"srv-{uuid.uuid4().hex}"
    if not isinstance(key, str) or not ENTRY_KEY.fullmatch(key):
        raise InvalidInput(
            _("An entry key is 1 to 100 letters, digits, dots, colons, underscores or dashes."),
            field="entry_key",
        )
    return key


def _device(device: Any) -> str:
    if not isinstance(device, str) or not DEVICE.fullmatch(device):
        raise InvalidInput(
            _("A device id is up to 64 letters, digits, dots, colons or dashes."), field="device"
        )
    return device


def _scanned_at(scanned_at: Any, at: datetime) -> datetime:
    if scanned_at is None:
        return at
    if not isinstance(scanned_at, datetime) or scanned_at.tzinfo is None:
        raise InvalidInput(_("Give the scan time with its UTC offset."), field="scanned_at")
    if scanned_at > at + CLOCK_SKEW:
        raise InvalidInput(_("The scan time is in the future: check the device's clock."), field="scanned_at")
    return scanned_at


def market_at_gate(user: Any, code: str) -> Market:
    """The market whose gate the user checks: 403 without markets.gate anywhere, 404 (logged) outside."""
    if not paths_of(user, Perm.CHECK_MARKET_GATE):
        raise NotPermitted()
    return market_for(user, code, perm=Perm.CHECK_MARKET_GATE)


def single_use_in_force(market: Market, day: date) -> bool:
    """Whether the passes of the market's ward are single-use that day (a device cannot tell from a pass).

    True when any scheme in force is single-use, or none is: refusing a second entry is the safe side.
    """
    flags = set(
        Scheme.objects.filter(unit_path=market.unit_path, starts_on__lte=day, ends_on__gte=day)
        .exclude(status=Scheme.Status.WITHDRAWN)
        .values_list("single_use", flat=True)
    )
    return flags != {False}


def _require_gate(by: Any, market: Market) -> None:
    require_within(
        by, Perm.CHECK_MARKET_GATE, path=market.unit_path, object_type=MARKET_TYPE, object_id=market.pk
    )


def _pass_of(pass_id: str) -> MarketPass | None:
    if not pass_id:
        return None
    return MarketPass.objects.filter(pass_id=pass_id).select_related("scheme").first()


def _create_use(entry: GateEntry, market: Market) -> None:
    PassUse.objects.create(pass_id=entry.pass_id, entry=entry, used_at=entry.scanned_at, market=market)


# The check ---------------------------------------------------------------------------------------------


def check_at_gate(
    *,
    by: Any,
    market: Market,
    code: Any,
    scanned_at: datetime | None = None,
    device: str = "",
    entry_key: str | None = None,
    direction: str = IN,
    clock: Clock = now,
) -> GateResult:
    """Decide one scan at `market`'s gate and record it; see the module's docstring."""
    _require_gate(by, market)
    key = _entry_key(entry_key)
    device = _device(device)
    if direction not in (IN, OUT):
        raise InvalidInput(_("The direction is in or out."), field="direction")
    at = clock()
    scanned = _scanned_at(scanned_at, at)
    recorded = GateEntry.objects.filter(entry_key=key).first()
    result, reasons = _check_code(market, code, at)
    pass_id = _authentic_pass_id(result)
    if recorded is not None:
        if recorded.pass_id != pass_id:
            raise EntryKeyReused(field="entry_key")  # the key of another scan: never its answer
        return replace(
            _retried(recorded, market, clock), holder=result.holder(), hours=_hours(result.payload)
        )
    market_pass = _pass_of(pass_id)
    if result.allowed and market_pass is not None and market_pass.revoked_at is not None:
        reasons.append(_reason(PASS_REVOKED))
    if direction == IN and market.status != Market.Status.OPEN:
        reasons.append(_reason(MARKET_CLOSED))
    if direction == OUT and pass_id:
        reasons = []  # leaving is never refused; the scan only counts the exit
    if not pass_id and not reasons:
        reasons.append(_reason("bad_payload"))  # authentic, but no pass id the log can keep
    single_use = market_pass.scheme.single_use if market_pass is not None else True
    entry = GateEntry(
        market=market,
        unit_path=market.unit_path,
        direction=direction,
        pass_id=pass_id,
        market_pass=market_pass,
        household_id=market_pass.household_id if market_pass is not None else None,
        scanned_at=scanned,
        allowed=not reasons and bool(pass_id),
        reason=reasons[0].code[:40] if reasons else "",
        device=device,
        entry_key=key,
        recorded_by=by,
    )
    first_use: PassUse | None = None
    try:
        with transaction.atomic():
            entry.save()
            if entry.allowed and direction == IN and single_use:
                first_use = _claim_first_use(entry, market)
                if first_use is not None:
                    reasons.append(_reason(ALREADY_USED))
            _audit(by, entry, clock)
    except IntegrityError:
        # The same entry key at the same moment (a retry racing itself): the recorded answer wins.
        recorded = GateEntry.objects.filter(entry_key=key).first()
        if recorded is None:
            raise
        return _retried(recorded, market, clock)
    return GateResult(
        decision=ALLOWED if entry.allowed else DENIED,
        reasons=tuple(reasons),
        entry=entry,
        holder=result.holder(),
        hours=_hours(result.payload),
        first_used_at=first_use.used_at if first_use is not None else None,
        first_used_market=first_use.market.code if first_use is not None else None,
        inside_now=inside_now(market, clock=clock),
    )


def _claim_first_use(entry: GateEntry, market: Market) -> PassUse | None:
    """Insert the pass's PassUse for this entry; None if it won, else the first use (the entry refused)."""
    try:
        with transaction.atomic():
            _create_use(entry, market)
        return None
    except IntegrityError:
        pass  # another entry holds the first use
    first = PassUse.objects.select_related("market").get(pass_id=entry.pass_id)
    entry.allowed = False
    entry.reason = ALREADY_USED
    entry.first_used_at = first.used_at
    entry.save(update_fields=["allowed", "reason", "first_used_at", "updated_at"])
    return first


def _audit(by: Any, entry: GateEntry, clock: Clock) -> None:
    audit.record(
        actor=by,
        action="markets.gate_entry",
        object_type=ENTRY_TYPE,
        object_id=entry.pk,
        unit_path=entry.unit_path,
        after={
            "market": entry.market_id,
            "pass_id": entry.pass_id,
            "direction": entry.direction,
            "allowed": entry.allowed,
            "reason": entry.reason,
            "synced": entry.synced,
            "double_use": entry.double_use,
        },
        clock=clock,
    )


def _hours(payload: Mapping[str, Any] | None) -> tuple[str, str] | None:
    hours = None if payload is None else payload.get("hr")
    if isinstance(hours, list) and len(hours) == 2 and all(isinstance(h, str) for h in hours):
        return hours[0], hours[1]
    return None


def _retried(recorded: GateEntry, market: Market, clock: Clock) -> GateResult:
    """A retry of a recorded scan: its recorded answer, nothing written."""
    if recorded.market_id != market.pk:
        raise EntryKeyReused(field="entry_key")
    first = PassUse.objects.filter(pass_id=recorded.pass_id).select_related("market").first()
    shows_first = recorded.reason == ALREADY_USED or recorded.double_use
    reasons = () if recorded.allowed or not recorded.reason else (_reason(recorded.reason),)
    return GateResult(
        decision=ALLOWED if recorded.allowed else DENIED,
        reasons=reasons,
        entry=recorded,
        first_used_at=recorded.first_used_at,
        first_used_market=first.market.code if first is not None and shows_first else None,
        inside_now=inside_now(market, clock=clock),
        duplicate=True,
    )


# Offline entries ---------------------------------------------------------------------------------------


def _offline_problem(item: OfflineEntry, at: datetime) -> str | None:
    if not isinstance(item.entry_key, str) or not ENTRY_KEY.fullmatch(item.entry_key):
        return "entry_key"
    if not isinstance(item.scanned_at, datetime) or item.scanned_at.tzinfo is None:
        return "scanned_at"
    if item.scanned_at > at + CLOCK_SKEW:
        return "scanned_at"
    if item.direction not in (IN, OUT):
        return "direction"
    if item.pass_id and not PASS_ID.fullmatch(item.pass_id):
        return "pass_id"
    if item.allowed and not item.pass_id:
        return "pass_id"
    if not isinstance(item.reason, str) or len(item.reason) > 40:
        return "reason"
    if not isinstance(item.device, str) or not DEVICE.fullmatch(item.device):
        return "device"
    return None


def sync_entries(
    *, by: Any, market: Market, entries: Iterable[OfflineEntry], clock: Clock = now
) -> SyncResult:
    """Keep a device's offline entries as it decided them; flag single-use passes used twice."""
    _require_gate(by, market)
    items = list(entries)
    if len(items) > MAX_SYNC:
        raise InvalidInput(_("At most %(n)s entries at once.") % {"n": MAX_SYNC}, field="entries")
    at = clock()
    created: list[str] = []
    duplicates: list[str] = []
    rejected: list[tuple[str, str]] = []
    flagged: list[Flagged] = []
    for item in sorted(items, key=lambda i: i.scanned_at if isinstance(i.scanned_at, datetime) else at):
        problem = _offline_problem(item, at)
        if problem is not None:
            rejected.append((str(item.entry_key)[:100], problem))
            continue
        known = GateEntry.objects.filter(entry_key=item.entry_key).first()
        if known is not None:
            if known.market_id != market.pk or known.pass_id != item.pass_id:
                rejected.append((item.entry_key, "entry_key_reused"))
            else:
                duplicates.append(item.entry_key)
            continue
        try:
            with transaction.atomic():
                entry, flag = _store_offline(by, market, item, clock)
        except IntegrityError:
            duplicates.append(item.entry_key)  # the same entry synced at the same moment by a retry
            continue
        created.append(entry.entry_key)
        if flag is not None:
            flagged.append(flag)
    return SyncResult(tuple(created), tuple(duplicates), tuple(rejected), tuple(flagged))


def _store_offline(
    by: Any, market: Market, item: OfflineEntry, clock: Clock
) -> tuple[GateEntry, Flagged | None]:
    market_pass = _pass_of(item.pass_id)
    allowed, reason = item.allowed, item.reason
    if market_pass is not None and not _fits(market_pass, market, item.scanned_at):
        market_pass = None  # never linked to another ward's, market's or hour's pass and household
        if allowed:
            allowed, reason = False, PASS_MISMATCH
    elif allowed and item.direction == IN and market.status != Market.Status.OPEN:
        allowed, reason = False, MARKET_CLOSED  # a device that did not know yet: not a visit
    entry = GateEntry.objects.create(
        market=market,
        unit_path=market.unit_path,
        direction=item.direction,
        pass_id=item.pass_id,
        market_pass=market_pass,
        household_id=market_pass.household_id if market_pass is not None else None,
        scanned_at=item.scanned_at,
        allowed=allowed,
        reason=reason,
        device=item.device,
        entry_key=item.entry_key,
        synced=True,
        recorded_by=by,
    )
    flag = None
    single_use = market_pass.scheme.single_use if market_pass is not None else True
    if entry.allowed and entry.direction == IN and single_use:
        flag = _reconcile_use(entry, market)
    _audit(by, entry, clock)
    if flag is not None and flag.entry_key != entry.entry_key:
        # An entry recorded earlier lost the first use to this one: its change is audited too.
        _audit(by, GateEntry.objects.get(entry_key=flag.entry_key), clock)
    return entry, flag


def _fits(market_pass: MarketPass, market: Market, scanned_at: datetime) -> bool:
    """Whether a device's entry can be this pass's: this market (or any of its ward), within its window.

    The device's word is trusted for what it saw, never to touch another ward's pass or household.
    """
    margin = timedelta(minutes=market_pass.scheme.tolerance_minutes)
    return (
        market_pass.unit_path == market.unit_path
        and market_pass.market_id in (None, market.pk)
        and market_pass.slot_start - margin <= scanned_at <= market_pass.slot_end + margin
    )


def _reconcile_use(entry: GateEntry, market: Market) -> Flagged | None:
    """The earlier of two allowed entries keeps the first use; the later one is flagged."""
    try:
        with transaction.atomic():
            _create_use(entry, market)
        return None
    except IntegrityError:
        pass
    first = PassUse.objects.select_related("market", "entry").get(pass_id=entry.pass_id)
    if entry.scanned_at < first.used_at:
        # The device's entry came first: it takes the use (one winner if two syncs race);
        # the other entry is the double use.
        taken = PassUse.objects.filter(pk=first.pk, used_at__gt=entry.scanned_at).update(
            entry=entry, used_at=entry.scanned_at, market=market
        )
        if taken:
            later = first.entry
            _flag(later, entry.scanned_at)
            return Flagged(later.entry_key, entry.pass_id, entry.scanned_at, market.code)
        first.refresh_from_db()
    _flag(entry, first.used_at)
    return Flagged(entry.entry_key, entry.pass_id, first.used_at, first.market.code)


def _flag(entry: GateEntry, first_used_at: datetime) -> None:
    GateEntry.objects.filter(pk=entry.pk).update(double_use=True, first_used_at=first_used_at)
    entry.double_use = True
    entry.first_used_at = first_used_at


# Who is inside -----------------------------------------------------------------------------------------


def stay_of(market: Market, day: Any) -> timedelta:
    """How long a visitor counts as inside without an exit scan: the longest slot and margin in force."""
    in_force = Scheme.objects.filter(unit_path=market.unit_path, starts_on__lte=day, ends_on__gte=day)
    row = in_force.exclude(status=Scheme.Status.WITHDRAWN).aggregate(
        slot=Max("slot_minutes"), margin=Max("tolerance_minutes")
    )
    if row["slot"] is None:
        return DEFAULT_STAY
    return timedelta(minutes=row["slot"] + (row["margin"] or 0))


def inside_now(market: Market, clock: Clock = now) -> int:
    """Allowed entries in the last stay (a slot and its margin) minus the exits scanned in it, at least 0.

    A visitor who entered earlier than that is counted as gone: slots are short and not every exit
    is scanned. Entries flagged as double use still count (the person did go in).
    """
    at = clock()
    since = at - stay_of(market, local_date(at))
    rows = GateEntry.objects.filter(market=market, scanned_at__gt=since, scanned_at__lte=at)
    entered = rows.filter(direction=IN, allowed=True).count()
    left = rows.filter(Q(direction=OUT), ~Q(pass_id="")).count()
    return max(0, entered - left)
