"""Outlet comparison: what each outlet's passages say about the question, side by side."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from bot.views.evidence import Evidence, day_of, outlet_of
from index.documents import Chunk
from index.embedding import Embedder
from index.sentence_kinds import prose_spans, sentence_key
from index.text import analyze

MAX_STATEMENTS_PER_OUTLET = 3


# A statement must reach this share of the best statement's relevance (and a floor) to be shown.
RELATIVE_STATEMENT_CUTOFF = 0.6


MIN_STATEMENT_SIMILARITY = 0.2


OUTLET_MARGIN = 0.08


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
    question: str, evidence: Sequence[Evidence], embedder: Embedder, per_outlet: int = MAX_STATEMENTS_PER_OUTLET,
    repeated: Collection[str] = frozenset(),
) -> list[OutletColumn]:
    """Group the evidence by outlet: each outlet's most relevant prose statements, each cited by its passage
    (`repeated`: the corpus's boilerplate keys, never a statement)."""
    candidates: list[tuple[Evidence, int, int]] = []
    seen: set[tuple[str, int]] = set()
    said: set[str] = set()  # a sentence syndicated to several outlets is shown once
    for ev in evidence:
        for start, end in prose_spans(ev.chunk.text, repeated):
            key = (ev.chunk.article_id, ev.chunk.start + start)
            sentence = ev.chunk.text[start:end]
            if key in seen or len(sentence.split()) < 4 or sentence_key(sentence) in said:
                continue
            seen.add(key)
            said.add(sentence_key(sentence))
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
    # Cached: opening the tab again, or another question on the same story, embeds nothing new.
    in_context = _unit(embedder.embed_cached([f"{t}. {s}" for t, s in zip(titles, sentences)])) @ query
    alone = _unit(embedder.embed_cached(list(sentences))) @ query
    q_terms = set(analyze([question])[0])
    overlap = np.array(
        [len(q_terms & set(terms)) / len(q_terms) if q_terms else 0.0 for terms in analyze(list(sentences))]
    )
    return np.asarray(0.4 * in_context + 0.35 * alone + 0.25 * overlap, dtype=np.float32)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.asarray(vectors / np.where(norms == 0, 1.0, norms))
