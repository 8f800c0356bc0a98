"""Bench: market gate checks on one core (decode, verify, rules, single use) against raw ECDSA P-256.

    .venv/bin/python bench/markets_gate.py [--passes N] [--repeat K]   (defaults 2,000 passes, 5 runs)

Pure Python, no database (the gate's decision as a device or the server makes it, without the log).
Outside the timed part: the trust list of the shared vectors (6 signers), the shipped markets rule
set (phaodai/markets/data/rules-markets.json) compiled once with a revocation list of 200 ids, and N
scans of market passes at chợ Bồ Đề at 06:30 on 9/9/2021: distinct passes of the 06:00-07:00 slot
(signed window 05:45-07:15), one in ten for "any market of the ward" (*00139), and one scan in ten
a pass shown a second time (refused: already used).

Timed, single thread, in chunks of 100 scans, each chunk through (a) then at once (b), K rounds; each
side's time is the sum over chunks of its best round (as bench/passes_verify.py):
  (a) a gate check: passes.checking.check(code, trust, rules, market facts, clock) -- prefix, Base45,
      zlib, COSE, ES256 signature, claims, expiry, payload, key usage, then the markets rules (window,
      this market or its ward, not revoked) -- then, if allowed, the single-use check against an
      in-memory dict of used pass ids (pass id -> first use), as the offline page keeps in IndexedDB;
  (b) the baseline: cryptography's ECDSA P-256/SHA-256 verify of N distinct DER signatures over
      messages as long as the passes' signed structures (the work no verifier can skip).
ratio = checks/s / verifications/s. The last line is the BENCH line (target: report).
"""

import argparse
import json
import os
import random
import sys
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

from phaodai.passes import base45, checking, cose  # noqa: E402
from phaodai.passes.codec import encode_pass  # noqa: E402
from phaodai.passes.payload import PassPayload, PassType  # noqa: E402
from phaodai.passes.rules import RuleSet  # noqa: E402
from phaodai.passes.tests import builders as b  # noqa: E402
from phaodai.passes.tests.data import make_vectors  # noqa: E402
from phaodai.passes.trust import TrustList  # noqa: E402

SEED = 20210726
CHUNK = 100
CLOCK = datetime(2021, 9, 8, 23, 30, tzinfo=UTC)  # 06:30 on 9/9/2021 in Hà Nội
SLOT_START = datetime(2021, 9, 8, 23, 0, tzinfo=UTC)  # 06:00 in Hà Nội
MARGIN = timedelta(minutes=15)
MARKET_CODE = "CHO-00139-01"
MARKET = {"kind": "market", "code": MARKET_CODE, "units": ["01", "004", "00139"], "ward_pass": "*00139"}
RULES_FILE = ROOT / "phaodai" / "markets" / "data" / "rules-markets.json"
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Minh Đức", "Vũ Thu Hà")
ALREADY_USED = "already_used"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--passes", type=int, default=2000, help="scans (default 2,000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each side, best counts (default 5)")
    return parser.parse_args()


def make_scans(n: int) -> tuple[list[str], TrustList, RuleSet]:
    keys = make_vectors.keys()
    trust = make_vectors.trust_list(keys)
    rules_doc = json.loads(RULES_FILE.read_text(encoding="utf-8"))["rules"]
    revoked = [f"MP-00139-REV-{i:04d}" for i in range(200)]
    rules = RuleSet(rules_doc, {"revoked-passes": revoked}, "Asia/Ho_Chi_Minh")
    signer, kid = keys["signer"], make_vectors.kid(keys["signer"], "PD signer")
    rng = random.Random(SEED)
    distinct = []
    for i in range(n - n // 10):
        market_pass = PassPayload(
            type=PassType.MARKET, pass_id=f"MP-00139-090906-{i:06d}", valid_from=SLOT_START - MARGIN,
            valid_to=SLOT_START + timedelta(hours=1) + MARGIN, hours=("06:00", "07:00"),
            holder=rng.choice(NAMES), cccd_masked=f"0{rng.randrange(10, 99)}******{rng.randrange(100, 999)}",
            market="*00139" if i % 10 == 0 else MARKET_CODE,
            zones=("00139", f"00139-TDP{rng.randrange(1, 30):02d}"),
        )  # fmt: skip
        distinct.append(
            encode_pass(
                market_pass, private_key=signer, kid=kid, issuer="VN", issued_at=CLOCK - timedelta(days=1)
            )
        )
    shown_again = [distinct[rng.randrange(len(distinct))] for _ in range(n - len(distinct))]
    scans = distinct + shown_again
    rng.shuffle(scans)
    return scans, trust, rules


def gate_checks(
    codes: list[str], trust: TrustList, rules: RuleSet, used: dict[str, datetime]
) -> tuple[float, int]:
    """Decide each scan as the gate does; `used` is the device's record of single-use passes let in."""
    notes = checking.note_identifiers([])
    allowed = 0
    start = time.perf_counter()
    for code in codes:
        result = checking.check(
            code, None, trust=trust, rules=rules, notes=notes, checkpoint=MARKET, clock=CLOCK
        )
        if not result.allowed:
            continue
        pass_id = result.pass_id or ""
        if pass_id in used:
            continue  # refused: ALREADY_USED, first use at used[pass_id]
        used[pass_id] = CLOCK
        allowed += 1
    return time.perf_counter() - start, allowed


def baseline_inputs(codes: list[str]) -> tuple[ec.EllipticCurvePublicKey, list[tuple[bytes, bytes]]]:
    """DER signatures over messages as long as the passes' Sig_structures, by one P-256 key."""
    key = b.ec_key(99)
    pairs: list[tuple[bytes, bytes]] = []
    for code in codes:
        envelope = cose.parse(zlib.decompress(base45.decode(code[4:])))
        message = bytearray(cose.to_be_signed(envelope.protected, envelope.payload))
        message[-1] ^= len(pairs) & 0xFF  # distinct messages
        pairs.append((key.sign(bytes(message), ec.ECDSA(hashes.SHA256())), bytes(message)))
    return key.public_key(), pairs


def baseline(public_key: ec.EllipticCurvePublicKey, pairs: list[tuple[bytes, bytes]]) -> float:
    algorithm = ec.ECDSA(hashes.SHA256())
    start = time.perf_counter()
    for signature, message in pairs:
        public_key.verify(signature, message, algorithm)
    return time.perf_counter() - start


def main() -> None:
    args = parse_args()
    t0 = time.perf_counter()
    codes, trust, rules = make_scans(args.passes)
    public_key, pairs = baseline_inputs(codes)
    mean_chars = sum(map(len, codes)) / len(codes)
    print(f"{len(codes):,} scans of market passes, {mean_chars:.0f} characters each on average "
          f"({time.perf_counter() - t0:.1f} s, not timed)")  # fmt: skip
    _seconds, allowed = gate_checks(codes, trust, rules, {})  # warms both sides
    baseline(public_key, pairs)
    print(f"let in {allowed:,} of {len(codes):,} (the others: {ALREADY_USED})")
    chunks = [slice(start, start + CHUNK) for start in range(0, len(codes), CHUNK)]
    best_gate = [float("inf")] * len(chunks)
    best_baseline = [float("inf")] * len(chunks)
    for run in range(1, args.repeat + 1):
        used: dict[str, datetime] = {}
        spent_gate = spent_baseline = 0.0
        for i, chunk in enumerate(chunks):
            seconds, _allowed = gate_checks(codes[chunk], trust, rules, used)
            base = baseline(public_key, pairs[chunk])
            best_gate[i], best_baseline[i] = min(best_gate[i], seconds), min(best_baseline[i], base)
            spent_gate, spent_baseline = spent_gate + seconds, spent_baseline + base
        print(
            f"run {run}: gate checks {len(codes) / spent_gate:,.0f}/s "
            f"({spent_gate / len(codes) * 1e6:.0f} µs each), ECDSA P-256 verify "
            f"{len(pairs) / spent_baseline:,.0f}/s ({spent_baseline / len(pairs) * 1e6:.0f} µs each)",
            flush=True,
        )
    value, base_rate = len(codes) / sum(best_gate), len(pairs) / sum(best_baseline)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"best of {args.repeat} per chunk of {CHUNK}, one thread; load average {load}")
    print(
        f"BENCH name=markets_gate value={value:.0f} unit=checks/s baseline={base_rate:.0f} "
        f"ratio={value / base_rate:.2f} target=report"
    )


if __name__ == "__main__":
    main()
