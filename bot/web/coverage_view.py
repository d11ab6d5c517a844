"""The HTML of a topic's coverage (bot.views.coverage): the Timeline and Compare outlets tabs.

The timeline is an HTML grid, not an SVG: an SVG scales its text down with the column, so outlet names shrank
and were cut; here the names wrap in their own column at the page's font size, and the dots sit on a real time
axis by percentage, so the chart reads the same in the side column and in the full-width view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.views.coverage import Coverage, TopicArticle
from bot.views.evidence import outlet_of
from bot.views.scope import month_span
from bot.web.labels import dateline, nice_day, safe_url
from bot.web.render import empty_view, fragment
from index.text import counted

NO_TOPIC = "No articles on this topic under the current filters."
MAX_YEAR_TICKS = 10  # a span of decades is labelled every few years, not every year


@dataclass(frozen=True)
class _Dot:
    n: int
    start: int
    end: int
    left: float  # percent of the axis
    shift: int  # how many articles of the same outlet sit on the same day before it
    tip: str
    kind: str  # "cited", "read" (in the answer, not cited) or "topic"


@dataclass(frozen=True)
class _Row:
    outlet: str
    count: int
    dots: list[_Dot]
    weeks: str  # "2 Oct: 2 · 9 Oct: 1"


@dataclass(frozen=True)
class _Bar:
    left: float
    width: float
    height: float  # percent of the tallest week
    count: int
    tip: str


@dataclass(frozen=True)
class _Holder:
    key: str
    n: int
    title: str
    meta: str
    url: str
    start: int
    end: int
    where: str
    text: str


def _kind(article: TopicArticle) -> str:
    return "cited" if article.cited else "read" if article.in_answer else "topic"


def format_topic_timeline(turn: int, coverage: Coverage | None) -> str:
    """Every article on the topic on a date axis, a row per outlet with its count, and the articles per week."""
    if coverage is None or not coverage.articles:
        return empty_view(NO_TOPIC)
    dated = [a for a in coverage.articles if a.day is not None]
    days = [a.day for a in dated if a.day is not None]
    rows: list[_Row] = []
    bars: list[_Bar] = []
    axis: list[tuple[float, str]] = []
    if days:
        lo = min(coverage.weeks[0][0], min(days))
        hi = max(coverage.weeks[-1][0] + timedelta(days=7), max(days) + timedelta(days=1))
        span = max((hi - lo).days, 1)

        def pos(day: date) -> float:
            return round(100 * (day - lo).days / span, 2)

        tallest = max(count for _, count in coverage.weeks) or 1
        # The tallest bar fills three quarters of its row: its count sits above it, inside the row.
        bars = [_Bar(pos(w), round(100 * 7 / span, 2), round(75 * c / tallest, 1), c,
                     f"Week of {nice_day(w)}: {counted(c, 'article')}") for w, c in coverage.weeks]
        axis = [(pos(day), label) for day, label in ticks(lo, hi) if 0 <= pos(day) <= 100]
        for outlet in coverage.outlets:
            crowd: dict[date, int] = {}
            dots = []
            for a in outlet.articles:
                if a.day is None:
                    continue
                k = crowd.get(a.day, 0)
                crowd[a.day] = k + 1
                tip = f"[{a.n}] {a.title} — {a.outlet}, {nice_day(a.day)}"
                dots.append(_Dot(a.n, a.start, a.end, pos(a.day), k, tip, _kind(a)))
            weeks = " · ".join(f"week of {nice_day(w)}: {c}" for w, c in outlet.weeks)
            rows.append(_Row(outlet.outlet, len(outlet.articles), dots, weeks))
    listed = [(nice_day(a.day) or "undated", a, _kind(a)) for a in coverage.articles]
    return fragment(
        "coverage_timeline.html", turn=turn, coverage=coverage, outlets=len(coverage.outlets),
        span=month_span(min(days), max(days)) if days else "undated", rows=rows, bars=bars, axis=axis,
        listed=listed, undated=len(coverage.articles) - len(dated), held=_holders(turn, coverage),
        weeks=len(coverage.weeks),
    )


def format_topic_compare(turn: int, coverage: Coverage | None) -> str:
    """Each outlet on the topic side by side: its article count and dates, and its representative statement."""
    if coverage is None or not coverage.outlets:
        return empty_view(NO_TOPIC)
    columns = []
    for outlet in coverage.outlets:
        dates = sorted(a.day for a in outlet.articles if a.day)
        span = month_span(dates[0], dates[-1]) if dates else "undated"
        columns.append((outlet, span))
    return fragment("coverage_compare.html", turn=turn, coverage=coverage, columns=columns,
                     held=_holders(turn, coverage), nice_day=nice_day)


def _holders(turn: int, coverage: Coverage) -> Sequence[_Holder]:
    """The passages a click opens that the page's passage store does not hold (the answer did not read them)."""
    out = []
    for n, chunk in coverage.held:
        out.append(_Holder(f"{turn}-{n}", n, chunk.title, dateline(outlet_of(chunk), chunk.published_at),
                           safe_url(chunk.url) or "", 0, 0,
                           f"passage {chunk.n + 1} of the article, characters {chunk.start}–{chunk.end}", chunk.text))
    return out


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
