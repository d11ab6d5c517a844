"""News-discourse views of an answer's evidence: coverage timeline, outlet comparison, quotes, search scope."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from bot.retrieval import Filters
from bot.types import Answer
from index.chunking import sentence_spans
from index.documents import Chunk
from index.embedding import Embedder
from index.lexical import analyze

UNKNOWN_OUTLET = "Unknown outlet"
MAX_STATEMENTS_PER_OUTLET = 3
# A statement must reach this share of the best statement's relevance (and a floor) to be shown.
RELATIVE_STATEMENT_CUTOFF = 0.6
MIN_STATEMENT_SIMILARITY = 0.2
OUTLET_MARGIN = 0.08
MIN_QUOTE_WORDS = 4


@dataclass(frozen=True)
class Evidence:
    """A passage behind an answer: cited ones keep their marker `n`, other retrieved ones are numbered after."""

    n: int
    chunk: Chunk
    cited: bool
    start: int  # span to highlight in chunk.text (the cited quote; empty for uncited passages)
    end: int


def gather_evidence(answer: Answer) -> list[Evidence]:
    """Every passage the answer drew on: its citations first, then the retrieved passages it did not cite."""
    out = [Evidence(c.n, c.chunk, True, c.quote_start, c.quote_end) for c in answer.citations]
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
    return chunk.source or UNKNOWN_OUTLET


def day_of(iso: str | None) -> date | None:
    """The calendar day of an ISO 8601 timestamp, or None when missing or unreadable."""
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).date()
    except ValueError:
        return None


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


# ---------------------------------------------------------------- outlet comparison


@dataclass(frozen=True)
class Statement:
    """A sentence of a passage, cited as `[n]`, with its span in the passage."""

    n: int
    chunk: Chunk
    start: int
    end: int
    score: float

    @property
    def text(self) -> str:
        """The statement, verbatim from the passage (line breaks collapsed)."""
        return re.sub(r"\s*\n\s*", " ", self.chunk.text[self.start : self.end].strip())


@dataclass(frozen=True)
class OutletColumn:
    """What one outlet's retrieved passages say on the question."""

    outlet: str
    statements: tuple[Statement, ...]
    articles: tuple[tuple[str, date | None], ...]  # (title, day) of the outlet's articles in the evidence


def compare_outlets(
    question: str, evidence: Sequence[Evidence], embedder: Embedder, per_outlet: int = MAX_STATEMENTS_PER_OUTLET
) -> list[OutletColumn]:
    """Group the evidence by outlet: each outlet's most relevant statements, each cited by its passage."""
    candidates: list[tuple[Evidence, int, int]] = []
    seen: set[tuple[str, int]] = set()
    for ev in evidence:
        for start, end in sentence_spans(ev.chunk.text):
            key = (ev.chunk.article_id, ev.chunk.start + start)
            sentence = ev.chunk.text[start:end]
            if key in seen or len(sentence.split()) < 4:
                continue
            seen.add(key)
            candidates.append((ev, start, end))
    if not candidates:
        return []
    # The headline gives a sentence the context it leaves out ("the work" → which work).
    scores = _relevance(
        question, [ev.chunk.text[s:e] for ev, s, e in candidates], [ev.chunk.title for ev, _, _ in candidates],
        embedder,
    )
    cited_spans = {(ev.chunk.id, ev.start, ev.end) for ev in evidence if ev.cited}
    best = float(scores.max())
    floor = max(MIN_STATEMENT_SIMILARITY, RELATIVE_STATEMENT_CUTOFF * best)
    grouped: dict[str, list[Statement]] = {}
    for (ev, start, end), score in zip(candidates, scores):
        # A sentence the answer itself cites is always relevant enough to show.
        if score < floor and (ev.chunk.id, start, end) not in cited_spans:
            continue
        grouped.setdefault(outlet_of(ev.chunk), []).append(Statement(ev.n, ev.chunk, start, end, float(score)))
    columns = []
    for outlet, statements in grouped.items():
        statements.sort(key=lambda st: st.score, reverse=True)
        # An outlet's column keeps its best statement and those nearly as good, not every passable one.
        top = [st for st in statements if st.score >= statements[0].score - OUTLET_MARGIN][:per_outlet]
        top.sort(key=lambda st: (st.n, st.start))
        articles: dict[str, tuple[str, date | None]] = {}
        for ev in evidence:
            if outlet_of(ev.chunk) == outlet:
                articles.setdefault(ev.chunk.article_id, (ev.chunk.title, day_of(ev.chunk.published_at)))
        columns.append(OutletColumn(outlet, tuple(top), tuple(articles.values())))
    columns.sort(key=lambda col: max(s.score for s in col.statements), reverse=True)
    return columns


def _relevance(question: str, sentences: Sequence[str], titles: Sequence[str], embedder: Embedder) -> np.ndarray:
    """How well each sentence answers: similarity with and without its headline, plus shared content terms."""
    query = _unit(embedder.embed_query(question))
    in_context = _unit(embedder.embed_texts([f"{t}. {s}" for t, s in zip(titles, sentences)])) @ query
    alone = _unit(embedder.embed_texts(list(sentences))) @ query
    q_terms = set(analyze([question])[0])
    overlap = np.array(
        [len(q_terms & set(terms)) / len(q_terms) if q_terms else 0.0 for terms in analyze(list(sentences))]
    )
    return np.asarray(0.4 * in_context + 0.35 * alone + 0.25 * overlap, dtype=np.float32)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.asarray(vectors / np.where(norms == 0, 1.0, norms))


# ---------------------------------------------------------------- quotes

QUOTE_PAIRS = re.compile(r"“([^”\n]+)”|\"([^\"\n]+)\"")
# A capitalised word, an initial or an abbreviated title; names never run across a sentence end or line.
_CAP = r"(?:(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Capt|St|Jr)\.|[A-Z]\.|[A-Z][\w\-]*(?:['’](?!s\b)[A-Za-z]+)?)"
NAME = rf"{_CAP}(?:[ \t]+(?:(?:de|van|von|der|da|al|bin|la|le)[ \t]+)?{_CAP}){{0,3}}"
_VERBS = (
    r"(?:said|says|say|told|tells|added|adds|wrote|writes|stated|states|explained|explains|noted|notes|"
    r"argued|argues|warned|warns|insisted|insists|claimed|claims|recalled|recalls|replied|asked|asks|"
    r"continued|declared|announced|tweeted|posted|admitted|admits|emphasized|emphasised|acknowledged|joked)"
)
# `"…," said glaciologist Matthias Huss` / `"…," said the mayor, Dana Reyes`
_ROLE = rf"(?:(?:{NAME}[’']s|the|(?:[A-Z]\.){{2,}}|[a-z][\w'’\-]*),?[ \t]+)"
_AFTER_VERB_NAME = re.compile(rf"^[\s,]*{_VERBS}[ \t]+{_ROLE}{{0,4}}({NAME})(?![’']s)")
# `"…," Reyes said` / `"…," prosecutor Dana Wu said`
_AFTER_NAME_VERB = re.compile(rf"^[\s,]*{_ROLE}{{0,3}}({NAME})[ \t]+(?:[a-z]+[ \t]+)?{_VERBS}\b")
# `"…", according to Dana Reyes`
_AFTER_ACCORDING = re.compile(rf"^[\s,]*according[ \t]+to[ \t]+{_ROLE}{{0,3}}({NAME})(?![’']s)")
# `Coach Helen Marsh said the team had "…"` / `Reyes told reporters: "…"`
_BEFORE = re.compile(rf"(?<![\w’'\-])({NAME})(?:,[^,.!?\n]{{1,60}},)?[ \t]+{_VERBS}\b[^.!?\"“”\n]{{0,80}}$")
# Capitalised words that begin sentences or are pronouns, never a speaker on their own.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


NOT_NAMES = _words(
    "The A An He She It They We I You This That These Those There Here His Her Their Its Our But And Or "
    "So Then When While If As In On At For From By With After Before Some Many Most Others Officials "
    "Critics Experts Analysts Sources Fans Residents People Everyone Nobody Someone I’m I'm Advertisement"
)
HONORIFICS = _words(
    "Mr Mr. Mrs Mrs. Ms Ms. Dr Dr. Prof Prof. Sir Dame Mayor President Coach Councillor Councilman "
    "Councilwoman Senator Sen. Rep. Governor Gov. Minister Judge Chancellor Captain Capt. General Gen. "
    "Chief Director Professor Sheriff Officer"
)


@dataclass(frozen=True)
class Quote:
    """A quoted statement in a passage: its words, who said it (when the text names them), and where."""

    text: str
    speaker: str | None
    n: int
    chunk: Chunk
    start: int  # span of the quoted words in chunk.text
    end: int


def find_quotes(text: str) -> list[tuple[int, int, str | None]]:
    """Quoted statements in `text`: (start, end) of the quoted words and the speaker the text names, if any."""
    out: list[tuple[int, int, str | None]] = []
    previous: tuple[int, str | None] = (-1, None)  # where the last statement's closing mark was, its speaker
    for match in QUOTE_PAIRS.finditer(text):
        group = 1 if match.group(1) is not None else 2
        start, end = match.span(group)
        if len(text[start:end].split()) < MIN_QUOTE_WORDS:
            continue  # scare quotes and titles, not statements
        speaker = _speaker(text, match.start(), match.end())
        last_end, last_speaker = previous
        if speaker is None and last_speaker and _continues(text[last_end : match.start()]):
            speaker = last_speaker
        out.append((start, end, speaker))
        previous = (match.end(), speaker)
    return out


def _continues(between: str) -> bool:
    """Whether a quote with no attribution of its own continues the previous one: same paragraph, close by."""
    return "\n" not in between and len(between) <= 80


def _speaker(text: str, open_at: int, close_at: int) -> str | None:
    after = text[close_at : close_at + 120]
    before = text[max(0, open_at - 160) : open_at]
    before = re.split(r"(?<=[.!?])\s+|\n", before)[-1].rstrip(" :,\u00a0")  # only the quote's own sentence
    for pattern in (_AFTER_VERB_NAME, _AFTER_NAME_VERB, _AFTER_ACCORDING):
        found = pattern.search(after)
        if found and (name := clean_name(found.group(1))):
            return _full_name(name, text)
    # The attribution nearest the quote wins ("He added that Janes said: ...").
    named = None
    pos = 0
    while found := _BEFORE.search(before, pos):
        named = clean_name(found.group(1)) or named
        pos = found.start(1) + 1
    return _full_name(named, text) if named else None


def clean_name(raw: str) -> str | None:
    """A person or organisation name from a run of capitalised words, or None when it names nobody."""
    tokens = raw.split()
    # Keep only what follows a possessive ("Bayern’s"), a shouted word ("CEO", "NEWS") or a
    # capitalised non-name ("As"): what precedes them is an employer, a heading or a sentence start.
    cut = 0
    for i, token in enumerate(tokens[:-1]):
        if token.endswith(("’s", "'s")) or token in NOT_NAMES or _shouted(token):
            cut = i + 1
    tokens = [t for t in tokens[cut:] if not t.endswith(("’s", "'s"))]
    while tokens and (tokens[0] in HONORIFICS or tokens[0] in NOT_NAMES):
        tokens = tokens[1:]
    if not tokens or tokens[-1] in NOT_NAMES:
        return None
    name = " ".join(tokens).rstrip(".,")
    return name if sum(ch.isalpha() for ch in name) >= 2 else None


def _shouted(token: str) -> bool:
    letters = [ch for ch in token if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _full_name(name: str, text: str) -> str:
    """Expand a surname ("Reyes") to the form the same text uses most ("Dana Reyes")."""
    if " " in name:
        return name
    forms: dict[str, int] = {}
    for found in re.finditer(rf"(?<![\w’'])((?:{_CAP}[ \t]+){{1,2}}){re.escape(name)}\b", text):
        candidate = clean_name(found.group(0))
        if candidate and candidate != name and candidate.endswith(name):
            forms[candidate] = forms.get(candidate, 0) + 1
    if not forms:
        return name
    return max(forms, key=lambda form: (forms[form], len(form)))


def quotes_in(evidence: Sequence[Evidence]) -> list[Quote]:
    """Every quoted statement in the evidence once, those with a named speaker first, each in evidence order.

    A statement repeated in an article (overlapping passages, a pull quote) is kept once, with its speaker if
    any of its occurrences names one.
    """
    kept: dict[tuple[str, str], Quote] = {}
    for ev in evidence:
        for start, end, speaker in find_quotes(ev.chunk.text):
            quote = Quote(ev.chunk.text[start:end].strip(), speaker, ev.n, ev.chunk, start, end)
            key = (ev.chunk.article_id, " ".join(quote.text.lower().split()))
            if key not in kept or (speaker and not kept[key].speaker):
                kept[key] = quote if key not in kept else _with_speaker(kept[key], speaker)
    quotes = list(kept.values())
    return [q for q in quotes if q.speaker] + [q for q in quotes if not q.speaker]


def _with_speaker(quote: Quote, speaker: str | None) -> Quote:
    return Quote(quote.text, speaker, quote.n, quote.chunk, quote.start, quote.end)


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
        outlets=tuple(sorted({s for s in fields["source"] if s})),
        categories=tuple(sorted({c for c in fields["category"] if c})),
        first_day=_day_of_ts(min(stamps)) if stamps else None,
        last_day=_day_of_ts(max(stamps)) if stamps else None,
        articles=len(set(fields["article_id"])),
        chunks=len(fields["article_id"]),
    )


def describe_scope(filters: Filters, profile: CorpusProfile) -> str:
    """What a search covered, e.g. "searched 3 of 9 outlets (A, B, C), Oct–Nov 2023"."""
    total = len(profile.outlets)
    if filters.sources:
        n = len(filters.sources)
        names = ", ".join(filters.sources[:3]) + (f" and {n - 3} more" if n > 3 else "")
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
