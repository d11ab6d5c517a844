"""Geometry of the coverage timeline's SVG: a row per outlet, a date axis with ticks, a dot per article.

Hand-laid out because the plot is a dozen lines of SVG that must work offline and link each dot to its passage;
templates/timeline_svg.html draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.views.scope import month_span
from bot.views.timeline import TimelinePoint
from bot.web.labels import nice_day

WIDTH, LEFT, RIGHT, TOP, ROW, BOTTOM = 460, 112, 16, 12, 32, 34  # SVG units; LEFT leaves room for outlet names
LABEL_CHARS = 17  # longer outlet names are cut, the full name shows on hover
MAX_YEAR_TICKS = 10  # a span of decades is labelled every few years, not every year


@dataclass(frozen=True)
class Row:
    """One outlet's row."""

    outlet: str
    label: str
    y: float


@dataclass(frozen=True)
class Tick:
    """A date on the axis."""

    x: float
    label: str


@dataclass(frozen=True)
class Dot:
    """One article: its first marker, the span to highlight when opened, where it sits."""

    n: int
    start: int
    end: int
    tip: str
    cited: bool
    x: float
    y: float


@dataclass(frozen=True)
class Plot:
    """Everything the SVG shows."""

    width: int
    height: int
    left: int
    right: int  # x where the rows and the axis end
    axis_y: int
    span: str
    rows: list[Row]
    ticks: list[Tick]
    dots: list[Dot]


def timeline_plot(points: Sequence[TimelinePoint], spans: dict[int, tuple[int, int]]) -> Plot:
    """Lay out dated points: rows of outlets in order of their first article, dates padded on both sides."""
    days = [p.day for p in points if p.day is not None]
    earliest: dict[str, date] = {}
    for p in points:
        if p.day is not None:
            earliest[p.outlet] = min(p.day, earliest.get(p.outlet, p.day))
    outlets = sorted(earliest, key=lambda o: (earliest[o], o))
    first, last = min(days), max(days)
    pad = max(timedelta(days=3), (last - first) * 0.06)
    # Clamped: an old index may hold dates at the ends of the calendar, where adding the padding overflows.
    lo = first - pad if first - date.min > pad else date.min
    hi = last + pad if date.max - last > pad else date.max
    span_days = max((hi - lo).days, 1)

    def x(day: date) -> float:
        return LEFT + (day - lo).days / span_days * (WIDTH - LEFT - RIGHT)

    def y(outlet: str) -> float:
        return TOP + ROW * outlets.index(outlet) + ROW / 2

    rows = [Row(o, o if len(o) <= LABEL_CHARS else o[: LABEL_CHARS - 1] + "…", y(o)) for o in outlets]
    dots: list[Dot] = []
    crowd: dict[tuple[str, date], int] = {}
    for p in points:
        assert p.day is not None
        k = crowd.get((p.outlet, p.day), 0)
        crowd[(p.outlet, p.day)] = k + 1
        n = p.markers[0]
        start, end = spans.get(n, (0, 0))
        tip = f"[{', '.join(map(str, p.markers))}] {p.title} — {p.outlet}, {nice_day(p.day)}"
        # Same outlet, same day: side by side instead of on top of each other.
        dots.append(Dot(n, start, end, tip, p.cited, x(p.day) + 15 * k, y(p.outlet)))
    return Plot(
        width=WIDTH,
        height=TOP + ROW * len(outlets) + BOTTOM,
        left=LEFT,
        right=WIDTH - RIGHT,
        axis_y=TOP + ROW * len(outlets) + 6,
        span=month_span(first, last),
        rows=rows,
        ticks=[Tick(x(day), label) for day, label in ticks(lo, hi)],
        dots=dots,
    )


def ticks(lo: date, hi: date) -> list[tuple[date, str]]:
    """Axis ticks: weekly for a few weeks, monthly for up to two years, yearly beyond."""
    span = (hi - lo).days
    out: list[tuple[date, str]] = []
    if span <= 35:
        day = lo + timedelta(days=(7 - lo.weekday()) % 7)  # Mondays
        while day <= hi:
            out.append((day, f"{day.day} {day:%b}"))
            day += timedelta(days=7)
        return out
    if span <= 730:
        year, month = lo.year, lo.month + 1
        step = 1 if span <= 240 else 3
        while True:
            if month > 12:
                year, month = year + 1, month - 12
            day = date(year, month, 1)
            if day > hi:
                return out
            out.append((day, f"{day:%b %Y}" if month == 1 or not out else f"{day:%b}"))
            month += step
    step = -(-(hi.year - lo.year) // MAX_YEAR_TICKS)
    first = lo.year + 1 + (-(lo.year + 1)) % step  # multiples of the step: 1900, 1950, 2000…
    for year in range(first, hi.year + 1, step):
        out.append((date(year, 1, 1), str(year)))
    return out
