"""One version of the index (a *snapshot*): its chunks in Chroma, its BM25 index and its sentence vectors.

Chroma holds a snapshot's chunks and embeddings (index/collection.py; index/store.py says which snapshot is
active). The BM25 index and the sentence vectors are files beside the store, one folder each per snapshot,
named after it; this module is the one place that knows that layout:

    STORE/lexical/NAME/     the BM25 index (index/lexical.py)
    STORE/sentences/NAME/   the sentence vectors (index/sentences.py)

With a Chroma server, STORE is a local folder that caches them (the BM25 index is rebuilt from Chroma when
missing). A snapshot is written completely, then made active in one pointer write; a failed build removes
what it wrote, and a cleanup removes every snapshot the store no longer retains.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from index.collection import ChunkCollection
from index.lexical import LexicalIndex, build_lexical_index, load_lexical_index
from index.progress import ProgressFn
from index.sentences import SentenceVectors, load_sentence_vectors
from index.store import Store

LEXICAL_FOLDER = "lexical"
SENTENCES_FOLDER = "sentences"

@dataclass(frozen=True)
class SnapshotFiles:
    """The per-snapshot folders under one store folder (`root`): BM25 index and sentence vectors."""

    root: Path

    def lexical_dir(self, name: str) -> Path:
        """Where the BM25 index of snapshot `name` lives."""
        return Path(self.root) / LEXICAL_FOLDER / name

    def sentences_dir(self, name: str) -> Path:
        """Where the sentence vectors of snapshot `name` live."""
        return Path(self.root) / SENTENCES_FOLDER / name

    def load_lexical(self, name: str) -> LexicalIndex | None:
        """The BM25 index of snapshot `name`, or None when it has none here."""
        return load_lexical_index(self.lexical_dir(name))

    def load_sentences(self, name: str) -> SentenceVectors | None:
        """The sentence vectors of snapshot `name` (memory-mapped), or None when it has none here."""
        return load_sentence_vectors(self.sentences_dir(name))

    def save_lexical(self, name: str, lexical: LexicalIndex) -> None:
        """Write the BM25 index of snapshot `name` (replacing what was there)."""
        lexical.save(self.lexical_dir(name))

    def save_sentences(self, name: str, sentences: SentenceVectors) -> None:
        """Write the sentence vectors of snapshot `name` (in place: a reader's old table stays valid)."""
        sentences.save(self.sentences_dir(name))

    def remove(self, name: str) -> None:
        """Delete the files of snapshot `name`."""
        for folder in (self.lexical_dir(name), self.sentences_dir(name)):
            shutil.rmtree(folder, ignore_errors=True)

    def prune(self, keep: set[str]) -> None:
        """Delete the files of every snapshot not in `keep`."""
        for kind in (LEXICAL_FOLDER, SENTENCES_FOLDER):
            root = Path(self.root) / kind
            if root.is_dir():
                for folder in root.iterdir():
                    if folder.name not in keep:
                        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class IndexSnapshot:
    """One index version, loaded: its chunks in Chroma, its BM25 index and its sentence vectors.

    `sentences` is None for an index built before sentence vectors existed, until a sync adds them.
    """

    chunks: ChunkCollection
    lexical: LexicalIndex
    sentences: SentenceVectors | None
    files: SnapshotFiles

    @property
    def name(self) -> str:
        """The snapshot's name (its newest Chroma collection; unique per build)."""
        return self.chunks.name

    @classmethod
    def load(cls, chunks: ChunkCollection, files: SnapshotFiles) -> IndexSnapshot:
        """The snapshot whose chunks are `chunks`, with its files read from `files`."""
        lexical = files.load_lexical(chunks.name)
        if lexical is None:
            # Server mode on another machine, or a deleted cache: rebuild it from Chroma once.
            lexical = build_lexical_index([s.chunk for s in chunks.iter_all()])
            files.save_lexical(chunks.name, lexical)
        return cls(chunks, lexical, files.load_sentences(chunks.name), files)

    def with_sentences_reread(self) -> IndexSnapshot:
        """The same snapshot with its sentence vectors read again (a sync adds missing ones in place)."""
        return dataclasses.replace(self, sentences=self.files.load_sentences(self.name))


def open_snapshot(store: Store, root: Path, embedding_model: str | None = None) -> IndexSnapshot:
    """The active snapshot of `store`, its files under `root`; refuse a missing index or another model's."""
    return IndexSnapshot.load(store.require_active(embedding_model), SnapshotFiles(Path(root)))


class SnapshotWriter:
    """A snapshot being written: nothing of it is visible until `activate`; `discard` removes all of it."""

    def __init__(self, store: Store, files: SnapshotFiles, chunks: ChunkCollection) -> None:
        self.store = store
        self.files = files
        self.chunks = chunks  # fill with chunks.add

    @classmethod
    def start(
        cls,
        store: Store,
        files: SnapshotFiles,
        metadata: dict[str, str | int],
        base: ChunkCollection | None = None,
        hidden: Sequence[str] = (),
    ) -> SnapshotWriter:
        """A new, empty snapshot with this build metadata; a delta over `base`'s base hiding `hidden` when given."""
        return cls(store, files, store.create_collection(metadata, base=base, hidden=hidden))

    @property
    def name(self) -> str:
        """The new snapshot's name."""
        return self.chunks.name

    def save_lexical(self, lexical: LexicalIndex) -> None:
        """Write the new snapshot's BM25 index."""
        self.files.save_lexical(self.name, lexical)

    def save_sentences(self, sentences: SentenceVectors) -> None:
        """Write the new snapshot's sentence vectors."""
        self.files.save_sentences(self.name, sentences)

    def activate(self) -> None:
        """Make the new snapshot the one readers see (one pointer write)."""
        self.store.activate(self.chunks)

    def discard(self) -> None:
        """Remove what was written (after a failure: the previous snapshot stays active)."""
        self.store.drop(self.name)
        self.files.remove(self.name)


def drop_stale(store: Store, files: SnapshotFiles, progress: ProgressFn) -> None:
    """Remove the collections and files no retained snapshot uses (the replaced one survives a sync)."""
    stale = store.stale_collections()
    progress("cleanup", 0, len(stale))
    for i, name in enumerate(stale):
        store.drop(name)
        progress("cleanup", i + 1, len(stale))
    files.prune(store.retained_snapshots())
