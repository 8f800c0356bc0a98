"""Genuine EU DCC test certificates (dgc-testdata, vendored): our decoder gives the expected results."""

import base64
import json
from pathlib import Path

import pytest

from phaodai.passes.codec import verify
from phaodai.passes.trust import TrustEntry, TrustList, Usage, parse_iso

DATA = Path(__file__).parent / "data" / "dgc-testdata"
FILES = sorted(DATA.glob("*.json"))
# EXPECTEDRESULTS key -> the step of our report it speaks about
STEP_OF = {
    "EXPECTEDUNPREFIX": "prefix_ok",
    "EXPECTEDB45DECODE": "base45_ok",
    "EXPECTEDCOMPRESSION": "zlib_ok",
    "EXPECTEDVERIFY": "signature_ok",
    "EXPECTEDEXPIRATIONCHECK": "expiry_ok",
    "EXPECTEDKEYUSAGE": "key_usage_ok",
}


def run(path: Path):
    case = json.loads(path.read_text(encoding="utf-8"))
    context = case["TESTCTX"]
    signer = TrustEntry.from_certificate(base64.b64decode(context["CERTIFICATE"]), Usage.HCERT)
    return case, verify(case["PREFIX"], TrustList([signer]), parse_iso(context["VALIDATIONCLOCK"]))


def test_a_handful_of_eu_test_files_are_vendored():
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_eu_test_certificate_gives_the_expected_results(path):
    case, result = run(path)
    for key, expected in case["EXPECTEDRESULTS"].items():
        if key == "EXPECTEDVERIFY" and expected is False:
            # a bad kid is refused with the envelope (cose_ok), a bad signature at signature_ok
            assert result.signature_ok is not True and not result.ok, path.stem
        elif key in STEP_OF:
            assert getattr(result, STEP_OF[key]) is expected, (path.stem, key, result.report())
        elif key in ("EXPECTEDDECODE", "EXPECTEDVALIDJSON"):
            assert isinstance(result.payload, dict) is expected
    if case["TESTCTX"]["DESCRIPTION"].startswith("VALID"):
        assert result.ok, result.report()
    else:
        assert not result.ok


def test_the_valid_ps256_and_es256_certificates_show_the_holder():
    for name in ("CO1", "CO3"):
        _case, result = run(DATA / f"{name}.json")
        assert result.ok
        assert result.payload is not None
        assert result.payload["nam"]["fn"] == "Musterfrau-Gößinger"
        assert result.payload["v"][0]["dn"] == 1


def test_a_wrong_kid_in_the_protected_header_wins_over_a_correct_unprotected_one():
    _case, result = run(DATA / "CO22.json")
    assert result.error == "bad_kid"
    assert result.cose_ok is False and result.signature_ok is None
