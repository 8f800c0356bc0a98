"""`at`: ISO 8601 read on Hà Nội's clock; a date alone means noon; anything else is refused."""

from datetime import UTC, datetime

import pytest
from django.http import QueryDict

from phaodai.core.clock import hanoi
from phaodai.portal.forms import moment_of
from phaodai.portal.moments import InvalidMoment, parse_at, query_value

NOW = hanoi(2021, 9, 10, 8, 30)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021-09-10", hanoi(2021, 9, 10, 12, 0)),
        ("2021-09-10T06:00", hanoi(2021, 9, 10, 6, 0)),
        ("2021-09-10 06:00", hanoi(2021, 9, 10, 6, 0)),
        ("2021-09-09T23:00:00Z", hanoi(2021, 9, 10, 6, 0)),
        ("2021-09-10T06:00:00+07:00", hanoi(2021, 9, 10, 6, 0)),
        ("2021-09-10T06:00:00 07:00", hanoi(2021, 9, 10, 6, 0)),  # an unencoded "+"
        ("", NOW),
        (None, NOW),
    ],
)
def test_at_names_an_instant(raw, expected):
    assert parse_at(raw, clock=lambda: NOW) == expected


@pytest.mark.parametrize(
    "raw", ["yesterday", "10/09/2021", "2021-02-30", "2021-09-10T24:01", "1800-01-01", "x" * 50]
)
def test_anything_else_is_refused_naming_at(raw):
    with pytest.raises(InvalidMoment) as caught:
        parse_at(raw)
    assert caught.value.field == "at"
    assert caught.value.code == "invalid_input"


def test_links_carry_the_instant_on_hanoi_wall_clock_time():
    assert query_value(datetime(2021, 9, 9, 23, 0, tzinfo=UTC)) == "2021-09-10T06:00"


def test_the_page_picker_reads_a_date_and_an_optional_time():
    moment = moment_of(QueryDict("date=2021-09-10&time=05:30"), clock=lambda: NOW)
    noon = moment_of(QueryDict("date=10/09/2021"), clock=lambda: NOW)
    nothing = moment_of(QueryDict(""), clock=lambda: NOW)
    bad = moment_of(QueryDict("date=2021-09-10&time=noon"), clock=lambda: NOW)

    assert (moment.at, moment.chosen, moment.query) == (
        hanoi(2021, 9, 10, 5, 30),
        True,
        "at=2021-09-10T05:30",
    )
    assert noon.at == hanoi(2021, 9, 10, 12, 0)
    assert (nothing.at, nothing.chosen, nothing.query) == (NOW, False, "")
    assert nothing.form.initial["date"].isoformat() == "2021-09-10"
    assert bad.error is not None and bad.error.field == "at"
