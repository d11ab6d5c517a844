"""BM25 (bm25s, over index.text.analyze's stemmed terms) over the same chunks as Chroma, saved next to the index."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.documents import OUTLET_KEY, Chunk
from index.sentence_kinds import glued_openings, repeated_sentences
from index.text import analyze, quick_sentence_spans

_IDS_FILE = "chunk_ids.json"
_FIELDS_FILE = "fields.json"
_REPEATED_FILE = "repeated.json"


def lexical_text(chunk: Chunk) -> str:
    """What BM25 indexes for a chunk: its title and outlet give every chunk its article's context."""
    return "\n".join(part for part in (chunk.title, chunk.outlet or "", chunk.text) if part)


@dataclass
class LexicalIndex:
    """A BM25 index whose document i is chunk `ids[i]`; `fields` holds per-chunk filter values."""

    bm25: Any
    ids: list[str]
    fields: dict[str, list[Any]]
    repeated: frozenset[str] = frozenset()  # keys of site boilerplate: repeated sentences, glued openings

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (document index, BM25 score) pairs, restricted to documents where mask is 1."""
        terms = analyze([query])[0]
        if not terms or not self.ids:
            return []
        known = [t for t in terms if t in self.bm25.vocab_dict]
        if not known:
            return []
        k = min(k, len(self.ids))
        docs, scores = self.bm25.retrieve(
            [known], k=k, show_progress=False, weight_mask=mask, n_threads=1
        )
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for `query` (zeros when no query term is in the vocabulary)."""
        known = [t for t in analyze([query])[0] if t in self.bm25.vocab_dict]
        if not known or not self.ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(known), dtype=np.float32)

    def save(self, folder: Path) -> None:
        """Write the index to `folder` (replacing what was there)."""
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        self.bm25.save(str(folder), show_progress=False)
        (folder / _IDS_FILE).write_text(json.dumps(self.ids))
        (folder / _FIELDS_FILE).write_text(json.dumps(self.fields))
        (folder / _REPEATED_FILE).write_text(json.dumps(sorted(self.repeated)))


def build_lexical_index(chunks: Sequence[Chunk]) -> LexicalIndex:
    """BM25 over the chunks (title + outlet + text)."""
    import bm25s

    # k1/b as Anserini uses for short passages; they beat bm25s' defaults (1.5/0.75) on the dev questions.
    bm25 = bm25s.BM25(k1=0.9, b=0.4)
    bm25.index(analyze([lexical_text(c) for c in chunks]), show_progress=False)
    return LexicalIndex(bm25=bm25, ids=[c.id for c in chunks], fields=chunk_fields(chunks),
                        repeated=boilerplate_keys(chunks))


def boilerplate_keys(chunks: Sequence[Chunk]) -> frozenset[str]:
    """Keys of the sentences that recur across many articles and of the runs of words many articles glue to the
    start of sentences (index.sentence_kinds.repeated_sentences, glued_openings)."""
    by_article: dict[str, list[str]] = defaultdict(list)
    for chunk in chunks:
        by_article[chunk.article_id].extend(chunk.text[a:b] for a, b in quick_sentence_spans(chunk.text))
    return repeated_sentences(by_article.items()) | glued_openings(by_article.items())


def chunk_fields(chunks: Sequence[Chunk]) -> dict[str, list[Any]]:
    """Per-chunk filter columns (article id, outlet, category, publication time) kept beside the BM25 index."""
    return {
        "article_id": [c.article_id for c in chunks],
        OUTLET_KEY: [c.outlet for c in chunks],
        "category": [c.category for c in chunks],
        "published_ts": [_ts(c) for c in chunks],
    }


def _ts(chunk: Chunk) -> int | None:
    from index.documents import timestamp_of

    return timestamp_of(chunk.published_at)


def load_lexical_index(folder: Path) -> LexicalIndex | None:
    """The index saved in `folder`, or None if there is none (the caller rebuilds it); ValueError when its files
    do not fit together (damaged)."""
    import bm25s

    if not (folder / _IDS_FILE).exists():
        return None
    bm25 = bm25s.BM25.load(str(folder), show_progress=False, mmap=False)
    ids = json.loads((folder / _IDS_FILE).read_text())
    fields = json.loads((folder / _FIELDS_FILE).read_text())
    repeated_file = folder / _REPEATED_FILE  # absent from indexes built before boilerplate was recognised
    repeated = json.loads(repeated_file.read_text()) if repeated_file.exists() else []
    _check(bm25, ids, fields)
    if not isinstance(repeated, list) or not all(isinstance(k, str) for k in repeated):
        raise ValueError(f"{_REPEATED_FILE} is not a list of sentence keys")
    return LexicalIndex(bm25=bm25, ids=ids, fields=fields, repeated=frozenset(repeated))


def _check(bm25: Any, ids: Any, fields: Any) -> None:
    """Raise ValueError unless the BM25 matrix, the chunk ids and the filter columns describe the same chunks."""
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ValueError(f"{_IDS_FILE} is not a list of chunk ids")
    if not isinstance(fields, dict) or any(not isinstance(v, list) or len(v) != len(ids) for v in fields.values()):
        raise ValueError(f"{_FIELDS_FILE} does not hold one value per chunk")
    scores = bm25.scores
    indptr, indices, data = (np.asarray(scores[k]) for k in ("indptr", "indices", "data"))
    if int(scores["num_docs"]) != len(ids):
        raise ValueError(f"the BM25 matrix has {scores['num_docs']} documents for {len(ids)} chunk ids")
    if len(indices) != len(data) or (len(indptr) and int(indptr[-1]) != len(data)):
        raise ValueError("the BM25 matrix's arrays do not fit together")
    if len(indices) and (int(indices.min()) < 0 or int(indices.max()) >= len(ids)):
        raise ValueError("the BM25 matrix points at chunks that do not exist")
    if not np.all(np.isfinite(data)) or (len(indptr) > 1 and bool(np.any(np.diff(indptr) < 0))):
        raise ValueError("the BM25 matrix holds invalid numbers")
