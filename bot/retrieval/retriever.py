"""Hybrid, metadata-aware, multi-hop retrieval over Chroma (dense) and BM25 (lexical).

For each question: the whole question is ranked by a calibrated fusion of cosine similarity and BM25
(each turned into a z-score against the corpus, so neither scale dominates), with boosts for outlets and
dates the question names; every clause of the question is ranked again within the outlets it names; the
lists are merged by weighted reciprocal rank so each piece of a multi-part question gets a slot; the best
fused candidates are then reordered by a learned ranker over those same signals (bot/ranking.py), and no
article may take more than its share of the k places while others have candidates left.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from bot.retrieval.dense import DenseIndex, load_dense, top_rows
from bot.retrieval.features import CandidatePassage, Lists, candidate_features, idf_table, number_terms
from bot.retrieval.filters import Filters, _mask, _where, chunk_in_ranges, chunk_on_dates, rows_matching
from bot.retrieval.fusion import _fuse, hit_order
from bot.retrieval.plan import (
    DateRange,
    QueryPlan,
    SubQuery,
    outlet_aliases,
    plan_query,
    without_spans,
)
from bot.retrieval.ranker import RankerWeights, load_weights
from bot.types import Hit
from index.cache import LRUCache
from index.collection import ChunkCollection
from index.documents import OUTLET_KEY, Chunk
from index.embedding import Embedder
from index.sentences import passage_key
from index.settings import Settings
from index.snapshot import IndexSnapshot, open_snapshot, snapshot_files
from index.store import Store, open_store
from index.text import analyze

log = logging.getLogger(__name__)


MAIN_DEPTH = 50  # candidates per retriever for the whole question


SUB_DEPTH = 20  # candidates per retriever for each sub-query


DENSE_WEIGHT = 0.4  # share of the dense z-score in the fused score (BM25 gets the rest)


OUTLET_BOOST = 0.5  # z-score units added to chunks of outlets the question names


DATE_BOOST = 1.0  # z-score units added to chunks published in a date range the question names


SUB_WEIGHT = 1.0  # weight of each sub-query's list in the merge, relative to the whole question's


RANK_CANDIDATES = 60  # fused candidates the learned ranker reorders (they hold 90% of the dev gold facts)


CALIBRATION_SAMPLE = 2048  # stored embeddings used to estimate each query's similarity distribution


@dataclass
class _Pool:
    """Chunks seen while answering one question, so each is fetched from the store once, all from one snapshot
    (the chunk ids of its lists are read in that snapshot, even if a rebuild switches meanwhile)."""

    loaded: _Loaded
    chunks: dict[str, Chunk] = field(default_factory=dict)
    dense: dict[tuple[int, str], float] = field(default_factory=dict)
    lexical: np.ndarray | None = None  # BM25 scores of every chunk for the whole question (the first list)


Candidates = tuple[list[CandidatePassage], np.ndarray, _Pool, dict[str, tuple[float, float]]]
"""Fused candidates, their feature rows, the chunks seen, and each chunk's (cosine, lexical z)."""


@dataclass(frozen=True)
class _Loaded:
    """One index snapshot and what the retriever derives from it, swapped as a whole when a rebuild finishes:
    a question answered meanwhile reads one or the other, never a mix (every session shares the retriever)."""

    snapshot: IndexSnapshot
    position: dict[str, int]  # chunk id -> row of the lexical index
    dense: DenseIndex
    sample: np.ndarray  # stored embeddings that calibrate each query's similarity scale
    idf: dict[str, float]
    aliases: list[tuple[str, frozenset[str]]]
    outlets: list[str]
    newest: int | None  # publication time of the newest article (Unix seconds), None when no article is dated
    # An answer plans its question three times (retrieval, the coverage gate, the composer): once per snapshot.
    plans: LRUCache[str, QueryPlan] = field(default_factory=lambda: LRUCache(256))


class Retriever:
    """Loaded once per process; notices a finished rebuild and switches to it without a restart."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        store: Store | None = None,
        ranker: RankerWeights | bool | None = True,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        # True: the shipped weights; False/None: fused order only (for ablations and for fitting the ranker).
        self.ranker: RankerWeights | None = (
            load_weights() if ranker is True else ranker if isinstance(ranker, RankerWeights) else None)
        self.store = store or open_store(Path(settings.store), settings.chroma_url)
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._load()

    def _load(self) -> None:
        files = snapshot_files(Path(self.settings.store), self.settings.chroma_url)
        snapshot = open_snapshot(self.store, files, self.embedder.name)
        lexical = snapshot.lexical
        outlets = sorted({s for s in lexical.fields[OUTLET_KEY] if s})
        if snapshot.sentences is None:
            log.warning("the index at %s has no usable sentence vectors (%s): ranking works without them until "
                        "`python -m index rebuild` adds them", self.settings.chroma_url or self.settings.store,
                        snapshot.missing_sentences)
        position = {cid: i for i, cid in enumerate(lexical.ids)}
        dense, sample = load_dense(snapshot.chunks, lexical, position, CALIBRATION_SAMPLE)
        self._loaded = _Loaded(
            snapshot=snapshot,
            position=position,
            dense=dense,
            sample=sample,
            idf=idf_table(lexical.bm25, len(lexical.ids)),
            aliases=outlet_aliases(outlets),
            outlets=outlets,
            newest=max((t for t in lexical.fields["published_ts"] if t is not None), default=None),
        )

    def refresh(self) -> bool:
        """Switch to a newer index snapshot if a rebuild finished; True when it switched."""
        name = self.store.active_name()
        loaded = self._loaded
        if loaded is not None and name == loaded.snapshot.name:
            if loaded.snapshot.sentences is None:  # a sync may have added them to this snapshot in place
                self._loaded = replace(loaded, snapshot=loaded.snapshot.with_sentences_reread())
            return False
        with self._lock:
            if self._loaded is None or name != self._loaded.snapshot.name:
                self._load()
                return True
        return False

    @property
    def _state(self) -> _Loaded:
        assert self._loaded is not None
        return self._loaded

    @property
    def snapshot(self) -> IndexSnapshot:
        """The index snapshot in use."""
        return self._state.snapshot

    @property
    def repeated(self) -> frozenset[str]:
        """Keys of the corpus's boilerplate sentences (recurring across many articles): never an answer."""
        return self.snapshot.lexical.repeated

    @property
    def term_weights(self) -> dict[str, float]:
        """Each analysed term's BM25 idf in the index (how telling a word is in this corpus)."""
        return self._state.idf

    @property
    def aliases(self) -> list[tuple[str, frozenset[str]]]:
        """The index's outlets by the names a question may use for them."""
        return self._state.aliases

    @property
    def outlets(self) -> list[str]:
        """The outlets of the index."""
        return self._state.outlets

    @property
    def newest(self) -> int | None:
        """When the newest article was published (Unix seconds); None when no article is dated."""
        return self._state.newest

    @property
    def default_year(self) -> int:
        """The year a date without one is read in: that of the newest article (this year when none is dated)."""
        return (dt.datetime.fromtimestamp(n, dt.UTC) if (n := self._state.newest) else dt.datetime.now(dt.UTC)).year

    @property
    def chunk_fields(self) -> dict[str, list[Any]]:
        """Per-chunk article id, outlet, category and publication time, in memory (from the lexical index)."""
        return self.snapshot.lexical.fields

    @property
    def collection(self) -> ChunkCollection:
        """The chunks (in Chroma) of the snapshot in use."""
        return self.snapshot.chunks

    @property
    def chunk_tokens(self) -> int:
        """The passage size the index in use was built with (tokens; the settings' for an index that never said)."""
        return int(self.snapshot.chunks.metadata.get("chunk_tokens") or self.settings.chunk_tokens)

    @property
    def dense_index(self) -> DenseIndex:
        """The dense search of the snapshot in use (its vectors in memory on small indexes)."""
        return self._state.dense

    def similarity_scale(self, vector: np.ndarray) -> tuple[float, float]:
        """Mean and spread of a query vector's cosine similarity over the corpus (to read a similarity as a z-score)."""
        sample = self._state.sample
        sims = sample @ vector if len(sample) else np.zeros(1, dtype=np.float32)
        return float(sims.mean()), float(sims.std()) or 1.0

    def plan(self, question: str) -> QueryPlan:
        """How the question will be searched: outlets, dates and sub-queries it names."""
        plans = self._state.plans
        found = plans.get(question)
        if found is None:
            found = plan_query(question, self.aliases, self.default_year)
            plans.put_many({question: found})
        return found

    def retrieve(
        self, question: str, k: int | None = None, filters: Filters | None = None, words: int = 0
    ) -> list[Hit]:
        """The k most relevant chunks for `question`, best first; then, in the same order, more while those hold
        fewer than `words` words in all (a corpus of short items: see `hits`)."""
        k = k or self.settings.top_k
        return self.hits(self.candidates(question, filters, max(k, RANK_CANDIDATES)), k, self.ranker, words)

    def hits(self, found: Candidates, k: int, ranker: RankerWeights | None, words: int = 0) -> list[Hit]:
        """The first k hits of `candidates`' output, ordered by `ranker` (fused order when None), and the next
        ones while the hits hold fewer than `words` words: on a corpus of snippets, ten hits are a few hundred
        words, where ten passages of articles are two thousand."""
        candidates, rows, pool, detail = found
        relevance = ranker.relevance(rows) if ranker is not None else None
        order = hit_order(relevance, [c.article_id for c in candidates], k)
        if relevance is None:
            relevance = np.zeros(len(candidates))
        taken, held = 0, 0
        while taken < len(order) and (taken < k or held < words):
            held += len(pool.chunks[candidates[order[taken]].chunk_id].text.split())
            taken += 1
        hits = []
        for rank, i in enumerate(order[:taken], start=1):
            cand = candidates[i]
            dense, lexical = detail[cand.chunk_id]
            hits.append(Hit(chunk=pool.chunks[cand.chunk_id], score=cand.fused, dense=dense, lexical=lexical,
                            rank=rank, relevance=float(relevance[i])))
        return hits

    def candidates(self, question: str, filters: Filters | None = None, depth: int = RANK_CANDIDATES) -> Candidates:
        """The `depth` best fused chunks for `question` with the ranker's features (one row each)."""
        self.refresh()
        filters = filters or Filters()
        plan = self.plan(question)
        vector = self.embedder.embed_query(question)
        pool = _Pool(self._state)
        main = self._rank(0, question, vector, filters, None, (), plan.outlets, plan.dates, MAIN_DEPTH, pool)
        lists: list[tuple[float, list[tuple[str, float, float, float]]]] = [(1.0, main)]
        subs = []
        for i, sub in enumerate(plan.subqueries, start=1):
            # Sub-queries are lexical only: on the dev questions embedding them added nothing but latency.
            ranked = self._rank(i, sub.text, None, filters, sub.outlets or None, (), frozenset(), sub.dates,
                                SUB_DEPTH, pool)
            lists.append((SUB_WEIGHT, ranked))
            subs.append(ranked)
        if plan.dates:
            # Articles from the named dates must be candidates even when the wording ranks them low.
            lists.append((SUB_WEIGHT, self._rank(0, question, vector, filters, plan.outlets or None,
                                                 plan.dates, frozenset(), (), SUB_DEPTH, pool)))
        fused, detail = _fuse(lists)
        order = sorted(fused, key=lambda cid: fused[cid], reverse=True)
        year = self.default_year
        # One read for the passages the ranker sees (the lists' own were ranked by the index's fields).
        fetch = [cid for cid in order[:depth] if cid not in pool.chunks]
        for chunk in pool.loaded.snapshot.chunks.get(fetch) if fetch else []:
            pool.chunks[chunk.id] = chunk
        candidates = [
            CandidatePassage(chunk.id, chunk.article_id, chunk.outlet, chunk.text, fused[chunk.id], chunk.title,
                      bool(plan.dates) and chunk_on_dates(chunk, plan.dates, year), chunk.n == 0)
            for chunk in (pool.chunks[cid] for cid in order[:depth] if cid in pool.chunks)
        ]
        missing = [c.chunk_id for c in candidates if (0, c.chunk_id) not in pool.dense]
        for cid, sim in pool.loaded.dense.similarities(missing, vector).items():
            pool.dense[(0, cid)] = sim
        # The ranker matches content: the outlets and dates a question names are matched against the passages'
        # outlets and publication dates, so their words ("October", "2023", "Fortune", "TechCrunch") must not make
        # a passage that mentions them look relevant (held out, MultiHop-RAG MRR@10 +0.006, MAP@10 +0.005).
        terms = analyze([plan.subject] + [sub.subject for sub in plan.subqueries])
        sentences = pool.loaded.snapshot.sentences
        clauses = plan.subqueries or (SubQuery(question, plan.outlets, plan.dates),)
        # Clauses embedded on their own: pooling them from the question's pass cost 0.005 evidence recall.
        clause_vectors = (self.embedder.embed_cached([sub.text for sub in plan.subqueries]) if plan.subqueries
                          else vector[None, :])
        rows = candidate_features(
            candidates,
            Lists(main=[(cid, score) for cid, score, _, _ in main],
                  subs=[[(cid, score) for cid, score, _, _ in ranked] for ranked in subs]),
            {c.chunk_id: pool.dense.get((0, c.chunk_id), 0.0) for c in candidates},
            plan.outlets,
            terms[0],
            terms[1:],
            self.term_weights,
            clause_vectors,
            [sentences.get(passage_key(pool.chunks[c.chunk_id])) if sentences is not None else None
             for c in candidates],
            np.array([[(not clause.outlets or c.outlet in clause.outlets)
                       and (not clause.dates or chunk_on_dates(pool.chunks[c.chunk_id], clause.dates, year))
                       for clause in clauses] for c in candidates], dtype=bool).reshape(len(candidates), -1),
            {c.chunk_id: float(pool.lexical[pool.loaded.position[c.chunk_id]]) for c in candidates
             if pool.lexical is not None and c.chunk_id in pool.loaded.position},
            number_terms(without_spans(question, plan.date_spans)),  # "October 7, 2023" is not a number asked
        )
        return candidates, rows, pool, detail

    def _rank(
        self,
        slot: int,
        text: str,
        vector: np.ndarray | None,
        filters: Filters,
        only_outlets: frozenset[str] | None,
        only_dates: Sequence[DateRange],
        boost_outlets: frozenset[str],
        boost_dates: Sequence[DateRange],
        depth: int,
        pool: _Pool,
    ) -> list[tuple[str, float, float, float]]:
        """(chunk id, fused score, cosine similarity, lexical z) for one query text, best first."""
        loaded = pool.loaded
        lexical = loaded.snapshot.lexical
        restricted = not filters.empty or bool(only_outlets) or bool(only_dates)
        allowed = _mask(lexical.fields, filters, only_outlets, only_dates) if restricted else None
        dense: list[tuple[str, float, Chunk | None]] = []
        if vector is not None:
            dense = loaded.dense.nearest(vector, depth, _where(filters, only_outlets, only_dates), allowed)
        for cid, sim, read in dense:
            if read is not None:
                pool.chunks[cid] = read
            pool.dense[(slot, cid)] = sim
        bm25 = lexical.scores(text)
        if pool.lexical is None:
            pool.lexical = bm25
        candidates = np.where(allowed, bm25, -np.inf) if allowed is not None else bm25
        top = top_rows(candidates, depth)
        lexical_ids = [lexical.ids[i] for i in top if candidates[i] > 0]
        if vector is not None:
            missing = [cid for cid in lexical_ids if (slot, cid) not in pool.dense]
            for cid, sim in loaded.dense.similarities(missing, vector).items():
                pool.dense[(slot, cid)] = sim
            sample_sims = loaded.sample @ vector if len(loaded.sample) else np.zeros(1, dtype=np.float32)
            d_mean, d_std = float(sample_sims.mean()), float(sample_sims.std()) or 1.0
        position = loaded.position
        b_mean, b_std = float(bm25.mean()), float(bm25.std()) or 1.0
        ids = dict.fromkeys([cid for cid, _, _ in dense] + lexical_ids)
        rows = {cid: position[cid] for cid in ids if cid in position}
        by_outlet, by_date = rows_matching(lexical.fields, np.fromiter(rows.values(), dtype=np.int64, count=len(rows)),
                                           boost_outlets, boost_dates)
        boosted = dict(zip(rows, OUTLET_BOOST * by_outlet + DATE_BOOST * by_date))
        ranked = []
        for cid in ids:
            row = rows.get(cid)
            if row is None and cid not in pool.chunks:
                continue
            lexical_z = (float(bm25[row]) - b_mean) / b_std if row is not None else 0.0
            if vector is None:
                score = lexical_z
            elif (slot, cid) in pool.dense:
                dense_z = (pool.dense[(slot, cid)] - d_mean) / d_std
                score = DENSE_WEIGHT * dense_z + (1 - DENSE_WEIGHT) * lexical_z
            else:
                continue
            if row is not None:
                score += float(boosted[cid])
            else:  # a passage the lexical index does not hold yet: its own fields
                chunk = pool.chunks[cid]
                score += OUTLET_BOOST * bool(boost_outlets and chunk.outlet in boost_outlets)
                score += DATE_BOOST * bool(boost_dates and chunk_in_ranges(chunk, boost_dates))
            ranked.append((cid, score, pool.dense.get((slot, cid), pool.dense.get((0, cid), 0.0)), lexical_z))
        ranked.sort(key=lambda r: r[1], reverse=True)
        return ranked[:depth]
