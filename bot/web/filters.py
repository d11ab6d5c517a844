"""The filter panel beside the chat: its values as retrieval Filters, and what to try when nothing matched.

A wrong filter (a date that is not one, a "from" after the "to") is said under the date fields as soon as it
is entered (handlers.describe_filters shows `field_error`); asking with it is stopped by the event's validator
(field_checks.py) before any work, without an error badge over the chat, and the question stays in the box.
The error raised here is not shown as a toast either, where another path (an example question) meets it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, date, datetime

import gradio as gr

from bot.retrieval.filters import Filters


def parse_day(raw: str | None, label: str) -> date | None:
    """A date from the date boxes; a clear error when it is not YYYY-MM-DD."""
    if raw is None or not str(raw).strip():
        return None
    text = str(raw).strip()[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise gr.Error(f"The {label} date “{raw}” is not a date: write it as YYYY-MM-DD, e.g. 2023-10-31.",
                       visible=False) from None


def build_filters(
    outlets: Sequence[str] | None, categories: Sequence[str] | None, date_from: str | None, date_to: str | None
) -> Filters:
    """The retrieval filters chosen beside the chat (dates are whole days, both ends included)."""
    first = parse_day(date_from, "“from”")
    last = parse_day(date_to, "“to”")
    if first and last and first > last:
        raise gr.Error(f"The “from” date {first} is after the “to” date {last}: swap them or clear one.",
                       visible=False)
    return Filters(
        outlets=tuple(outlets or ()),
        categories=tuple(categories or ()),
        date_from=_timestamp(first) if first else None,
        date_to=_timestamp(last) + 86399 if last else None,
    )


def _timestamp(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def field_error(message: str) -> str:
    """A filter's error as the note under the date fields shows it (Markdown holding one escaped span)."""
    return f'<span class="field-error" role="alert">⚠️ {html.escape(message)}</span>'


def not_covered_hint(filters: Filters) -> str:
    """What to try when nothing relevant was found."""
    if not filters.empty:
        return "Nothing relevant within the selected filters: widen or clear them (Filters, left) and ask again."
    return ("Try other words — names, places, dates from the articles — or add articles to the corpus and "
            "rebuild the index.")
