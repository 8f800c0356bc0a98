"""Daily series as server-rendered SVG (line or bar): axes, day labels dd/mm, values. No JavaScript, no CDN.

Pure: plain dates and numbers in, an SVG string out, so pages, e-mails and tests render the same chart.
"""

from collections.abc import Callable, Sequence
from datetime import date
from html import escape

Point = tuple[date, int | float | None]

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 24, 36  # room for the y labels, the values and the day labels
MAX_VALUE_LABELS = 31  # beyond this the values crowd each other; the table beneath still has them


def thousands(value: int | float) -> str:
    """1.200 (Vietnamese thousands separator); a fraction keeps one decimal."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at or above `value` (at least 1), so the axis reads round numbers."""
    if value <= 1:
        return 1
    power = 1.0
    while power * 10 <= value:
        power *= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def chart_svg(
    points: Sequence[Point],
    *,
    title: str,
    kind: str = "line",
    width: int = WIDTH,
    height: int = HEIGHT,
    number: Callable[[int | float], str] = thousands,
) -> str:
    """An SVG chart of one value per day; a missing day (None) leaves a gap, not a zero."""
    if kind not in {"line", "bar"}:
        raise ValueError(f"unknown chart kind {kind!r}")
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    known = [value for _day, value in points if value is not None]
    top = nice_ceiling(max(known, default=0))
    slot = plot_w / max(len(points), 1)

    def x(index: int) -> float:
        return LEFT + slot * (index + 0.5)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" class="chart chart-{kind}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, top / 2, top):  # horizontal grid with round labels
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{width - RIGHT}" y2="{ty:.1f}" stroke="#d9dee8"/>'
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" font-size="11" fill="#5b6478">'
            f"{escape(number(tick))}</text>"
        )
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#5b6478"/>'
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{width - RIGHT}" y2="{TOP + plot_h}" stroke="#5b6478"/>'
    )
    every = max(1, -(-len(points) // 14))  # at most ~14 day labels
    for index, (day, _value) in enumerate(points):
        if index % every == 0 or index == len(points) - 1:
            parts.append(
                f'<text x="{x(index):.1f}" y="{height - BOTTOM + 16}" text-anchor="middle" font-size="11" '
                f'fill="#5b6478">{day:%d/%m}</text>'
            )
    if kind == "bar":
        bar_w = max(slot * 0.6, 1)
        for index, (_day, value) in enumerate(points):
            if value is None:
                continue
            parts.append(
                f'<rect x="{x(index) - bar_w / 2:.1f}" y="{y(value):.1f}" width="{bar_w:.1f}" '
                f'height="{TOP + plot_h - y(value):.1f}" fill="#b3261e"/>'
            )
    else:
        for segment in _segments(points):
            coordinates = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in segment)
            if len(segment) > 1:
                parts.append(
                    f'<polyline points="{coordinates}" fill="none" stroke="#b3261e" stroke-width="2"/>'
                )
            for i, v in segment:
                parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="#b3261e"/>')
    if len(points) <= MAX_VALUE_LABELS:
        for index, (_day, value) in enumerate(points):
            if value is not None:
                parts.append(
                    f'<text x="{x(index):.1f}" y="{y(value) - 6:.1f}" text-anchor="middle" font-size="10" '
                    f'fill="#1d2433">{escape(number(value))}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)


def _segments(points: Sequence[Point]) -> list[list[tuple[int, float]]]:
    """Runs of consecutive known values: a line is not drawn across a day nobody reported."""
    runs: list[list[tuple[int, float]]] = [[]]
    for index, (_day, value) in enumerate(points):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((index, value))
    return [run for run in runs if run]
