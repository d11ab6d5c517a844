"""The learned ranker's features: the retrieval signals of each fused candidate passage, one row each.

Reciprocal-rank fusion finds the evidence (the top 60 fused candidates hold 90% of the dev questions' gold
facts) but orders it poorly: the top 10 hold 70%, and a perfect reordering of that top 10 alone would lift
MAP@10 from 0.38 to 0.54 (256-token chunks). The signals that tell a fact's passage from its neighbours are
where the passage ranks in the whole-question list and in each clause's list, its cosine similarity, how its
article fares, whether it is from an outlet the question names, how well one of its sentences covers the
question's or a clause's rare terms, and above all which candidate's sentence best matches each clause, by
terms, term pairs and sentence vectors (the clause ranks: +0.047 MRR@10, +0.031 MAP@10 and +0.020 evidence
recall held out). A logistic regression weighs them (fitted by `python -m bot.lab.train_ranker` on both dev
sets, MultiHop-RAG's and the natural questions, stored in `bot/retrieval/ranker.json`); no cross-encoder ships
for offline use, and this costs a few milliseconds on CPU. Features that helped only one question style were
dropped (each removal measured held out on both sets: the clause-list scores, the article's passage count and
best score, the clause and outlet sentence matches, the question's term pairs).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise, repeat
from typing import Any

import numpy as np

from index.cache import LRUCache
from index.lexicon import NUMBER_WORDS
from index.text import analyze, number_words_in, numbers_in, quick_sentence_spans

FEATURES: tuple[str, ...] = (
    "fused_rank",  # 1 / (1 + rank) in the reciprocal-rank fusion of all lists
    "main_score",  # calibrated dense + BM25 score in the whole-question list (0 when absent)
    "sub_lists",  # number of clause lists the passage is in
    "sub_rrf",  # sum of 1 / (2 + rank) over the clause lists
    "sub_best",  # 1 / (1 + best rank) over the clause lists
    "dense",  # cosine similarity with the question
    "article_rank",  # passages of the same article fused above this one
    "article_first",  # 1 when no passage of the same article is fused above this one
    "named_outlet",  # 1 when the passage's outlet is one the question names
    "sentence_match",  # best sentence's share of the question's term weight (BM25 idf)
    "title_match",  # the article title's share of the question's term weight
    "named_date",  # 1 when the passage was published in a date range the question names or names a day in it
    # Clause ranks: 1 / (1 + r), r the passage's best rank among the candidates on one clause (the question
    # when it has none) by that measure of its best sentence; ties go to the earlier fused candidate, and a
    # clause that names outlets or dates ranks their passages first.
    "clause_rank_terms",  # share of the clause's term weight
    "clause_rank_bigrams",  # share of the clause's adjacent term pairs
    "clause_rank_window",  # share of the clause's term weight in two adjacent sentences
    "clause_rank_f1",  # harmonic mean of that share and the sentence's own share of matched weight
    "clause_rank_dense",  # cosine similarity with the clause (sentence vectors from the index)
    # Signals that hold for any question style: does the passage state the numbers the question names ("the
    # 93rd Academy Awards" is not the 92nd), and where does it rank in each lane on its own.
    "number_match",  # share of the question's numbers (digits, ordinals, number words) the passage states
    "lane_rank_dense",  # 1 / (1 + rank) among the candidates by cosine similarity with the question
    "lane_rank_lexical",  # 1 / (1 + rank) among the candidates by BM25 score of the whole question
    # A news story states its point in the opening passage (the inverted pyramid): when the question's words are
    # the headline's, the lede is the likeliest answer among the story's passages.
    "lede_title_match",  # title_match on the article's opening passage, 0 on its others
)


@dataclass(frozen=True)
class CandidatePassage:
    """One fused passage and what the lists said about it, in fused order."""

    chunk_id: str
    article_id: str
    outlet: str | None
    text: str
    fused: float
    title: str = ""
    in_named_dates: bool = False
    opening: bool = False  # the article's first passage


@dataclass(frozen=True)
class Lists:
    """The ranked lists fused for one question: (chunk id, score) pairs, best first."""

    main: Sequence[tuple[str, float]]
    subs: Sequence[Sequence[tuple[str, float]]]


def candidate_features(
    candidates: Sequence[CandidatePassage],
    lists: Lists,
    dense: Mapping[str, float],
    named_outlets: frozenset[str],
    question_terms: Sequence[str],
    clause_terms: Sequence[Sequence[str]],
    idf: Mapping[str, float],
    clause_vectors: np.ndarray | None = None,
    sentence_vectors: Sequence[np.ndarray | None] = (),
    clause_eligible: np.ndarray | None = None,
    lexical: Mapping[str, float] | None = None,
    question_numbers: frozenset[str] = frozenset(),
) -> np.ndarray:
    """One row of FEATURES per candidate (candidates in fused order).

    The clause ranks treat the question as the one clause when it has none. `clause_vectors` embeds each of
    those clauses; `sentence_vectors` holds each candidate's sentence vectors from the index (None when
    missing: its dense clause rank is then last); `clause_eligible[i, c]` is False where clause c names
    outlets or dates that candidate i is not from, so it ranks after those that are ("The Verge says X" is
    about The Verge's X). `lexical` is each candidate's BM25 score for the whole question;
    `question_numbers` comes from `number_terms` of the question without its dates.
    """
    main_score = {cid: score for cid, score in lists.main}
    sub_lists: Counter[str] = Counter()
    sub_rrf: dict[str, float] = {}
    sub_best: dict[str, float] = {}
    for ranked in lists.subs:
        for rank, (cid, _score) in enumerate(ranked):
            sub_lists[cid] += 1
            sub_rrf[cid] = sub_rrf.get(cid, 0.0) + 1.0 / (2 + rank)
            sub_best[cid] = max(sub_best.get(cid, 0.0), 1.0 / (1 + rank))
    question_weight = _weight(question_terms, idf)
    qset = frozenset(question_terms)
    seen: Counter[str] = Counter()
    rows = []
    # Titles go through the same cache as one-sentence texts (a title has no sentence break to split at).
    analysed = sentence_term_lists_many([c.text for c in candidates] + [c.title for c in candidates])
    ordered, titles = analysed[:len(candidates)], analysed[len(candidates):]
    match, clause_columns = _clause_columns(ordered, [question_terms, *clause_terms], idf, clause_vectors,
                                            sentence_vectors, clause_eligible)
    lanes = _lane_ranks(candidates, dense, lexical or {})
    for rank, cand in enumerate(candidates):
        title_terms = frozenset().union(*titles[rank]) if cand.title else frozenset()
        title_match = sum(idf.get(t, 0.0) for t in qset & title_terms) / question_weight
        above = seen[cand.article_id]
        seen[cand.article_id] += 1
        rows.append([
            1.0 / (1 + rank),
            main_score.get(cand.chunk_id, 0.0),
            float(sub_lists[cand.chunk_id]),
            sub_rrf.get(cand.chunk_id, 0.0),
            sub_best.get(cand.chunk_id, 0.0),
            dense.get(cand.chunk_id, 0.0),
            float(above),
            float(above == 0),
            float(cand.outlet in named_outlets),
            match[rank, 0],
            title_match,
            float(cand.in_named_dates),
            *clause_columns[rank],
            len(question_numbers & number_terms(cand.text)) / len(question_numbers) if question_numbers else 0.0,
            *lanes[rank],
            title_match * cand.opening,
        ])
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


def _clause_columns(
    ordered: Sequence[tuple[tuple[str, ...], ...]],
    texts: Sequence[Sequence[str]],
    idf: Mapping[str, float],
    clause_vectors: np.ndarray | None,
    sentence_vectors: Sequence[np.ndarray | None],
    eligible: np.ndarray | None,
) -> tuple[np.ndarray, list[list[float]]]:
    """Per candidate, its best sentence's share of each text's term weight, and the clause-rank features
    (their order in FEATURES).

    `texts` is the question, then its clauses; the clause ranks are taken over the clauses, or over the
    question when it has none. `eligible[i, c]` is False where candidate i may not rank on clause c (it then
    ranks after all that may). Every sentence of every candidate becomes a row of term (and term-pair)
    indicators over the texts' vocabulary, so the overlaps are matrix products and per-passage maxima rather
    than loops over sets.
    """
    clause_at = list(range(1, len(texts))) or [0]
    n, width = len(ordered), len(clause_at)
    vocab = {t: i for i, t in enumerate(dict.fromkeys(t for c in texts for t in c))}
    pair_vocab = {p: i for i, p in enumerate(dict.fromkeys(p for c in texts for p in _bigrams(c)))}
    known, known_pairs = frozenset(vocab), frozenset(pair_vocab)
    lengths = np.array([len(p) for p in ordered])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    rows = int(lengths.sum())
    term_cells: list[tuple[int, int]] = []
    pair_cells: list[tuple[int, int]] = []
    own = np.empty(rows)
    row = 0
    for sentences in ordered:
        for listed in sentences:
            term_cells.extend((row, vocab[t]) for t in known.intersection(listed))
            pair_cells.extend((row, pair_vocab[p]) for p in _bigrams(listed) & known_pairs)
            own[row] = _weight(listed, idf)
            row += 1
    # A spare last column keeps the products defined when a vocabulary is empty.
    hits, pair_hits = _indicators(term_cells, rows, len(vocab) + 1), _indicators(pair_cells, rows, len(pair_vocab) + 1)
    text_weights = np.zeros((len(vocab) + 1, len(texts)))
    text_pairs = np.zeros((len(pair_vocab) + 1, len(texts)))
    for c, text in enumerate(texts):
        for t in set(text):
            text_weights[vocab[t], c] = idf.get(t, 0.0)
        text_pairs[[pair_vocab[p] for p in _bigrams(text)], c] = 1.0
    text_totals = np.array([_weight(t, idf) for t in texts])
    weights, totals, clause_pairs = text_weights[:, clause_at], text_totals[clause_at], text_pairs[:, clause_at]

    def best_per_passage(values: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(values, starts, axis=0)

    text_shares = hits @ text_weights / text_totals  # (sentences, texts)
    match = best_per_passage(text_shares)
    shares, terms = text_shares[:, clause_at], match[:, clause_at]
    owner = np.repeat(np.arange(n), lengths)
    first_best = np.where(shares == terms[owner], np.arange(rows)[:, None], rows)
    best_row = np.minimum.reduceat(first_best, starts, axis=0)
    precision = terms * totals / own[best_row]
    f1 = 2 * terms * precision / (terms + precision + 1e-9)
    # Two adjacent sentences of one passage: the union of their terms (a passage's last row pairs with nothing).
    joined = np.full((rows, width), -np.inf)
    joined[:-1] = np.maximum(hits[:-1], hits[1:]) @ weights / totals
    joined[starts + lengths - 1] = -np.inf
    window = best_per_passage(joined)
    window = np.where(np.isfinite(window), window, terms)
    pairs = best_per_passage(pair_hits @ clause_pairs / np.maximum(clause_pairs.sum(axis=0), 1.0))

    dense = np.full((n, width), -2.0)  # below any cosine: a passage without sentence vectors ranks last
    present = [(i, v) for i, v in enumerate(sentence_vectors[:n]) if v is not None and len(v)]
    if clause_vectors is not None and present:
        stacked = np.vstack([v for _, v in present]) @ clause_vectors.T
        firsts = np.concatenate([[0], np.cumsum([len(v) for _, v in present])[:-1]])
        dense[[i for i, _ in present]] = np.maximum.reduceat(stacked, firsts, axis=0)
    if eligible is not None:
        terms, pairs, window, f1, dense = (np.where(eligible, m, -3.0) for m in (terms, pairs, window, f1, dense))
    # Rounded: sums over sets add in hash order, and a last-digit difference must not break a tie.
    ranks = np.column_stack([1.0 / (1.0 + _stable_ranks(np.round(m, 9)).min(axis=1))
                             for m in (terms, pairs, window, f1, dense)])
    return match, ranks.tolist()


def _lane_ranks(
    candidates: Sequence[CandidatePassage], dense: Mapping[str, float], lexical: Mapping[str, float]
) -> list[list[float]]:
    """Per candidate, 1 / (1 + rank) among the candidates by cosine, then by the question's BM25 score."""
    scores = np.array([[dense.get(c.chunk_id, 0.0), lexical.get(c.chunk_id, 0.0)] for c in candidates])
    return (1.0 / (1.0 + _stable_ranks(scores.reshape(len(candidates), 2)))).tolist()


@lru_cache(maxsize=2048)  # each candidate passage of every question naming a number; passages recur
def number_terms(text: str) -> frozenset[str]:
    """The numbers `text` states, as digits: "93rd" and "93" are "93", "three" is "3", "1,200" is "1200"."""
    return frozenset(n.written for n in numbers_in(text)) | {str(NUMBER_WORDS[w]) for w in number_words_in(text)}


def _indicators(cells: Sequence[tuple[int, int]], rows: int, columns: int) -> np.ndarray:
    out = np.zeros((rows, columns))
    if cells:
        index = np.asarray(cells)
        out[index[:, 0], index[:, 1]] = 1.0
    return out


def _bigrams(terms: Sequence[str]) -> frozenset[tuple[str, str]]:
    return frozenset(pairwise(terms))


def _stable_ranks(matrix: np.ndarray) -> np.ndarray:
    """Per column, each row's rank by descending value, ties in row order."""
    ranks = np.empty(matrix.shape, dtype=np.int64)
    for c in range(matrix.shape[1]):
        ranks[np.argsort(-matrix[:, c], kind="stable"), c] = np.arange(matrix.shape[0])
    return ranks


def _weight(terms: Sequence[str] | frozenset[str], idf: Mapping[str, float]) -> float:
    # map over a repeated default: called for every sentence of every candidate, twice as fast as a generator
    return sum(map(idf.get, set(terms), repeat(0.0))) or 1.0


def idf_table(bm25: Any, documents: int) -> dict[str, float]:
    """BM25's inverse document frequency of every term of a bm25s index (document counts from its CSC matrix)."""
    df = np.diff(np.asarray(bm25.scores["indptr"])).astype(np.float64)
    values = np.log(1.0 + (documents - df + 0.5) / (df + 0.5))
    return {term: float(values[i]) for term, i in bm25.vocab_dict.items() if i < len(values)}


_CACHE_SIZE = 8192  # passages (and titles) whose terms stay in memory: a chat session revisits the same articles


_cache: LRUCache[str, tuple[tuple[str, ...], ...]] = LRUCache(_CACHE_SIZE)


def sentence_term_lists_many(texts: Sequence[str]) -> list[tuple[tuple[str, ...], ...]]:
    """The analysed terms of each sentence of each text, in text order (from memory when seen before).

    The quick sentence split, not Punkt: this only weighs term overlap.
    """
    found = _cache.get_many(texts)
    missing = sorted({t for t, f in zip(texts, found) if f is None})
    if missing:
        split = [[t[a:b] for a, b in quick_sentence_spans(t)] for t in missing]
        terms = iter(analyze([s for sentences in split for s in sentences]))  # one call: bm25s costs per call
        fresh = {t: tuple(tuple(next(terms)) for _ in sentences) for t, sentences in zip(missing, split)}
        _cache.put_many(fresh)
        found = [f if f is not None else fresh[t] for t, f in zip(texts, found)]
    return [f for f in found if f is not None]
