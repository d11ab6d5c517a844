"""Per-sentence vectors of every indexed passage, kept beside the BM25 index of each index snapshot.

The ranker asks which sentence of a passage means what a clause of the question asks (bot/retrieval/features.py).
Embedding every sentence on its own would triple a rebuild's time (measured: 722 s for the 67,804 sentences of
the 609-article corpus, whose whole build takes ~370 s) for +0.003 to +0.005 MAP@10 held out
(docs/retrieval.md); instead each sentence's vector is the mean of its tokens' contextual vectors from the
passage's own embedding pass ("late chunking"), so it costs a few array operations per passage. Vectors are
keyed by a hash of the text the model saw, so identical passages (re-chunked unchanged articles, synthetic
copies) share one entry.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.documents import Chunk
from index.text import Span, quick_sentence_spans

_VECTORS_FILE = "sentence_vectors.npy"
_SLOTS_FILE = "sentence_slots.json"


def text_key(text: str) -> str:
    """Key of a passage's sentence vectors: a hash of the exact text the model embedded."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest()


def embedding_text(chunk: Chunk) -> str:
    """What the embedder sees for a chunk: the title gives short passages their topic."""
    return f"{chunk.title}\n{chunk.text}" if chunk.title else chunk.text


def passage_spans(chunk: Chunk) -> list[Span]:
    """Spans of the chunk's sentences within `embedding_text(chunk)` (the title is not one of them)."""
    shift = len(chunk.title) + 1 if chunk.title else 0
    return [(a + shift, b + shift) for a, b in quick_sentence_spans(chunk.text)]


def pooled_vector(spans: Sequence[Span], rows: np.ndarray, start: int, end: int) -> np.ndarray | None:
    """The unit mean of a passage's sentence vectors (`rows`, in the order of its `spans` from
    quick_sentence_spans) over the sentences that overlap [start, end) — another splitter's sentence may span
    two of them —; None when none does or one has no row (past the model's token cut)."""
    picked = [i for i, (a, b) in enumerate(spans) if a < end and b > start]
    if not picked or picked[-1] >= len(rows):
        return None
    vector = np.asarray(rows[picked], dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else None


def passage_key(chunk: Chunk) -> str:
    """Key of the chunk's sentence vectors."""
    return text_key(embedding_text(chunk))


@dataclass
class SentenceVectors:
    """Unit vectors (float16) of each passage's sentences, rows `slots[key] = (first, count)`."""

    vectors: np.ndarray
    slots: dict[str, tuple[int, int]]

    def get(self, key: str) -> np.ndarray | None:
        """The (sentences, dim) vectors of the passage with this key, or None when it has none."""
        slot = self.slots.get(key)
        if slot is None:
            return None
        first, count = slot
        return np.asarray(self.vectors[first:first + count], dtype=np.float32)

    def pooled(self, sentences: Sequence[tuple[Chunk, int, int]]) -> list[np.ndarray | None]:
        """The vector of each (chunk, start, end) sentence of a chunk's text, pooled over the chunk's stored
        sentences it overlaps (`pooled_vector`), or None where the table has none for it."""
        passages: dict[str, tuple[list[Span], np.ndarray] | None] = {}
        out: list[np.ndarray | None] = []
        for chunk, start, end in sentences:
            if chunk.id not in passages:
                rows = self.get(passage_key(chunk))
                passages[chunk.id] = None if rows is None else (quick_sentence_spans(chunk.text), rows)
            found = passages[chunk.id]
            out.append(None if found is None else pooled_vector(*found, start, end))
        return out

    def __contains__(self, key: object) -> bool:
        return key in self.slots

    def save(self, folder: Path) -> None:
        """Write to `folder` (the slot table last, so a reader never sees half of it)."""
        folder.mkdir(parents=True, exist_ok=True)
        # Each file replaced whole: a reader's memory map of the old table stays valid.
        with open(folder / (_VECTORS_FILE + ".tmp"), "wb") as handle:
            np.save(handle, np.asarray(self.vectors, dtype=np.float16))
        os.replace(folder / (_VECTORS_FILE + ".tmp"), folder / _VECTORS_FILE)
        temporary = folder / (_SLOTS_FILE + ".tmp")
        temporary.write_text(json.dumps({k: list(v) for k, v in self.slots.items()}))
        os.replace(temporary, folder / _SLOTS_FILE)


def collect_sentence_vectors(parts: Iterable[Mapping[str, np.ndarray]], dim: int) -> SentenceVectors:
    """One table from several key → vectors maps (the first map holding a key wins)."""
    slots: dict[str, tuple[int, int]] = {}
    blocks: list[np.ndarray] = []
    rows = 0
    for part in parts:
        for key, vectors in part.items():
            if key in slots:
                continue
            slots[key] = (rows, len(vectors))
            blocks.append(np.asarray(vectors, dtype=np.float16))
            rows += len(vectors)
    table = np.vstack(blocks) if blocks else np.zeros((0, dim), dtype=np.float16)
    return SentenceVectors(vectors=table, slots=slots)


def load_sentence_vectors(folder: Path) -> SentenceVectors | None:
    """The table saved in `folder` (memory-mapped), or None when there is none; ValueError when it is damaged."""
    slots_file, vectors_file = folder / _SLOTS_FILE, folder / _VECTORS_FILE
    if not slots_file.exists() or not vectors_file.exists():
        return None
    slots = {str(k): (int(v[0]), int(v[1])) for k, v in json.loads(slots_file.read_text()).items()}
    vectors = np.load(vectors_file, mmap_mode="r")
    if vectors.ndim != 2 or vectors.dtype != np.float16:
        raise ValueError(f"{_VECTORS_FILE} holds a {vectors.dtype} array of {vectors.ndim} dimensions")
    if any(first < 0 or count < 0 or first + count > len(vectors) for first, count in slots.values()):
        raise ValueError(f"{_SLOTS_FILE} points past the {len(vectors)} rows of {_VECTORS_FILE}")
    return SentenceVectors(vectors=vectors, slots=slots)
