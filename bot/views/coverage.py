"""A topic's coverage: every article on the question's topic, not only the answer's passages, by outlet and week,
with one representative statement per outlet.

An answer reads a handful of passages; the Timeline and Compare outlets tabs ask a wider question: who covered this
topic, when, and what did each outlet say. The topic is searched with the question itself, deeper
(TOPIC_PASSAGES), under the page's filters and the outlets and dates the question names. An article belongs to the
topic when its best passage stands nearly as far above the corpus's usual similarity to the question as the best
article's does (a share of the z-score, so the cut adapts to each question instead of a fixed similarity).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np

from bot.retrieval.filters import Filters
from bot.retrieval.plan import DateRange
from bot.retrieval.retriever import Retriever
from bot.views.evidence import Evidence, day_of, outlet_of
from index.documents import Chunk, timestamp_of
from index.embedding import Embedder
from index.sentence_kinds import prose_spans, sentence_key
from index.sentences import SentenceVectors

TOPIC_PASSAGES = 80  # passages searched for the topic (the answer reads settings.top_k, 8 by default)
TOPIC_SHARE = 0.6  # an article's z-score must reach this share of the best article's ...
MIN_TOPIC_Z = 0.5  # ... and half a spread above the corpus's mean similarity to the question
MIN_STATEMENT_WORDS = 8  # a representative statement says something: not a dateline or a fragment
SAME_STATEMENT = 0.95  # cosine above which two outlets' sentences are the same statement reworded
# A sentence that opens by pointing back ("But that...", "It also...", "For example, ...") leans on the one before
# it, so it reads poorly alone; English function words, not phrases of any one corpus.
_LEANS_BACK = re.compile(
    r"^[\"'“‘(]*(?:but|and|or|so|yet|also|however|still|then|that|this|these|those|it|its|they|them|their|he|she|"
    r"his|her|such|here|there|for example|for instance|in turn|instead|meanwhile)\b", re.I)
LEANS_BACK_PENALTY = 0.1


@dataclass(frozen=True)
class TopicArticle:
    """An article on the topic, with the passage a click opens (`n`, the span to highlight)."""

    article_id: str
    title: str
    outlet: str
    day: date | None
    url: str | None
    n: int  # the answer's marker when the answer read this article, else a number after the answer's
    chunk: Chunk
    start: int
    end: int
    score: float  # how far its best passage stands above the corpus's similarity to the question (z-score)
    cited: bool  # the answer cites it
    in_answer: bool  # the answer read it (cited or not)


@dataclass(frozen=True)
class TopicStatement:
    """One outlet's representative prose sentence on the topic, in a passage of one of its articles."""

    article: TopicArticle
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
class OutletCoverage:
    """One outlet's articles on the topic, per week, and its representative statement."""

    outlet: str
    articles: tuple[TopicArticle, ...]  # by date
    weeks: tuple[tuple[date, int], ...]  # (Monday, articles that week), weeks with none left out
    statement: TopicStatement | None


@dataclass(frozen=True)
class Coverage:
    """Who covered the topic, when, and what each outlet said."""

    question: str
    articles: tuple[TopicArticle, ...]  # by date, undated last
    outlets: tuple[OutletCoverage, ...]  # most articles first
    weeks: tuple[tuple[date, int], ...]  # every week from the first article's to the last's, zeros included
    passages: int  # passages the topic search returned
    seconds: float  # what the topic search and the statements took
    held: tuple[tuple[int, Chunk], ...] = ()  # passages a click opens that the answer did not read: (n, chunk)

    @property
    def answer_articles(self) -> int:
        """How many of the articles the answer read."""
        return sum(1 for a in self.articles if a.in_answer)


def week_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def topic_filters(filters: Filters, outlets: frozenset[str], dates: Sequence[DateRange]) -> Filters | None:
    """The page's filters narrowed to the outlets and the span of dates the question names; None when they
    exclude each other (nothing can match)."""
    chosen = tuple(o for o in filters.outlets if not outlets or o in outlets) if filters.outlets else tuple(
        sorted(outlets))
    if filters.outlets and outlets and not chosen:
        return None
    lo, hi = filters.date_from, filters.date_to
    if dates:
        lo = max(lo, min(a for a, _ in dates)) if lo is not None else min(a for a, _ in dates)
        hi = min(hi, max(b for _, b in dates)) if hi is not None else max(b for _, b in dates)
    if lo is not None and hi is not None and lo > hi:
        return None
    return Filters(outlets=chosen, categories=filters.categories, date_from=lo, date_to=hi)


def _in_scope(chunk: Chunk, scope: Filters, dates: Sequence[DateRange]) -> bool:
    """Whether a passage is within the topic's filters and one of the question's date ranges."""
    if scope.outlets and chunk.outlet not in scope.outlets:
        return False
    if scope.categories and chunk.category not in scope.categories:
        return False
    if scope.date_from is None and scope.date_to is None and not dates:
        return True
    ts = timestamp_of(chunk.published_at)
    if ts is None:
        return False
    if (scope.date_from is not None and ts < scope.date_from) or (scope.date_to is not None and ts > scope.date_to):
        return False
    return not dates or any(a <= ts <= b for a, b in dates)


def topic_coverage(
    retriever: Retriever, question: str, filters: Filters, evidence: Sequence[Evidence] = (),
    passages: int = TOPIC_PASSAGES,
) -> Coverage:
    """The topic's articles (the answer's cited ones always among them), by outlet and week, and one statement per
    outlet that no other outlet repeats."""
    began = time.perf_counter()
    plan = retriever.plan(question)
    scope = topic_filters(filters, plan.outlets, plan.dates)
    hits = retriever.retrieve(question, passages, scope) if scope is not None else []
    chunks = {h.chunk.id: h.chunk for h in hits if scope is not None and _in_scope(h.chunk, scope, plan.dates)}
    searched = len(hits)
    for ev in evidence:  # the answer's passages: cited ones always, the others when within the topic's scope
        if ev.cited or (scope is not None and _in_scope(ev.chunk, scope, plan.dates)):
            chunks.setdefault(ev.chunk.id, ev.chunk)
    vector = retriever.embedder.embed_query(question)
    mean, spread = retriever.similarity_scale(vector)
    sims = retriever.collection.similarities(list(chunks), vector) if chunks else {}
    z = {cid: (sims.get(cid, mean) - mean) / spread for cid in chunks}
    kept = _topic_articles(chunks, z, evidence)
    articles = _number(kept, chunks, z, evidence)
    sentences = retriever.snapshot.sentences
    statements = _statements(question, articles, kept, retriever, sentences, evidence)
    coverage = _assemble(question, articles, statements, searched, time.perf_counter() - began)
    read = {ev.chunk.id for ev in evidence}
    held = {(a.n, a.chunk.id): a.chunk for a in articles} | {(st.n, st.chunk.id): st.chunk for st in statements}
    return replace(coverage, held=tuple(sorted((n, c) for (n, cid), c in held.items() if cid not in read)))


def _topic_articles(
    chunks: dict[str, Chunk], z: dict[str, float], evidence: Sequence[Evidence]
) -> dict[str, list[Chunk]]:
    """The articles on the topic, each with its passages best first: those whose best passage passes the cut,
    and every article the answer cites."""
    cited = {ev.chunk.article_id for ev in evidence if ev.cited}
    by_article: dict[str, list[Chunk]] = {}
    for chunk in chunks.values():
        by_article.setdefault(chunk.article_id, []).append(chunk)
    best = {aid: max(z[c.id] for c in items) for aid, items in by_article.items()}
    top = max(best.values(), default=0.0)
    cut = max(MIN_TOPIC_Z, TOPIC_SHARE * top)
    return {aid: sorted(items, key=lambda c: -z[c.id]) for aid, items in by_article.items()
            if best[aid] >= cut or aid in cited}


def _number(
    kept: dict[str, list[Chunk]], chunks: dict[str, Chunk], z: dict[str, float], evidence: Sequence[Evidence]
) -> list[TopicArticle]:
    """One TopicArticle per kept article: the answer's passage of it when the answer read it (cited first), else its
    best passage under a new number after the answer's."""
    by_article: dict[str, list[Evidence]] = {}
    for ev in evidence:
        by_article.setdefault(ev.chunk.article_id, []).append(ev)
    next_n = max((ev.n for ev in evidence), default=0) + 1
    out = []
    for aid, items in sorted(kept.items(), key=lambda kv: -z[kv[1][0].id]):
        read = sorted(by_article.get(aid, []), key=lambda ev: (not ev.cited, ev.n))
        chunk = read[0].chunk if read else items[0]
        if read:
            n, start, end = read[0].n, read[0].start, read[0].end
        else:
            n, start, end = next_n, 0, 0
            next_n += 1
        out.append(TopicArticle(
            aid, chunk.title, outlet_of(chunk), day_of(chunk.published_at), chunk.url, n, chunk, start, end,
            round(z[items[0].id], 3), any(ev.cited for ev in read), bool(read)))
    return out


@dataclass(frozen=True)
class _Candidate:
    article: TopicArticle
    chunk: Chunk
    start: int
    end: int


def _statements(
    question: str, articles: Sequence[TopicArticle], kept: dict[str, list[Chunk]], retriever: Retriever,
    sentences: SentenceVectors | None, evidence: Sequence[Evidence],
) -> list[TopicStatement]:
    """Each outlet's prose sentence most central to the topic: nearest to both the question and the centre of all
    the topic's sentences; a sentence another outlet already shows (verbatim or reworded) is never shown twice."""
    repeated = retriever.repeated
    candidates: list[_Candidate] = []
    for article in articles:
        for chunk in kept[article.article_id]:
            for start, end in prose_spans(chunk.text, repeated):
                if len(chunk.text[start:end].split()) >= MIN_STATEMENT_WORDS:
                    candidates.append(_Candidate(article, chunk, start, end))
    found, keep = _sentence_vectors(candidates, sentences, retriever.embedder)
    candidates = [candidates[i] for i in keep]
    if not candidates:
        return []
    vectors = _unit(found)
    query = _unit(retriever.embedder.embed_query(question)[None, :])[0]
    centre = _unit(vectors.mean(axis=0, keepdims=True))[0]
    # A sentence of the outlet's most on-topic article is preferred among equally central ones.
    top = max((a.score for a in articles), default=1.0) or 1.0
    weight = np.array([c.article.score / top for c in candidates], dtype=np.float32)
    scores = 0.55 * (vectors @ query) + 0.25 * (vectors @ centre) + 0.2 * weight
    scores -= LEANS_BACK_PENALTY * np.array([bool(_LEANS_BACK.match(c.chunk.text[c.start:c.end].lstrip()))
                                             for c in candidates], dtype=np.float32)
    numbers = {(ev.chunk.id): ev.n for ev in evidence} | {a.chunk.id: a.n for a in articles}
    next_n = max(numbers.values(), default=0) + 1
    by_outlet: dict[str, list[int]] = {}
    for i, cand in enumerate(candidates):
        by_outlet.setdefault(cand.article.outlet, []).append(i)
    counts = {o: len({candidates[i].article.article_id for i in idx}) for o, idx in by_outlet.items()}
    shown: list[int] = []
    keys: set[str] = set()
    out = []
    for outlet in sorted(by_outlet, key=lambda o: (-counts[o], o)):
        for i in sorted(by_outlet[outlet], key=lambda i: -scores[i]):
            cand = candidates[i]
            key = sentence_key(cand.chunk.text[cand.start:cand.end])
            if key in keys or any(float(vectors[i] @ vectors[j]) > SAME_STATEMENT for j in shown):
                continue
            if cand.chunk.id not in numbers:
                numbers[cand.chunk.id] = next_n
                next_n += 1
            keys.add(key)
            shown.append(i)
            out.append(TopicStatement(cand.article, numbers[cand.chunk.id], cand.chunk, cand.start, cand.end,
                                      round(float(scores[i]), 3)))
            break
    return out


def _sentence_vectors(
    candidates: Sequence[_Candidate], sentences: SentenceVectors | None, embedder: Embedder
) -> tuple[np.ndarray, list[int]]:
    """Vectors of the candidate sentences, and which candidates they are: the index's stored sentence vectors when it
    has them (no model run), else each sentence embedded now."""
    out = np.zeros((len(candidates), embedder.dim), dtype=np.float32)
    # A long passage's last sentences may have no stored vector (the model read only its first tokens).
    pooled = (sentences.pooled([(c.chunk, c.start, c.end) for c in candidates]) if sentences is not None
              else [None] * len(candidates))
    missing = []
    for i, vector in enumerate(pooled):
        if vector is None:
            missing.append(i)
        else:
            out[i] = vector
    if missing and sentences is not None:
        # The index has sentence vectors: a sentence without one is left out rather than run through the model
        # (embedding a few hundred sentences took 1-8 s on two CPU cores; the stored ones cost nothing).
        keep = [i for i in range(len(candidates)) if i not in set(missing)]
        return out[keep], keep
    if missing:
        out[missing] = embedder.embed_cached([candidates[i].chunk.text[candidates[i].start:candidates[i].end]
                                              for i in missing])
    return out, list(range(len(candidates)))


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.asarray(vectors / np.where(norms == 0, 1.0, norms), dtype=np.float32)


def _assemble(
    question: str, articles: list[TopicArticle], statements: list[TopicStatement], searched: int, seconds: float
) -> Coverage:
    """Articles by date, outlets by number of articles, and the week counts."""
    articles = sorted(articles, key=lambda a: (a.day is None, a.day or date.min, a.outlet, a.n))
    said = {st.article.outlet: st for st in statements}
    grouped: dict[str, list[TopicArticle]] = {}
    for article in articles:
        grouped.setdefault(article.outlet, []).append(article)
    outlets = [OutletCoverage(o, tuple(items), _weeks(items, fill=False), said.get(o))
               for o, items in sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    return Coverage(question, tuple(articles), tuple(outlets), _weeks(articles, fill=True), searched, seconds)


def _weeks(articles: Sequence[TopicArticle], fill: bool) -> tuple[tuple[date, int], ...]:
    """(Monday, articles that week) in order; with `fill`, every week of the span, those with none as 0."""
    counts: dict[date, int] = {}
    for a in articles:
        if a.day is not None:
            counts[week_of(a.day)] = counts.get(week_of(a.day), 0) + 1
    if not counts or not fill:
        return tuple(sorted(counts.items()))
    first, last = min(counts), max(counts)
    weeks = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    return tuple((w, counts.get(w, 0)) for w in weeks)
