"""Articles per month as bars for an inline SVG chart (no script, no inline styles)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

HEIGHT = 64
MIN_MONTHS = 12  # a short span is drawn as the year up to its last month, not as a few blocks
BAR = 10
GAP = 2


@dataclass(frozen=True)
class Bar:
    """One month's bar: geometry in SVG units, its count, and the link that filters to it."""

    month: str
    count: int
    x: int
    y: float
    height: float
    url: str
    selected: bool


@dataclass(frozen=True)
class Chart:
    """Bars sized for a viewBox, and the highest count (for the scale)."""

    bars: list[Bar]
    width: int
    height: int
    bar_width: int
    peak: int


def month_range(first: str, last: str) -> list[str]:
    """Every YYYY-MM from first to last inclusive."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def months_before(month: str, n: int) -> str:
    """The YYYY-MM n months before a YYYY-MM."""
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def in_range(month: str, date_from: str, date_to: str) -> bool:
    """Whether a month lies within a (possibly open, possibly partial-date) range."""
    return (not date_from or month >= date_from[:7]) and (not date_to or month <= date_to[:7])


def month_chart(
    months: list[dict], link: Callable[[str], str], date_from: str = "", date_to: str = ""
) -> Chart | None:
    """The chart of month counts (gaps filled with zeros); None when there is nothing to draw."""
    counts = {m["value"]: m["count"] for m in months if m.get("count")}
    if not counts:
        return None
    span = month_range(min(min(counts), months_before(max(counts), MIN_MONTHS - 1)), max(counts))
    peak = max(counts.values())
    plot = HEIGHT
    bars = []
    ranged = bool(date_from or date_to)
    for i, month in enumerate(span):
        count = counts.get(month, 0)
        h = round(max(plot * count / peak, 1.5 if count else 0), 1)
        x = i * (BAR + GAP)
        bars.append(
            Bar(month, count, x, round(plot - h, 1), h, link(month),
                ranged and in_range(month, date_from, date_to))
        )
    width = max(len(span) * (BAR + GAP) - GAP, 1)
    return Chart(bars, width, HEIGHT, BAR, peak)
