"""Metadata filters: outlets, categories and publication times, as Chroma `where` clauses and BM25 masks."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from bot.retrieval.plan import DateRange, find_dates
from index.documents import OUTLET_KEY, Chunk, timestamp_of
from index.text import MONTHS


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to outlets, categories and a publication-time range (Unix seconds)."""

    outlets: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    date_from: int | None = None
    date_to: int | None = None

    @property
    def empty(self) -> bool:
        """True when nothing is filtered."""
        return not (self.outlets or self.categories or self.date_from is not None or self.date_to is not None)

    def to_where(self) -> dict[str, Any] | None:
        """The Chroma `where` clause for these filters."""
        return _where(self, None, ())


def _where(filters: Filters, outlets: frozenset[str] | None, ranges: Sequence[DateRange]) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if filters.outlets:
        clauses.append({OUTLET_KEY: {"$in": list(filters.outlets)}})
    if outlets:
        clauses.append({OUTLET_KEY: {"$in": sorted(outlets)}})
    if filters.categories:
        clauses.append({"category": {"$in": list(filters.categories)}})
    if filters.date_from is not None:
        clauses.append({"published_ts": {"$gte": filters.date_from}})
    if filters.date_to is not None:
        clauses.append({"published_ts": {"$lte": filters.date_to}})
    if ranges:
        spans = [{"$and": [{"published_ts": {"$gte": lo}}, {"published_ts": {"$lte": hi}}]} for lo, hi in ranges]
        clauses.append(spans[0] if len(spans) == 1 else {"$or": spans})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _mask(
    fields: dict[str, list[Any]], filters: Filters, outlets: frozenset[str] | None, ranges: Sequence[DateRange]
) -> np.ndarray:
    n = len(fields["article_id"])
    keep = np.ones(n, dtype=bool)
    for allowed, column in ((filters.outlets, OUTLET_KEY), (outlets, OUTLET_KEY), (filters.categories, "category")):
        if allowed:
            keep &= _column_in(fields, column, allowed)
    ts = _timestamps(fields)
    if filters.date_from is not None:
        keep &= ts >= filters.date_from
    if filters.date_to is not None:
        keep &= ts <= filters.date_to
    if ranges:
        keep &= _in_ranges(ts, ranges)
    return keep


def _column_in(
    fields: dict[str, list[Any]], column: str, allowed: Iterable[str], rows: np.ndarray | None = None
) -> np.ndarray:
    """Which chunks (of `rows`, default all) have `column` in `allowed`; the column is coded once so each filter
    is one vector op."""
    key = f"_codes_{column}"
    cached: Any = fields.get(key)
    if cached is None:
        values = ["" if v is None else str(v) for v in fields[column]]
        vocabulary, codes = np.unique(np.asarray(values, dtype=object), return_inverse=True)
        cached = ({v: i for i, v in enumerate(vocabulary)}, codes.astype(np.int32))
        fields[key] = cached
    lookup, codes = cached
    codes = codes if rows is None else codes[rows]
    wanted = [lookup[v] for v in allowed if v in lookup]
    return np.isin(codes, np.asarray(wanted, dtype=np.int32)) if wanted else np.zeros(len(codes), dtype=bool)


def rows_matching(
    fields: dict[str, list[Any]], rows: np.ndarray, outlets: frozenset[str], ranges: Sequence[DateRange]
) -> tuple[np.ndarray, np.ndarray]:
    """Which of the lexical index's `rows` are of one of `outlets`, and which were published within `ranges`
    (all False for an empty set): the boosts of a ranking, read from the index without its passages."""
    by_outlet = _column_in(fields, OUTLET_KEY, outlets, rows) if outlets else np.zeros(len(rows), dtype=bool)
    by_date = _in_ranges(_timestamps(fields)[rows], ranges) if ranges else np.zeros(len(rows), dtype=bool)
    return by_outlet, by_date


def _timestamps(fields: dict[str, list[Any]]) -> np.ndarray:
    cached: Any = fields.get("_ts_array")
    if cached is None:
        cached = np.array([-1 if t is None else t for t in fields["published_ts"]], dtype=np.int64)
        fields["_ts_array"] = cached
    return np.asarray(cached)


def _in_ranges(ts: np.ndarray, ranges: Sequence[DateRange]) -> np.ndarray:
    hit = np.zeros(len(ts), dtype=bool)
    for lo, hi in ranges:
        hit |= (ts >= lo) & (ts <= hi)
    return hit


def chunk_in_ranges(chunk: Chunk, ranges: Sequence[DateRange]) -> bool:
    """Whether the chunk's article was published within one of the ranges."""
    ts = timestamp_of(chunk.published_at)
    return ts is not None and any(lo <= ts <= hi for lo, hi in ranges)


_DAY_SECONDS = 86400
_MONTH_SECONDS = 32 * _DAY_SECONDS  # a month and the slack a named day gets


def chunk_on_dates(chunk: Chunk, ranges: Sequence[DateRange], default_year: int) -> bool:
    """Whether the passage is about the dates a question names: published within them, or naming a day within
    them ("Which outlet reported on Nov. 4 …" is answered by "That same day The Athletic reported …", written
    weeks later; "losses in the year to September 2023" by a results story of November)."""
    if chunk_in_ranges(chunk, ranges):
        return True
    days = [(lo, hi) for lo, hi in ranges if hi - lo < _MONTH_SECONDS]  # "after October 22" orders the reports
    if not days or not _month_pattern(_months(days)).search(chunk.text):
        return False  # reading every date of the passage is ~0.4 ms; most passages never name those months
    return any(a <= hi and lo <= b for a, b in _named_days(chunk.text, default_year) for lo, hi in days)


@lru_cache(maxsize=2048)  # a passage's days are read again by each clause and each question that finds it
def _named_days(text: str, default_year: int) -> tuple[DateRange, ...]:
    """The days (and months) a passage names, not "since October 5" (an open range)."""
    return tuple(m.dates for m in find_dates(text, default_year, slack_days=0)
                 if m.dates is not None and m.dates[1] - m.dates[0] < _MONTH_SECONDS)


def _months(ranges: Sequence[DateRange]) -> frozenset[int]:
    """The calendar months the ranges touch (each a month at most: a day stepped through is enough)."""
    return frozenset(dt.datetime.fromtimestamp(t, dt.UTC).month
                     for lo, hi in ranges for t in (*range(lo, hi, _DAY_SECONDS), hi))


@lru_cache(maxsize=64)
def _month_pattern(months: frozenset[int]) -> re.Pattern[str]:
    """A passage that names one of these months (or an ISO date) in any form find_dates reads."""
    names = sorted((name for name, number in MONTHS.items() if number in months), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(names) + r")\b|\d{4}-\d{2}-\d{2}", re.I)
