"""Learned re-ranking of fused candidates: a logistic model over the retrieval signals of each passage.

Reciprocal-rank fusion finds the evidence (the top 60 fused candidates hold 90% of the dev questions' gold
facts) but orders it poorly: the top 10 hold 70%, and a perfect reordering of that top 10 alone would lift
MAP@10 from 0.38 to 0.54 (256-token chunks). The signals that tell a fact's passage from its neighbours are
already computed while fusing: where the passage ranks in the whole-question list and in each clause's list,
its cosine similarity, how its article fares, whether it is from an outlet the question names, and how well
one of its sentences covers the question's or a clause's rare terms. A logistic regression weighs them
(fitted by `python -m bot.train_ranker` on the dev questions, stored in `bot/ranker.json`); no cross-encoder
ships for offline use, and this costs a few milliseconds on CPU.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import BotError
from index.lexical import analyze

FEATURES: tuple[str, ...] = (
    "fused_rank",  # 1 / (1 + rank) in the reciprocal-rank fusion of all lists
    "main_score",  # calibrated dense + BM25 score in the whole-question list (0 when absent)
    "sub_lists",  # number of clause lists the passage is in
    "sub_rrf",  # sum of 1 / (2 + rank) over the clause lists
    "sub_best",  # 1 / (1 + best rank) over the clause lists
    "sub_score",  # best lexical score over the clause lists (floored at 0)
    "dense",  # cosine similarity with the question
    "article_chunks",  # passages of the same article among everything fused
    "article_best",  # fused score of the article's best passage
    "article_rank",  # passages of the same article fused above this one
    "article_first",  # 1 when no passage of the same article is fused above this one
    "named_outlet",  # 1 when the passage's outlet is one the question names
    "sentence_match",  # best sentence's share of the question's term weight (BM25 idf)
    "sentence_match_sub",  # the same, best over the question's clauses
    "sentence_match_outlet",  # the same, best over the clauses that name the passage's outlet
    "title_match",  # the article title's share of the question's term weight
    "named_date",  # 1 when the passage was published in a date range the question names
)
DEFAULT_WEIGHTS = Path(__file__).with_name("ranker.json")
# Log-odds added per outlet or date the question names and the passage matches. The fitted weight of these
# features stays small because the fused lists already favour such passages; as a firm prior on top
# (what a user who names an outlet or a day expects) they add +0.002 MRR@10 and +0.006 evidence recall held out.
NAMED_BOOST = 2.0
_NAMED = [FEATURES.index("named_outlet"), FEATURES.index("named_date")]


class RankerError(BotError):
    """The ranker's weights are missing or do not fit this code."""


@dataclass(frozen=True)
class Candidate:
    """One fused passage and what the lists said about it, in fused order."""

    chunk_id: str
    article_id: str
    source: str | None
    text: str
    fused: float
    title: str = ""
    in_named_dates: bool = False


@dataclass(frozen=True)
class Lists:
    """The ranked lists fused for one question: (chunk id, score) pairs, best first."""

    main: Sequence[tuple[str, float]]
    subs: Sequence[Sequence[tuple[str, float]]]


def candidate_features(
    candidates: Sequence[Candidate],
    lists: Lists,
    article_chunks: Counter[str],
    dense: Mapping[str, float],
    named_outlets: frozenset[str],
    question_terms: Sequence[str],
    clause_terms: Sequence[Sequence[str]],
    idf: Mapping[str, float],
    clause_outlets: Sequence[frozenset[str]] = (),
) -> np.ndarray:
    """One row of FEATURES per candidate (candidates in fused order)."""
    main_score = {cid: score for cid, score in lists.main}
    sub_lists: Counter[str] = Counter()
    sub_rrf: dict[str, float] = {}
    sub_best: dict[str, float] = {}
    sub_score: dict[str, float] = {}
    for ranked in lists.subs:
        for rank, (cid, score) in enumerate(ranked):
            sub_lists[cid] += 1
            sub_rrf[cid] = sub_rrf.get(cid, 0.0) + 1.0 / (2 + rank)
            sub_best[cid] = max(sub_best.get(cid, 0.0), 1.0 / (1 + rank))
            sub_score[cid] = max(sub_score.get(cid, 0.0), score)
    question_weight = _weight(question_terms, idf)
    clauses = [(frozenset(t), _weight(t, idf)) for t in clause_terms]
    outlets = list(clause_outlets) or [frozenset()] * len(clauses)
    qset = frozenset(question_terms)
    seen: Counter[str] = Counter()
    best_of_article: dict[str, float] = {}
    rows = []
    # Titles go through the same cache as one-sentence texts (a title has no sentence break to split at).
    analysed = sentence_terms_many([c.text for c in candidates] + [c.title for c in candidates])
    passages, titles = analysed[:len(candidates)], analysed[len(candidates):]
    for rank, cand in enumerate(candidates):
        sentences = passages[rank]
        title_terms = frozenset().union(*titles[rank]) if cand.title else frozenset()
        best_of_article.setdefault(cand.article_id, cand.fused)
        above = seen[cand.article_id]
        seen[cand.article_id] += 1
        rows.append([
            1.0 / (1 + rank),
            main_score.get(cand.chunk_id, 0.0),
            float(sub_lists[cand.chunk_id]),
            sub_rrf.get(cand.chunk_id, 0.0),
            sub_best.get(cand.chunk_id, 0.0),
            sub_score.get(cand.chunk_id, 0.0),
            dense.get(cand.chunk_id, 0.0),
            float(article_chunks[cand.article_id]),
            best_of_article[cand.article_id],
            float(above),
            float(above == 0),
            float(cand.source in named_outlets),
            _sentence_match(sentences, qset, question_weight, idf),
            max((_sentence_match(sentences, terms, weight, idf) for terms, weight in clauses), default=0.0),
            max((_sentence_match(sentences, terms, weight, idf) for (terms, weight), named in zip(clauses, outlets)
                 if named and cand.source in named), default=0.0),
            sum(idf.get(t, 0.0) for t in qset & title_terms) / question_weight,
            float(cand.in_named_dates),
        ])
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


def _weight(terms: Sequence[str] | frozenset[str], idf: Mapping[str, float]) -> float:
    return sum(idf.get(t, 0.0) for t in set(terms)) or 1.0


def _sentence_match(
    sentences: tuple[frozenset[str], ...], terms: frozenset[str], weight: float, idf: Mapping[str, float]
) -> float:
    if not terms:
        return 0.0
    return max((sum(idf.get(t, 0.0) for t in terms & s) for s in sentences), default=0.0) / weight


def idf_table(bm25: Any, documents: int) -> dict[str, float]:
    """BM25's inverse document frequency of every term of a bm25s index (document counts from its CSC matrix)."""
    df = np.diff(np.asarray(bm25.scores["indptr"])).astype(np.float64)
    values = np.log(1.0 + (documents - df + 0.5) / (df + 0.5))
    return {term: float(values[i]) for term, i in bm25.vocab_dict.items() if i < len(values)}


_SENTENCE_END = re.compile(
    r"(?<=[.!?…”\"’])(?<!Mr\.)(?<!Ms\.)(?<!Dr\.)(?<!St\.)(?<!Mrs\.)(?<!Jr\.)(?<!U\.S\.)\s+(?=[\"“‘(\[]?[A-Z0-9])|\n+"
)


_CACHE_SIZE = 8192  # passages (and titles) whose terms stay in memory: a chat session revisits the same articles
_cache: OrderedDict[str, tuple[frozenset[str], ...]] = OrderedDict()
_cache_lock = threading.Lock()


def sentence_terms(text: str) -> tuple[frozenset[str], ...]:
    """The analysed terms of each sentence of a passage (a cheap split: this only weighs term overlap)."""
    return sentence_terms_many([text])[0]


def sentence_terms_many(texts: Sequence[str]) -> list[tuple[frozenset[str], ...]]:
    """`sentence_terms` of each text, from memory when seen before."""
    with _cache_lock:
        found: list[tuple[frozenset[str], ...] | None] = [_cache.get(t) for t in texts]
    missing = sorted({t for t, f in zip(texts, found) if f is None})
    if missing:
        split = [[s for s in _SENTENCE_END.split(t) if s.strip()] or [t] for t in missing]
        terms = iter(analyze([s for sentences in split for s in sentences]))  # one call: bm25s costs per call
        fresh = {t: tuple(frozenset(next(terms)) for _ in sentences) for t, sentences in zip(missing, split)}
        with _cache_lock:
            for t, value in fresh.items():
                _cache[t] = value
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        found = [f if f is not None else fresh[t] for t, f in zip(texts, found)]
    return [f for f in found if f is not None]


@dataclass(frozen=True)
class RankerWeights:
    """A fitted logistic model: standardised features, coefficients, intercept, and how it was fitted."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    fitted_on: dict[str, object]

    def _logit(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(((rows - self.mean) / self.scale) @ self.coef + self.intercept).reshape(len(rows))

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """P(passage holds gold evidence) for each row of FEATURES."""
        return _sigmoid(self._logit(rows))

    def relevance(self, rows: np.ndarray) -> np.ndarray:
        """What orders the hits: the model's probability, with NAMED_BOOST per named outlet or date matched."""
        return _sigmoid(self._logit(rows) + NAMED_BOOST * rows[:, _NAMED].sum(axis=1))

    def to_json(self) -> str:
        """The weights file's text."""
        return json.dumps(
            {
                "features": list(self.features),
                "mean": [round(float(v), 8) for v in self.mean],
                "scale": [round(float(v), 8) for v in self.scale],
                "coef": [round(float(v), 8) for v in self.coef],
                "intercept": round(self.intercept, 8),
                "fitted_on": self.fitted_on,
            },
            indent=1,
        )


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


def load_weights(path: Path = DEFAULT_WEIGHTS) -> RankerWeights:
    """The ranker's weights; refuses a file fitted for another feature set."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RankerError(
            f"cannot read the ranker's weights at {path}: {exc} — reinstall, or run `python -m bot.train_ranker`"
        ) from exc
    features = tuple(data.get("features", ()))
    if features != FEATURES:
        raise RankerError(
            f"the ranker's weights at {path} were fitted on other features ({', '.join(features) or 'none'}); "
            "run `python -m bot.train_ranker --queries FILE` to fit them for this version"
        )
    return RankerWeights(
        features=features,
        mean=np.asarray(data["mean"], dtype=np.float64),
        scale=np.asarray(data["scale"], dtype=np.float64),
        coef=np.asarray(data["coef"], dtype=np.float64),
        intercept=float(data["intercept"]),
        fitted_on=dict(data.get("fitted_on", {})),
    )


def fit_logistic(rows: np.ndarray, labels: np.ndarray, l2: float = 1.0, steps: int = 50) -> RankerWeights:
    """L2-regularised logistic regression by Newton's method on standardised features."""
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale == 0] = 1.0
    x = np.hstack([(rows - mean) / scale, np.ones((len(rows), 1))])
    y = labels.astype(np.float64)
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0  # the intercept is not shrunk
    for _ in range(steps):
        p = _sigmoid(x @ w)
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return RankerWeights(FEATURES, mean, scale, w[:-1], float(w[-1]), {})
