"""What the index holds (corpus profile) and what a search covered (scope line)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from bot.retrieval.filters import Filters
from bot.retrieval.plan import DateRange, QueryPlan
from bot.views.evidence import Evidence
from index.documents import OUTLET_KEY, Chunk, timestamp_of

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


def describe_scope(filters: Filters, profile: CorpusProfile, plan: QueryPlan | None = None) -> str:
    """What a search covered, e.g. "searched 3 of 9 outlets (A, B, C), Oct–Nov 2023", and what the question
    itself named (`plan`): "…; from your question: Sporting News, Nov 2023"."""
    total = len(profile.outlets)
    if filters.outlets:
        n = len(filters.outlets)
        names = ", ".join(filters.outlets[:3]) + (f" and {n - 3} more" if n > 3 else "")
        outlets = f"{n} of {total} outlets ({names})"
    elif total == 0:  # no article names its outlet (like the sample corpus): count articles, not outlets
        outlets = f"all {profile.articles} articles" if profile.articles != 1 else "the only article"
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
    named = question_scope(plan) if plan is not None else ""
    return ", ".join(parts) + (f"; from your question: {named}" if named else "")


def question_scope(plan: QueryPlan) -> str:
    """The outlets and dates a question names, as retrieval favours them: "Sporting News, Nov 2023" ("" if none)."""
    outlets = sorted(plan.outlets)
    names = ", ".join(outlets[:3]) + (f" and {len(outlets) - 3} more" if len(outlets) > 3 else "")
    dates = " or ".join(range_label(r) for r in plan.dates[:3]) + (" or other dates" if len(plan.dates) > 3 else "")
    return ", ".join(x for x in (names, dates) if x)


def outside_question(chunk: Chunk, plan: QueryPlan) -> str:
    """Why a passage lies outside what the question names (another outlet, another date), or "" when inside.

    Retrieval favours the outlets and dates a question names without excluding the rest (a question may name
    them only in passing), so a passage from elsewhere is shown with this note rather than dropped.
    """
    named = question_scope(plan)
    if plan.outlets and chunk.outlet not in plan.outlets:
        return f"outside your question's scope ({named}): another outlet"
    stamp = timestamp_of(chunk.published_at)
    if plan.dates and (stamp is None or not any(lo <= stamp <= hi for lo, hi in plan.dates)):
        return f"outside your question's scope ({named}): " + ("no date recorded" if stamp is None else "another date")
    return ""


def mark_outside(evidence: Sequence[Evidence], plan: QueryPlan) -> list[Evidence]:
    """The passages, each noting whether it lies outside the outlets and dates the question names."""
    return [replace(ev, outside=outside_question(ev.chunk, plan)) for ev in evidence]


_OPEN_END = 2**39  # plan.py opens "after X" up to 2**40


def range_label(span: DateRange) -> str:
    """A date range of a question as searched (a named day is widened by a day each side): "Nov 2023",
    "4–6 Nov 2023", "until 29 Sep 2023" (before a day), "from 1 Dec 2023" (after a month)."""
    lo, hi = span
    if lo <= 0:
        return f"until {_day_of_ts(hi):%-d %b %Y}"
    if hi >= _OPEN_END:
        return f"from {_day_of_ts(lo):%-d %b %Y}"
    first, last = _day_of_ts(lo), _day_of_ts(hi)
    if first.day == 1 and (_day_of_ts(hi + 1)).day == 1:  # whole months
        return month_span(first, last)
    if first == last:
        return f"{first:%-d %b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last:%-d %b %Y}"
    return f"{first:%-d %b}–{last:%-d %b %Y}" if first.year == last.year else f"{first:%-d %b %Y}–{last:%-d %b %Y}"


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
