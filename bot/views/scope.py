"""What the index holds (corpus profile) and what a search covered (scope line)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from bot.retrieval.filters import Filters
from index.documents import OUTLET_KEY

# ---------------------------------------------------------------- corpus profile and search scope


@dataclass(frozen=True)
class CorpusProfile:
    """What the index holds, read once: outlets, categories, date span, counts."""

    outlets: tuple[str, ...]
    categories: tuple[str, ...]
    first_day: date | None
    last_day: date | None
    articles: int
    chunks: int


def profile_fields(fields: Mapping[str, Sequence[Any]]) -> CorpusProfile:
    """Outlets, categories, dates and counts of an index, from its per-chunk columns (no chunk text read)."""
    stamps = [t for t in fields["published_ts"] if t is not None]
    return CorpusProfile(
        outlets=tuple(sorted({s for s in fields[OUTLET_KEY] if s})),
        categories=tuple(sorted({c for c in fields["category"] if c})),
        first_day=_day_of_ts(min(stamps)) if stamps else None,
        last_day=_day_of_ts(max(stamps)) if stamps else None,
        articles=len(set(fields["article_id"])),
        chunks=len(fields["article_id"]),
    )


def describe_scope(filters: Filters, profile: CorpusProfile) -> str:
    """What a search covered, e.g. "searched 3 of 9 outlets (A, B, C), Oct–Nov 2023"."""
    total = len(profile.outlets)
    if filters.outlets:
        n = len(filters.outlets)
        names = ", ".join(filters.outlets[:3]) + (f" and {n - 3} more" if n > 3 else "")
        outlets = f"{n} of {total} outlets ({names})"
    else:
        outlets = f"all {total} outlets" if total != 1 else "the only outlet"
    parts = [f"searched {outlets}"]
    if filters.categories:
        parts.append(("category " if len(filters.categories) == 1 else "categories ") + ", ".join(filters.categories))
    first = _day_of_ts(filters.date_from) if filters.date_from is not None else profile.first_day
    last = _day_of_ts(filters.date_to) if filters.date_to is not None else profile.last_day
    span = month_span(first, last)
    if span:
        parts.append(span)
    return ", ".join(parts)


def _day_of_ts(ts: int) -> date:
    return datetime.fromtimestamp(ts, tz=UTC).date()


def month_span(first: date | None, last: date | None) -> str:
    """A compact month range: "Oct 2023", "Oct–Nov 2023", "Dec 2022–Jan 2023"; open ends say since/until."""
    if first is None and last is None:
        return ""
    if first is None:
        return f"until {last:%b %Y}"
    if last is None:
        return f"since {first:%b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%b %Y}"
    if first.year == last.year:
        return f"{first:%b}–{last:%b %Y}"
    return f"{first:%b %Y}–{last:%b %Y}"
