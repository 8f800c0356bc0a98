"""The pass map: each type's required fields, strict types on decode, and the masked CCCD."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phaodai.passes import payload
from phaodai.passes.payload import PassPayload, PassType, PayloadError, mask_cccd
from phaodai.passes.tests import builders as b


def test_a_permit_map_uses_the_compact_keys():
    assert b.permit().to_map() == {
        "v": 1,
        "t": "permit",
        "id": "GDD-00139-000123",
        "vf": "2021-09-08T23:00:00Z",
        "vt": "2021-09-15T17:00:00Z",
        "n": "Nguyễn Văn An",
        "yb": 1985,
        "cc": "001******234",
        "pg": 2,
        "pu": "Cung ứng lương thực",
        "z": ["004", "001"],
        "pl": "29C-123.45",
        "vd": 2,
    }


def test_each_type_reads_back_from_its_map():
    start, end = datetime(2021, 9, 9, tzinfo=UTC), datetime(2021, 9, 12, tzinfo=UTC)
    passes = [
        b.permit(),
        PassPayload(
            type=PassType.DECLARATION,
            pass_id="K1",
            valid_from=start,
            valid_to=end,
            holder="A",
            symptoms=False,
            exposure=True,
        ),
        PassPayload(
            type=PassType.VEHICLE,
            pass_id="V1",
            valid_from=start,
            valid_to=end,
            plate="29C-123.45",
            cargo="Gạo",
            route="QL6",
        ),
        PassPayload(type=PassType.TRANSIT, pass_id="T1", valid_from=start, valid_to=end, plate="51D-999.99"),
        PassPayload(
            type=PassType.SHIPPER,
            pass_id="S1",
            valid_from=start,
            valid_to=end,
            holder="B",
            hours=("06:00", "22:00"),
        ),
        PassPayload(
            type=PassType.MARKET, pass_id="M1", valid_from=start, valid_to=end, holder="C", market="CHO-1"
        ),
    ]
    for item in passes:
        assert PassPayload.from_map(item.to_map()) == item


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"zz": 1}, "unknown keys"),
        ({"v": 2}, "version"),
        ({"v": True}, "version"),
        ({"t": "visa"}, "type"),
        ({"id": ""}, "text"),
        ({"id": 7}, "text"),
        ({"n": "x" * 121}, "text"),
        ({"yb": "1985"}, "integer"),
        ({"yb": 1850}, "integer"),
        ({"pg": True}, "integer"),  # a boolean is not the number 1
        ({"pg": 7}, "integer"),
        ({"vd": 2.0}, "integer"),
        ({"cc": "001234567234"}, "masked CCCD"),
        ({"cc": "001******23"}, "masked CCCD"),
        ({"z": []}, "leaves out"),
        ({"n": None}, "leaves out"),
        ({"z": "004"}, "zones"),
        ({"z": ["00 4"]}, "zone code"),
        ({"pl": "29c-123.45"}, "plate"),
        ({"vf": "2021-09-09T06:00:00+07:00"}, "UTC text"),
        ({"vf": 1631142000}, "UTC text"),
        ({"vt": "2021-02-30T00:00:00Z"}, "no real instant"),
        ({"vt": "2021-09-08T00:00:00Z"}, "end after"),
        ({"sy": 0}, "true or false"),
        ({"hr": ["22:00", "06:00"]}, "end after"),
    ],
)
def test_a_map_we_could_not_have_signed_is_refused(change, reason):
    data = {**b.permit().to_map(), **change}
    with pytest.raises(PayloadError, match=reason):
        PassPayload.from_map(data)


@pytest.mark.parametrize(("missing", "kind"), [("n", "permit"), ("pg", "permit")])
def test_a_permit_needs_its_holder_and_group(missing, kind):
    data = b.permit().to_map()
    del data[missing]
    with pytest.raises(PayloadError, match="needs"):
        PassPayload.from_map(data)


def test_non_maps_and_non_text_keys_are_refused():
    data: object
    for data in (None, [], "permit", {1: "x"}):
        with pytest.raises(PayloadError):
            PassPayload.from_map(data)


def test_pass_times_must_be_aware():
    with pytest.raises(PayloadError):
        b.permit(valid_from=datetime(2021, 9, 9, 6))


def test_the_cccd_shows_only_its_first_and_last_three_digits():
    assert mask_cccd("001085012234") == "001******234"
    with pytest.raises(PayloadError):
        mask_cccd("00108501223")


@given(
    st.integers(1900, 2100),
    st.integers(1, 6),
    st.lists(st.from_regex(r"[0-9]{2,5}", fullmatch=True), min_size=1, max_size=5),
    st.integers(1, 90 * 24),
)
def test_any_valid_permit_round_trips(birth_year, group, zones, hours):
    start = datetime(2021, 9, 9, tzinfo=UTC)
    permit = b.permit(
        birth_year=birth_year,
        purpose_group=group,
        zones=zones,
        valid_from=start,
        valid_to=start + timedelta(hours=hours),
    )
    assert PassPayload.from_map(permit.to_map()) == permit


# What check_map's quick tests see: the patterns' own alphabets, other Unicode digits, and anything.
_TEXTS = st.one_of(
    st.text(alphabet="0123456789*", max_size=14),
    st.text(alphabet="0123456789ABCXYZabc.-_ *٠١٢", max_size=18),
    st.text(max_size=18),
)


@given(_TEXTS)
def test_the_quick_tests_accept_only_what_the_patterns_accept(text):
    assert payload._masked_cccd_ok(text) == bool(payload._MASKED_CCCD.fullmatch(text))
    assert payload._plate_ok(text) == bool(payload._PLATE.fullmatch(text))
    assert payload._zone_ok(text) == bool(payload._ZONE.fullmatch(text))


@pytest.mark.parametrize("text", ["001******234", "٠٠١******٢٣٤", "29C-123.45", "29C 1", "A.b_c-1", "ĐA1"])
def test_the_quick_tests_agree_with_the_patterns_on_examples(text):
    assert payload._masked_cccd_ok(text) == bool(payload._MASKED_CCCD.fullmatch(text))
    assert payload._plate_ok(text) == bool(payload._PLATE.fullmatch(text))
    assert payload._zone_ok(text) == bool(payload._ZONE.fullmatch(text))
