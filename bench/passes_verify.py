"""Bench: decode + verify + rules for our passes on one core, against raw ECDSA P-256 verifications.

    .venv/bin/python bench/passes_verify.py [--passes N] [--repeat K] [--profile]
                                            (defaults 2,000 passes, 5 runs)

Pure Python, no database (it runs the same under `make bench`, which gives it one it ignores).
Outside the timed part it makes a pass key and a trust list of 6 signers (ours, a vehicle-only key,
three foreign DCC signers, a bundle key), a bundle with the checkpoint rules of the shared vectors
(validity, two doses, allowed groups, shippers' hours), and N distinct permits (varied holders,
doses, groups, zones), signed ES256.

Timed, single thread, in chunks of 100 passes: each chunk through (a) then at once (b), K rounds;
each side's time is the sum over chunks of its best round (so a burst of load on a shared machine
spoils one chunk of one round, not a whole side):
  (a) the project path for every pass: verify(code, trust, clock) -- prefix, Base45, zlib, COSE,
      ES256 signature, claims, expiry, the payload checked strictly, key usage -- then
      RuleSet.evaluate(payload) with the bundle's rules compiled once;
  (b) the baseline: cryptography's ECDSA P-256/SHA-256 verify of N distinct DER signatures over
      messages of the same size as the passes' signed structures (the work no verifier can skip).
ratio = passes/s / verifications/s, target >= 0.5. The last line is the BENCH line.
--profile runs (a) once more under cProfile.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

from phaodai.passes import base45, cbor, cose  # noqa: E402
from phaodai.passes.codec import encode_pass, verify  # noqa: E402
from phaodai.passes.rules import RuleSet  # noqa: E402
from phaodai.passes.tests import builders as b  # noqa: E402
from phaodai.passes.tests.data import make_vectors  # noqa: E402
from phaodai.passes.trust import TrustList  # noqa: E402

SEED = 20210909
CHUNK = 100
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Minh Đức", "Vũ Thu Hà")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--passes", type=int, default=2000, help="distinct passes (default 2,000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each side, best counts (default 5)")
    parser.add_argument("--profile", action="store_true", help="profile one run of the project path")
    return parser.parse_args()


def make_passes(n: int) -> tuple[list[str], TrustList, RuleSet]:
    keys = make_vectors.keys()
    trust = make_vectors.trust_list(keys)
    rules = RuleSet(make_vectors.RULES, {"allowed-groups": [1, 2, 3, 4, 6]}, "Asia/Ho_Chi_Minh")
    signer, kid = keys["signer"], make_vectors.kid(keys["signer"], "PD signer")
    rng = random.Random(SEED)
    codes = []
    for i in range(n):
        permit = b.permit(
            pass_id=f"GDD-{rng.randrange(100, 999):05d}-{i:06d}",
            holder=rng.choice(NAMES),
            birth_year=rng.randrange(1950, 2003),
            cccd_masked=f"0{rng.randrange(10, 99)}******{rng.randrange(100, 999)}",
            purpose_group=rng.randrange(1, 7),
            zones=[f"{rng.randrange(1, 30):03d}" for _ in range(rng.randrange(1, 4))],
            doses=rng.choice((0, 1, 2, 2, 2)),
        )
        codes.append(
            encode_pass(
                permit, private_key=signer, kid=kid, issuer="VN", issued_at=b.CLOCK - timedelta(hours=1)
            )
        )
    return codes, trust, rules


def project_path(codes: list[str], trust: TrustList, rules: RuleSet) -> tuple[float, int]:
    clock, checkpoint = b.CLOCK, {"kind": "gateway", "code": "CK-QL6-01"}
    allowed = 0
    start = time.perf_counter()
    for code in codes:
        result = verify(code, trust, clock)
        if result.ok and result.payload is not None:
            allowed += rules.evaluate(
                result.payload, pass_type="permit", clock=clock, checkpoint=checkpoint
            ).allowed
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


def _verified(sign1: cose.Sign1, check: cose.Checker) -> bool:
    check(sign1)  # the trust entry's checker, as verify() uses it
    return True


def phases(codes: list[str], trust: TrustList, rules: RuleSet) -> str:
    """Microseconds per pass for each stage alone (best of 3), to see where the time goes."""
    texts = [code[4:] for code in codes]
    packed = [base45.decode(text) for text in texts]
    envelopes = [zlib.decompress(data) for data in packed]
    parsed = [cose.parse(envelope) for envelope in envelopes]
    payloads = [verify(code, trust, b.CLOCK).payload for code in codes]
    entry = trust.entries[0]
    stages: dict[str, Any] = {
        "base45": lambda: [base45.decode(text) for text in texts],
        "zlib": lambda: [zlib.decompress(data) for data in packed],
        "COSE parse": lambda: [cose.parse(envelope) for envelope in envelopes],
        "signature": lambda: [_verified(sign1, entry.check) for sign1 in parsed],
        "claims": lambda: [cbor.decode_whole(sign1.payload, "bad_claims") for sign1 in parsed],
        "rules": lambda: [rules.evaluate(p or {}, pass_type="permit", clock=b.CLOCK) for p in payloads],
    }
    shown = []
    for label, stage in stages.items():
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            stage()
            best = min(best, time.perf_counter() - start)
        shown.append(f"{label} {best / len(codes) * 1e6:.1f} µs")
    return ", ".join(shown)


def main() -> None:
    args = parse_args()
    t0 = time.perf_counter()
    codes, trust, rules = make_passes(args.passes)
    public_key, pairs = baseline_inputs(codes)
    mean_chars = sum(map(len, codes)) / len(codes)
    setup = time.perf_counter() - t0
    print(f"{len(codes):,} permits, {mean_chars:.0f} characters each on average ({setup:.1f} s, not timed)")
    # One untimed round warms both sides (compiled rules, OpenSSL tables).
    _seconds, allowed = project_path(codes, trust, rules)
    baseline(public_key, pairs)
    print(f"allowed {allowed:,} of {len(codes):,} (the others fail the doses or group rule)")
    chunks = [slice(start, start + CHUNK) for start in range(0, len(codes), CHUNK)]
    best_project = [float("inf")] * len(chunks)
    best_baseline = [float("inf")] * len(chunks)
    for run in range(1, args.repeat + 1):
        spent_project = spent_baseline = 0.0
        for i, chunk in enumerate(chunks):
            seconds, _allowed = project_path(codes[chunk], trust, rules)
            base = baseline(public_key, pairs[chunk])
            best_project[i], best_baseline[i] = min(best_project[i], seconds), min(best_baseline[i], base)
            spent_project, spent_baseline = spent_project + seconds, spent_baseline + base
        print(
            f"run {run}: passes {len(codes) / spent_project:,.0f}/s "
            f"({spent_project / len(codes) * 1e6:.0f} µs each), "
            f"ECDSA P-256 verify {len(pairs) / spent_baseline:,.0f}/s "
            f"({spent_baseline / len(pairs) * 1e6:.0f} µs each)",
            flush=True,
        )
    print(f"parts per pass: {phases(codes, trust, rules)}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        project_path(codes, trust, rules)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
        print(out.getvalue())
    value, base_rate = len(codes) / sum(best_project), len(pairs) / sum(best_baseline)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"best of {args.repeat} per chunk of {CHUNK}, one thread; load average {load}")
    print(
        f"BENCH name=passes_verify value={value:.0f} unit=passes/s baseline={base_rate:.0f} "
        f"ratio={value / base_rate:.2f} target=ratio>=0.5"
    )


if __name__ == "__main__":
    main()
