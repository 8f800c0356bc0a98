"""`phaodai passes verify-hcert` and `phaodai rules eval`, driven through call_command with stdin."""

import base64
import io
import json
import zlib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from phaodai.passes import base45
from phaodai.passes.codec import encode_pass
from phaodai.passes.tests import builders as b

CO3 = json.loads((Path(__file__).parent / "data" / "dgc-testdata" / "CO3.json").read_text(encoding="utf-8"))
CERT = CO3["TESTCTX"]["CERTIFICATE"]
CLOCK = CO3["TESTCTX"]["VALIDATIONCLOCK"]
STEPS = [
    "prefix_ok",
    "base45_ok",
    "zlib_ok",
    "cose_ok",
    "signature_ok",
    "expiry_ok",
    "key_usage_ok",
    "payload",
    "error",
]


def run(*args, stdin):
    out = io.StringIO()
    try:
        call_command(*args, stdin=io.StringIO(stdin) if isinstance(stdin, str) else stdin, stdout=out)
    except CommandError as error:
        return json.loads(out.getvalue()), error.returncode
    return json.loads(out.getvalue()), 0


def test_verify_hcert_prints_every_step_of_a_genuine_eu_certificate():
    report, status = run(
        "passes", "verify-hcert", "--cert", CERT, "--clock", CLOCK, stdin=CO3["PREFIX"] + "\n"
    )
    assert status == 0 and list(report) == STEPS
    assert all(report[step] is True for step in STEPS[:7]) and report["error"] is None
    assert report["payload"]["nam"]["gnt"] == "GABRIELE"


def test_verify_hcert_reads_our_own_passes_too():
    key = b.ec_key(31)
    der = b.certificate(key, name="cli")
    code = encode_pass(
        b.permit(), private_key=key, kid=b.kid_for(key, name="cli"), issuer="VN", issued_at=b.CLOCK
    )
    report, status = run(
        "passes",
        "verify-hcert",
        "--cert",
        base64.b64encode(der).decode(),
        "--clock",
        "2021-09-09T06:30:00+07:00",
        stdin=code,
    )
    assert status == 0 and report["payload"]["n"] == "Nguyễn Văn An"


@pytest.mark.parametrize(
    ("stdin", "code", "reached"),
    [
        ("", "bad_prefix", ["prefix_ok"]),
        ("HC1:" + "A" * 10, "bad_base45", ["prefix_ok", "base45_ok"]),
        (
            "HC1:" + base45.encode(zlib.compress(b"cose")[:-3]) + "\n",
            "bad_zlib",
            ["prefix_ok", "base45_ok", "zlib_ok"],
        ),
        ("HC1:" + "0" * 9000, "too_long", []),
    ],
)
def test_a_refused_code_prints_the_steps_reached_and_exits_1(stdin, code, reached):
    report, status = run("passes", "verify-hcert", "--cert", CERT, "--clock", CLOCK, stdin=stdin)
    assert status == 1 and report["error"]["code"] == code
    assert [step for step in STEPS[:7] if report[step] is not None] == reached
    assert report["payload"] is None


def test_an_expired_certificate_is_reported_with_its_payload():
    report, status = run(
        "passes", "verify-hcert", "--cert", CERT, "--clock", "2021-07-01T00:00:00Z", stdin=CO3["PREFIX"]
    )
    assert (status, report["expiry_ok"], report["error"]["code"]) == (1, False, "signer_expired")


@pytest.mark.parametrize(
    ("cert", "clock", "stdin"),
    [
        ("not base64!", CLOCK, "HC1:"),
        (base64.b64encode(b"junk").decode(), CLOCK, "HC1:"),
        (CERT, "yesterday", "HC1:"),
        (CERT, "2021-05-03T18:00:00", "HC1:"),  # no offset
        (CERT, CLOCK, io.BytesIO(b"HC1:\xff\xfe")),  # not UTF-8
    ],
)
def test_bad_arguments_or_stdin_print_an_error_and_exit_2(cert, clock, stdin):
    report, status = run("passes", "verify-hcert", "--cert", cert, "--clock", clock, stdin=stdin)
    assert status == 2 and list(report) == ["error"] and report["error"]["code"] == "bad_input"


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        ({"logic": {"+": [1, 2]}, "data": None}, {"result": 3}),
        ({"logic": {"var": "a.b"}, "data": {"a": {"b": [1, "x"]}}}, {"result": [1, "x"]}),
        ({"logic": {"plusTime": ["2020-02-29", 1, "year"]}}, {"result": "2021-03-01T00:00:00.000Z"}),
        ({"logic": {"dccDateOfBirth": ["1990-02"]}}, {"result": "1990-02-28T00:00:00.000Z"}),
        (
            {"logic": {"plusTime": ["2021-09-09T06:00:00+07:00", 0, "day"]}},
            {"result": "2021-09-08T23:00:00.000Z"},
        ),
    ],
)
def test_rules_eval_prints_the_result(request_, expected):
    assert run("rules", "eval", stdin=json.dumps(request_)) == (expected, 0)


def test_rules_eval_prints_an_engine_error_and_exits_1():
    report, status = run("rules", "eval", stdin=json.dumps({"logic": {"+": ["abc"]}, "data": {}}))
    assert status == 1 and "not a number" in report["error"]


@pytest.mark.parametrize(
    "stdin",
    ["", "not json", "[1]", '{"data": {}}', '{"logic": 1, "extra": 2}', "[" * 100_000, io.BytesIO(b"\xff")],
)
def test_rules_eval_refuses_bad_stdin_with_an_error_and_exit_2(stdin):
    report, status = run("rules", "eval", stdin=stdin)
    assert status == 2 and list(report) == ["error"]
