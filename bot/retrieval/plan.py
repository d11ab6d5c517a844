"""Question understanding without an LLM: outlets and dates named in a question, and its clauses.

Outlets are matched against the corpus's own list of sources (never a hard-coded list); each clause of a
multi-part question becomes a sub-query so every piece of evidence can win a slot in the results.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from index.text import MONTHS, STOPWORDS, WORD, sentence_spans

DateRange = tuple[int, int]  # Unix seconds, inclusive

_OUTLET_SEPARATOR = re.compile(r"\s[|:-]\s|:\s")
_MIN_SHORT_ALIAS = 5  # "Verge" from "The Verge" is distinctive; "Age" from "The Age" is not
_DOMAIN = re.compile(r"\.(?:com|co\.uk|org|net|io|news)$", re.I)
_CASE_BREAK = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def outlet_aliases(sources: Iterable[str]) -> list[tuple[str, frozenset[str]]]:
    """Lower-cased names a question may use for each outlet, longest first.

    "The Independent - Sports" is also "The Independent" (shared with its sister sections) and
    "Cnbc | World Business News Leader" is also "Cnbc", and "CBSSports.com" is also "CBS Sports".
    """
    table: dict[str, set[str]] = defaultdict(set)
    for source in sources:
        forms = {source.strip(), _OUTLET_SEPARATOR.split(source)[0].strip()}
        site = _DOMAIN.sub("", source.strip())
        if site != source.strip() and " " not in site:  # a site's address as its name: "CBSSports.com"
            forms.add(_CASE_BREAK.sub(" ", site))
        for form in list(forms):
            if form.lower().startswith("the ") and len(form) - 4 >= _MIN_SHORT_ALIAS:
                forms.add(form[4:])
        for form in forms:
            if len(form) >= 3:
                table[form.lower()].add(source)
    return sorted(((alias, frozenset(s)) for alias, s in table.items()), key=lambda kv: (-len(kv[0]), kv[0]))


@dataclass(frozen=True)
class Mention:
    """A span of the question naming outlets or a date."""

    start: int
    end: int
    outlets: frozenset[str] = frozenset()
    dates: DateRange | None = None


def find_outlets(question: str, aliases: list[tuple[str, frozenset[str]]]) -> list[Mention]:
    """Outlet mentions, capitalised as proper names, longest alias first, non-overlapping; in a question typed
    all in lower case, those written as a source is ("by the verge", "techcrunch's article", "fortune reported")."""
    lowered = question.lower()
    uncased = question == lowered
    found: list[Mention] = []
    for alias, outlets in aliases:
        for match in re.finditer(r"(?<!\w)" + re.escape(alias) + r"(?!\w)", lowered):
            start, end = match.span()
            if uncased and not (_SOURCE_BEFORE.search(lowered[max(0, start - 30):start])
                                or _SOURCE_AFTER.match(lowered, end)):
                continue  # "on the verge of": without capitals, only where a source is named
            if not uncased and not question[start].isupper() and not question[start].isdigit():
                continue  # "wired" the adjective is not Wired the outlet
            if any(start < m.end and m.start < end for m in found):
                continue
            found.append(Mention(start, end, outlets=outlets))
    return sorted(found, key=lambda m: m.start)


# Where a question typed in lower case names a source: "reported by the verge", "according to techcrunch", "the
# techcrunch article", "fortune reported".
_SOURCE_BEFORE = re.compile(r"(?:\b(?:by|from|in|per|to|and|or|both|did|does|do|according to)|,)\s+(?:the\s+)?$")
_SOURCE_AFTER = re.compile(r"(?:['’]s)?\s+(?:article|articles|report|reports|reported|reporting|story|stories|piece|"
                           r"published|wrote|writes|say|says|said|claims|claimed|suggests|suggested|noted|notes|"
                           r"indicated|indicates|covered|coverage|mentioned|mentions|described|discussed)\b")


_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?!\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(\d{4}))?"
_MONTH_DAY = re.compile(r"\b" + _MONTH + r"\s+" + _DAY + _YEAR, re.I)
_DAY_MONTH = re.compile(r"\b" + _DAY + r"\s+(?:of\s+)?" + _MONTH + _YEAR, re.I)
_MONTH_YEAR = re.compile(r"\b" + _MONTH + r"\s+(?:of\s+)?(\d{4})\b", re.I)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_BEFORE = re.compile(r"\b(before|prior to|until|earlier than)\s+(?:the\s+)?$", re.I)
_AFTER = re.compile(r"\b(after|since|following|later than)\s+(?:the\s+)?$", re.I)
_DAY_SECONDS = 86400


def _day_range(year: int, month: int, day: int, slack_days: int) -> DateRange | None:
    try:
        moment = dt.datetime(year, month, day, tzinfo=dt.UTC)
    except ValueError:
        return None
    start = int(moment.timestamp())
    return start - slack_days * _DAY_SECONDS, start + (1 + slack_days) * _DAY_SECONDS - 1


def _month_range(year: int, month: int) -> DateRange:
    start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=dt.UTC)
    return int(start.timestamp()), int(end.timestamp()) - 1


def find_dates(question: str, default_year: int, slack_days: int = 1) -> list[Mention]:
    """Dates named in the question as time ranges; "after X"/"before X" open the range on one side.

    A day without a year takes `default_year` (the corpus's latest year); a day matches ±`slack_days`
    because outlets and feeds disagree on time zones.
    """
    found: list[Mention] = []

    def add(start: int, end: int, span: DateRange | None) -> None:
        if span is None or any(start < m.end and m.start < end for m in found):
            return
        prefix = question[max(0, start - 20):start]
        if _BEFORE.search(prefix):
            span = (0, span[0] - 1)
        elif _AFTER.search(prefix):
            span = (span[1] + 1, 2**40)
        found.append(Mention(start, end, dates=span))

    for m in _ISO_DATE.finditer(question):
        add(m.start(), m.end(), _day_range(int(m[1]), int(m[2]), int(m[3]), slack_days))
    for m in _MONTH_DAY.finditer(question):
        if _is_month_word(question, m.start()):
            add(m.start(), m.end(), _day_range(int(m[3] or default_year), MONTHS[m[1].lower()], int(m[2]), slack_days))
    for m in _DAY_MONTH.finditer(question):
        add(m.start(), m.end(), _day_range(int(m[3] or default_year), MONTHS[m[2].lower()], int(m[1]), slack_days))
    for m in _MONTH_YEAR.finditer(question):
        if _is_month_word(question, m.start()):
            add(m.start(), m.end(), _month_range(int(m[2]), MONTHS[m[1].lower()]))
    return sorted(found, key=lambda m: m.start)


def _is_month_word(text: str, start: int) -> bool:
    # "may" and "march" are also verbs: only a capitalised word is a month.
    return text[start].isupper()


_CLAUSE_BREAK = re.compile(
    r",\s+(?!\d{4}\b)(?:and\s+|while\s+|whereas\s+|but\s+)?|;\s+"
    r"|\s+(?:while|whereas|but also|and also|as well as|compared to|compared with)\s+"
    r"|\s+and\s+(?=(?:the|a|an)\s)",
    re.I,
)
MIN_CLAUSE_WORDS = 4
# Distinct content words a part needs besides the outlets and dates it names: "as reported by Fortune and
# TechCrunch?" has four words and asks nothing (it only scopes), nor does "Who is the individual that".
MIN_CLAUSE_TERMS = 2
_TRAILING_JOINER = re.compile(
    r"[\s,;]+(?:and|or|while|whereas|but|compared to|compared with|as well as)?[\s,;]*$", re.I
)


def clause_spans(question: str) -> list[tuple[int, int]]:
    """Spans of the question's clauses long enough to retrieve on their own; a sentence ends a clause
    ("Who did Time name Person of the Year? The Independent covered it" asks one thing and names a source)."""
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans(question):
        last = start
        for match in _CLAUSE_BREAK.finditer(question, start, end):
            spans.append((last, match.start()))
            last = match.end()
        spans.append((last, end))
    return [(a, b) for a, b in spans if len(question[a:b].split()) >= MIN_CLAUSE_WORDS]


def without_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with each span (clipped to it; overlaps allowed) blanked by spaces, so every offset stays."""
    for a, b in spans:
        a, b = max(a, 0), min(b, len(text))
        if a < b:
            text = text[:a] + " " * (b - a) + text[b:]
    return text


def asks_something(part: str) -> bool:
    """Whether a part of a question (its outlets and dates blanked) says enough to be searched on its own."""
    words = WORD.findall(part)
    content = {w.lower() for w in words} - STOPWORDS
    return len(words) >= MIN_CLAUSE_WORDS and len(content) >= MIN_CLAUSE_TERMS


@dataclass(frozen=True)
class SubQuery:
    """One part of a question, with the outlets and dates that part names."""

    text: str
    outlets: frozenset[str] = frozenset()
    dates: tuple[DateRange, ...] = ()
    clause: bool = True  # a clause of the question; False for the text after an outlet's mention (a search aid)
    subject: str = ""  # the text with the outlets and dates it names blanked: what its passages must say


@dataclass(frozen=True)
class QueryPlan:
    """What retrieval does for a question: the whole question plus one sub-query per part."""

    question: str
    outlets: frozenset[str]
    dates: tuple[DateRange, ...]
    subqueries: tuple[SubQuery, ...]
    outlet_spans: tuple[tuple[int, int], ...] = ()  # where the question names outlets (character offsets)
    date_spans: tuple[tuple[int, int], ...] = ()  # where it names dates that retrieval applies
    outlet_groups: tuple[frozenset[str], ...] = ()  # the indexed outlets each of outlet_spans names

    @property
    def subject(self) -> str:
        """The question with the outlets and dates it names blanked: what its passages must say."""
        return without_spans(self.question, self.outlet_spans + self.date_spans)


# Bounds on what one question can make retrieval do: each sub-query is a search, each date range a clause of
# Chroma's `where` (the same date named 1,000 times made "Expression tree is too large").
MAX_SUBQUERIES = 16
MAX_DATE_RANGES = 8


def bounded_ranges(ranges: Iterable[DateRange]) -> tuple[DateRange, ...]:
    """The date ranges without repeats; past MAX_DATE_RANGES, overlapping ones merged, then their hull."""
    unique = tuple(dict.fromkeys(ranges))
    if len(unique) <= MAX_DATE_RANGES:
        return unique
    merged: list[DateRange] = []
    for lo, hi in sorted(unique):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    if len(merged) <= MAX_DATE_RANGES:
        return tuple(merged)
    return ((merged[0][0], max(hi for _, hi in merged)),)  # a superset of them all: nothing named is left out


def plan_query(question: str, aliases: list[tuple[str, frozenset[str]]], default_year: int) -> QueryPlan:
    """Split a question into sub-queries, each carrying the outlets and dates it names."""
    outlets = find_outlets(question, aliases)
    dates = find_dates(question, default_year)
    all_outlets = frozenset().union(*(m.outlets for m in outlets))
    all_dates = bounded_ranges(m.dates for m in dates if m.dates)

    def inside(mentions: list[Mention], a: int, b: int) -> list[Mention]:
        return [m for m in mentions if a <= m.start < b]

    outlet_spans = tuple((m.start, m.end) for m in outlets)
    date_spans = tuple((m.start, m.end) for m in dates if m.dates)
    scope = outlet_spans + date_spans

    def subject(a: int, b: int) -> str:
        return without_spans(question[a:b], [(s - a, e - a) for s, e in scope])

    subqueries: list[SubQuery] = []
    if len(question.split()) >= 2 * MIN_CLAUSE_WORDS:
        for a, b in clause_spans(question):
            words = subject(a, b)
            if not asks_something(words):
                continue
            own = inside(outlets, a, b)
            outlets_named = frozenset().union(*(m.outlets for m in own)) if own else all_outlets
            own_dates = bounded_ranges(m.dates for m in inside(dates, a, b) if m.dates)
            subqueries.append(SubQuery(question[a:b].strip(), outlets_named, own_dates, subject=words.strip()))
        # Each outlet mention also gets the text up to the next one: "the Verge article on X".
        for i, mention in enumerate(outlets):
            end = outlets[i + 1].start if i + 1 < len(outlets) else len(question)
            text = _TRAILING_JOINER.sub("", question[mention.start:end]).strip(" ,;?")
            words = subject(mention.start, mention.start + len(text))
            if asks_something(words):
                own_dates = bounded_ranges(m.dates for m in inside(dates, mention.start, end) if m.dates)
                subqueries.append(SubQuery(text, mention.outlets, own_dates, clause=False, subject=words.strip()))
    first: dict[tuple[str, frozenset[str], tuple[DateRange, ...]], SubQuery] = {}
    for sub in subqueries:
        if sub.text != question.strip():
            first.setdefault((sub.text, sub.outlets, sub.dates), sub)  # a clause wins over a search aid alike
    unique = tuple(first.values())[:MAX_SUBQUERIES]
    if len(unique) == 1 and not outlets and not dates:
        unique = ()  # one clause is the question itself
    return QueryPlan(question, all_outlets, all_dates, unique, outlet_spans, date_spans,
                     tuple(m.outlets for m in outlets))
