"""Charts are plain SVG strings: axes, day labels dd/mm, values; gaps for days nobody reported."""

from datetime import date, timedelta

import pytest

from phaodai.sitreps.charts import chart_svg, nice_ceiling, thousands

DAYS = [date(2021, 9, 1) + timedelta(days=n) for n in range(7)]


def test_a_line_chart_has_axes_day_labels_and_values():
    svg = chart_svg(list(zip(DAYS, [3, 5, 1200, 8, 0, 2, 4], strict=True)), title="F0")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<title>F0</title>" in svg and 'role="img"' in svg
    assert ">01/09<" in svg and ">07/09<" in svg
    assert ">1.200<" in svg  # the value, with Vietnamese thousands
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 7
    assert ">2.000<" in svg  # the axis tops at a round number


def test_a_day_nobody_reported_is_a_gap_not_a_zero():
    values = [1, 2, None, 4, 5, None, None]
    svg = chart_svg(list(zip(DAYS, values, strict=True)), title="x")
    assert svg.count("<polyline") == 2 and svg.count("<circle") == 4


def test_a_bar_chart_draws_one_bar_per_known_day():
    svg = chart_svg(list(zip(DAYS, [1, None, 3, 4, 5, 6, 7], strict=True)), title="x", kind="bar")
    assert svg.count("<rect") == 6 and "<polyline" not in svg


def test_titles_are_escaped_and_empty_series_still_draw():
    svg = chart_svg([(DAYS[0], None)], title='<script>alert("x")</script>')
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert chart_svg([], title="empty").endswith("</svg>")


def test_round_axis_tops_and_thousands():
    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 12, 99, 101, 4000)] == [1, 1, 5, 10, 20, 100, 200, 5000]
    assert thousands(8759780) == "8.759.780" and thousands(1.5) == "1,5"


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="pie"):
        chart_svg([], title="x", kind="pie")
