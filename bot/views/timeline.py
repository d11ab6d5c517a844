"""Coverage timeline: when each outlet published the passages behind an answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.views.evidence import Evidence, day_of, outlet_of

# ---------------------------------------------------------------- coverage timeline


@dataclass(frozen=True)
class TimelinePoint:
    """One article on the coverage timeline, with the markers of its passages."""

    article_id: str
    title: str
    outlet: str
    day: date | None
    url: str | None
    markers: tuple[int, ...]
    cited: bool


def coverage_timeline(evidence: Sequence[Evidence]) -> list[TimelinePoint]:
    """One point per article behind the answer, dated and by outlet; undated articles last."""
    by_article: dict[str, list[Evidence]] = {}
    for ev in evidence:
        by_article.setdefault(ev.chunk.article_id, []).append(ev)
    points = [
        TimelinePoint(
            article_id=article_id,
            title=items[0].chunk.title,
            outlet=outlet_of(items[0].chunk),
            day=day_of(items[0].chunk.published_at),
            url=items[0].chunk.url,
            markers=tuple(sorted(ev.n for ev in items)),
            cited=any(ev.cited for ev in items),
        )
        for article_id, items in by_article.items()
    ]
    points.sort(key=lambda p: (p.day is None, p.day or date.min, p.outlet, p.markers))
    return points
