"""The pure rules of lab results: words, times, sample codes, and classification against the stored result."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phaodai.diagnostics import rules
from phaodai.diagnostics.rules import HANOI, IncomingResult, StoredResult, TimeProblem, Verdict


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("negative", "negative"), ("NEGATIVE ", "negative"), ("Âm tính", "negative"), ("am tinh", "negative"),
        ("ÂM  TÍNH", "negative"), ("positive", "positive"), ("Dương tính", "positive"),
        ("duong tinh", "positive"),
        ("DƯƠNG TÍNH", "positive"), ("invalid", "invalid"), ("Không xác định", "invalid"),
        ("khong xac dinh", "invalid"),
        # Decomposed (NFD) text as macOS writes it.
        ("Du\u031bo\u031bng ti\u0301nh", "positive"),
    ],
)  # fmt: skip
def test_outcome_words_in_either_language_ignoring_case_spacing_and_diacritics(
    text: str, outcome: str
) -> None:
    assert rules.outcome_of(text) == outcome


@pytest.mark.parametrize("text", ["neg", "+", "-", "dương", "positve", "âm", "", "0", "1", "negative?"])
def test_anything_else_is_not_guessed(text: str) -> None:
    assert rules.outcome_of(text) is None


@pytest.mark.parametrize(
    ("text", "method"),
    [("PCR", "pcr"), ("RT-PCR", "pcr"), ("pcr_pooled", "pcr_pooled"), ("PCR gộp", "pcr_pooled"),
     ("Test nhanh kháng nguyên", "rapid_antigen"), ("rapid antigen", "rapid_antigen")],
)  # fmt: skip
def test_method_words(text: str, method: str) -> None:
    assert rules.method_of(text) == method


def test_unknown_method() -> None:
    assert rules.method_of("ELISA") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10/09/2021 08:05", datetime(2021, 9, 10, 8, 5, tzinfo=HANOI)),
        ("1/9/2021 8:05", datetime(2021, 9, 1, 8, 5, tzinfo=HANOI)),
        ("10/09/2021 08:05:30", datetime(2021, 9, 10, 8, 5, 30, tzinfo=HANOI)),
        ("2021-09-10T08:05", datetime(2021, 9, 10, 8, 5, tzinfo=HANOI)),
        ("2021-09-10 08:05:00+07:00", datetime(2021, 9, 10, 8, 5, tzinfo=HANOI)),
        ("2021-09-10T01:05:00Z", datetime(2021, 9, 10, 8, 5, tzinfo=HANOI)),
    ],
)
def test_times_in_iso_8601_or_vietnamese_day_first_local_time(text: str, expected: datetime) -> None:
    assert rules.parse_time(text) == expected


def test_a_spreadsheet_datetime_is_local_time() -> None:
    assert rules.parse_time(datetime(2021, 9, 10, 8, 5)) == datetime(2021, 9, 10, 8, 5, tzinfo=HANOI)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", TimeProblem.MISSING), (None, TimeProblem.MISSING), ("10/09/2021", TimeProblem.FORMAT),
        ("31/09/2021 08:00", TimeProblem.FORMAT), ("09/10/21 08:00", TimeProblem.FORMAT),
        ("2021-02-30T08:00", TimeProblem.FORMAT), ("yesterday", TimeProblem.FORMAT),
        (44450.5, TimeProblem.FORMAT),
        ("01/01/1900 08:00", TimeProblem.OUT_OF_RANGE),
    ],
)  # fmt: skip
def test_bad_times(value: object, problem: TimeProblem) -> None:
    assert rules.parse_time(value) is problem


@given(st.datetimes(min_value=datetime(2019, 1, 2), max_value=datetime(2200, 12, 30)))
def test_day_first_text_round_trips(moment: datetime) -> None:
    moment = moment.replace(second=0, microsecond=0)
    assert rules.parse_time(moment.strftime("%d/%m/%Y %H:%M")) == moment.replace(tzinfo=HANOI)


@given(st.text(max_size=40))
def test_parse_time_never_raises(text: str) -> None:
    result = rules.parse_time(text)
    assert isinstance(result, (datetime, TimeProblem))


@pytest.mark.parametrize(
    ("code", "problem"),
    [("HN-0001", None), ("CDC.2021/09.000123", None), ("A1B2", None), ("", "missing"), ("AB", "format"),
     ("HN 0001", "format"), ("-HN0001", "format"), ("=1+2", "format"), ("X" * 33, "too_long"),
     ("Mã-01", "format")],
)  # fmt: skip
def test_sample_codes(code: str, problem: str | None) -> None:
    assert rules.sample_code_problem(code) == problem


def test_result_times() -> None:
    collected = datetime(2021, 9, 10, 8, 0, tzinfo=HANOI)
    now = datetime(2021, 9, 11, 8, 0, tzinfo=HANOI)
    assert rules.result_times_problem(collected, collected - timedelta(minutes=1), now) == "before_collection"
    assert rules.result_times_problem(collected, collected, now) is None
    assert rules.result_times_problem(collected, now + timedelta(hours=1), now) == "future"
    assert rules.result_times_problem(collected, now.astimezone(UTC), now) is None


T1 = datetime(2021, 9, 11, 8, 0, tzinfo=HANOI)
T2 = T1 + timedelta(hours=5)


@pytest.mark.parametrize(
    ("incoming", "stored", "verdict"),
    [
        (IncomingResult("p", "negative", T1), None, Verdict.NEW),
        (IncomingResult("p", "negative", T1), StoredResult("p", "pending", None), Verdict.RESULT),
        (IncomingResult(None, "negative", T1), StoredResult("p", "pending", None), Verdict.RESULT),
        (IncomingResult("p", "negative", T2), StoredResult("p", "negative", T1), Verdict.DUPLICATE),
        (IncomingResult("p", "negative", T1), StoredResult("p", "negative", T2), Verdict.DUPLICATE),
        (IncomingResult("p", "positive", T1), StoredResult("p", "negative", T1), Verdict.CORRECTED),
        (IncomingResult("p", "positive", T2), StoredResult("p", "negative", T1), Verdict.CORRECTED),
        (IncomingResult("p", "positive", T1), StoredResult("p", "negative", T2), Verdict.STALE),
        (IncomingResult("q", "negative", T1), StoredResult("p", "negative", T1), Verdict.OTHER_PERSON),
        (
            IncomingResult("p", "negative", T1),
            StoredResult("p", "pending", None, T2),
            Verdict.BEFORE_COLLECTION,
        ),
    ],
)
def test_classify(incoming: IncomingResult, stored: StoredResult | None, verdict: Verdict) -> None:
    assert rules.classify(incoming, stored) is verdict
