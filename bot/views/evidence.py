"""The passages behind an answer (cited first, then the other retrieved ones), with their outlet and day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.types import Answer
from index.article_fields import in_range
from index.documents import Chunk

UNKNOWN_OUTLET = "Unknown outlet"


@dataclass(frozen=True)
class Evidence:
    """A passage behind an answer: cited ones keep their marker `n`, other retrieved ones are numbered after."""

    n: int
    chunk: Chunk
    cited: bool
    start: int  # span to highlight in chunk.text (the cited quote; empty for uncited passages)
    end: int
    spans: tuple[tuple[int, int], ...] = ()  # every span the answer drew from the passage, in order
    outside: str = ""  # why the passage is outside the outlets or dates the question names (views/scope.py)

    @property
    def highlights(self) -> tuple[tuple[int, int], ...]:
        """The spans to highlight: all the answer drew on, else the one quote (none for uncited passages)."""
        return self.spans or ((self.start, self.end),)


def gather_evidence(answer: Answer) -> list[Evidence]:
    """Every passage the answer drew on: its citations first, then the retrieved passages it did not cite."""
    out = [Evidence(c.n, c.chunk, True, c.quote_start, c.quote_end, c.highlights) for c in answer.citations]
    cited_chunks = {c.chunk.id for c in answer.citations}
    next_n = max((c.n for c in answer.citations), default=0) + 1
    for hit in answer.hits:
        if hit.chunk.id in cited_chunks:
            continue
        cited_chunks.add(hit.chunk.id)
        out.append(Evidence(next_n, hit.chunk, False, 0, 0))
        next_n += 1
    return out


def outlet_of(chunk: Chunk) -> str:
    """The outlet name shown for a chunk."""
    return chunk.outlet or UNKNOWN_OUTLET


def nice_day(day: date | None) -> str:
    """A date as "4 Oct 2023"."""
    return f"{day.day} {day:%b %Y}" if day else ""


def dateline(outlet: str | None, published_at: str | None) -> str:
    """ "Outlet · 4 Oct 2023" (plain text)."""
    return " · ".join(x for x in (outlet or "", nice_day(day_of(published_at))) if x)


def day_of(iso: str | None) -> date | None:
    """The calendar day of an ISO 8601 timestamp, or None when missing, unreadable or implausible.

    An index built before dates were checked may hold 0001-01-01 or 9999-12-31: such a day is shown as undated,
    since it is a typo and the timeline's date arithmetic would overflow at the ends of the calendar.
    """
    if not iso:
        return None
    try:
        day = datetime.fromisoformat(iso).date()
    except ValueError:
        return None
    return day if in_range(day) else None
