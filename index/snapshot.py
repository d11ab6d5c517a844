"""One version of the index (a *snapshot*): its chunks in Chroma, its BM25 index and its sentence vectors.

Chroma holds a snapshot's chunks and embeddings (index/collection.py; index/store.py says which snapshot is
active). The BM25 index and the sentence vectors are files beside the store, one folder each per snapshot,
named after it; this module is the one place that knows that layout:

    STORE/lexical/NAME/                         the BM25 index (index/lexical.py) of the embedded store
    STORE/sentences/NAME/                       its sentence vectors (index/sentences.py)
    STORE/servers/HOST_PORT/lexical/NAME/       the same, cached for the index on the Chroma server at
    STORE/servers/HOST_PORT/sentences/NAME/     HOST:PORT (a sub-folder per server: one owner per folder)
    STORE/corpus.json                           the corpus the embedded store was built from (index/record.py)

A server's caches never share a folder with an embedded store's files, so a rebuild in one mode never
deletes the other's. The BM25 index is rebuilt from Chroma when missing or damaged; each folder carries a
manifest of its files' sizes and checksums, checked on load, so a damaged file is noticed instead of read.
A snapshot is written completely, then made active in one pointer write; a failed build removes what it
wrote, and a cleanup removes every snapshot the store no longer retains.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse

from index.collection import ChunkCollection
from index.errors import DamagedFileError
from index.failures import explain, one_line
from index.lexical import LexicalIndex, build_lexical_index, load_lexical_index
from index.progress import ProgressFn
from index.sentences import SentenceVectors, load_sentence_vectors
from index.store import Store

_Loaded = TypeVar("_Loaded")

log = logging.getLogger(__name__)

LEXICAL_FOLDER = "lexical"
SENTENCES_FOLDER = "sentences"
SERVERS_FOLDER = "servers"
MANIFEST = "manifest.json"  # in each snapshot folder: {file: [size, blake2b]} of the others


def snapshot_files(store_dir: Path, chroma_url: str | None = None) -> SnapshotFiles:
    """Where the side files of the index live: the store folder, or its sub-folder for the server at `chroma_url`."""
    root = Path(store_dir)
    if not chroma_url:
        return SnapshotFiles(root)
    parsed = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
    key = f"{parsed.hostname or 'server'}_{parsed.port or 8000}{parsed.path.rstrip('/')}"
    return SnapshotFiles(root / SERVERS_FOLDER / re.sub(r"[^A-Za-z0-9.-]+", "_", key))


def _digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def write_manifest(folder: Path) -> None:
    """Record the size and checksum of every file in `folder` (after they are all written)."""
    entries = {p.name: [p.stat().st_size, _digest(p)] for p in sorted(folder.iterdir())
               if p.is_file() and p.name != MANIFEST and not p.name.endswith(".tmp")}
    temporary = folder / (MANIFEST + ".tmp")
    temporary.write_text(json.dumps(entries))
    temporary.replace(folder / MANIFEST)


def check_manifest(folder: Path) -> None:
    """Raise DamagedFileError when a file of `folder` differs from its manifest (none: an older index, unchecked)."""
    manifest = folder / MANIFEST
    if not manifest.exists():
        return
    try:
        entries = {str(k): (int(v[0]), str(v[1])) for k, v in json.loads(manifest.read_text()).items()}
    except (ValueError, TypeError, IndexError, AttributeError, OSError) as exc:
        raise DamagedFileError(f"{manifest} cannot be read ({one_line(exc)})") from exc
    for name, (size, digest) in entries.items():
        path = folder / name
        if not path.is_file():
            raise DamagedFileError(f"{path} is missing")
        if path.stat().st_size != size:
            raise DamagedFileError(f"{path} has {path.stat().st_size} bytes instead of {size}")
        if _digest(path) != digest:
            raise DamagedFileError(f"{path} does not match its checksum")


def _read_checked(folder: Path, load: Callable[[Path], _Loaded | None], what: str) -> _Loaded | None:
    """Check `folder` against its manifest, then load it; DamagedFileError naming `what` when unreadable."""
    check_manifest(folder)
    try:
        return load(folder)
    except (ValueError, TypeError, KeyError, IndexError, EOFError, OSError) as exc:
        raise DamagedFileError(f"{what} in {folder} cannot be read ({one_line(exc)})") from exc


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
        """The BM25 index of snapshot `name`, or None when it has none here; DamagedFileError when unreadable."""
        return _read_checked(self.lexical_dir(name), load_lexical_index, "the BM25 index")

    def load_sentences(self, name: str) -> SentenceVectors | None:
        """The sentence vectors of snapshot `name` (memory-mapped), or None when it has none here;
        DamagedFileError when unreadable."""
        return _read_checked(self.sentences_dir(name), load_sentence_vectors, "the sentence vectors")

    def save_lexical(self, name: str, lexical: LexicalIndex) -> None:
        """Write the BM25 index of snapshot `name` (replacing what was there), then its manifest."""
        self._write(self.lexical_dir(name), lexical.save)

    def save_sentences(self, name: str, sentences: SentenceVectors) -> None:
        """Write the sentence vectors of snapshot `name` (in place: a reader's old table stays valid)."""
        self._write(self.sentences_dir(name), sentences.save)

    def _write(self, folder: Path, save: Callable[[Path], None]) -> None:
        try:
            save(folder)
            write_manifest(folder)
        except OSError as exc:  # a full disk, a read-only folder: say so rather than show a traceback
            raise explain(exc, "write", str(self.root), server=False) from exc

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
    missing_sentences: str = ""  # why `sentences` is None: what a warning tells the user
    sentences_stamp: int | None = None  # when the sentence files were last written, as read (see reread)

    @property
    def name(self) -> str:
        """The snapshot's name (its newest Chroma collection; unique per build)."""
        return self.chunks.name

    @classmethod
    def load(cls, chunks: ChunkCollection, files: SnapshotFiles) -> IndexSnapshot:
        """The snapshot whose chunks are `chunks`, with its files read from `files`."""
        try:
            lexical = files.load_lexical(chunks.name)
        except DamagedFileError as exc:
            log.warning("%s: rebuilding the BM25 index from Chroma", exc)
            lexical = None
        if lexical is None:
            # Server mode on another machine, a deleted or damaged cache: rebuild it from Chroma once.
            lexical = build_lexical_index([s.chunk for s in chunks.iter_all()])
            files.save_lexical(chunks.name, lexical)
        stamp = _stamp(files.sentences_dir(chunks.name))
        sentences, missing = _read_sentences(files, chunks.name)
        return cls(chunks, lexical, sentences, files, missing, stamp)

    def with_sentences_reread(self) -> IndexSnapshot:
        """The same snapshot with its sentence vectors read again (a sync adds missing ones in place, or repairs
        damaged ones); itself while nothing was written since, so a damaged table is not re-checked per question."""
        stamp = _stamp(self.files.sentences_dir(self.name))
        if stamp is not None and stamp == self.sentences_stamp:
            return self
        sentences, missing = _read_sentences(self.files, self.name)
        return dataclasses.replace(self, sentences=sentences, missing_sentences=missing, sentences_stamp=stamp)


def _stamp(folder: Path) -> int | None:
    """When `folder`'s files were last written (its manifest is written last), or None when there are none."""
    try:
        return (folder / MANIFEST).stat().st_mtime_ns
    except OSError:
        return None


def _read_sentences(files: SnapshotFiles, name: str) -> tuple[SentenceVectors | None, str]:
    """The snapshot's sentence vectors, or None and why."""
    try:
        sentences = files.load_sentences(name)
    except DamagedFileError as exc:
        return None, f"they are damaged: {exc}"
    if sentences is None:
        return None, f"there are none in {files.sentences_dir(name)}: the folder was deleted, or the index was " \
            "built by an older version or from another folder"
    return sentences, ""


def open_snapshot(store: Store, files: SnapshotFiles, embedding_model: str | None = None) -> IndexSnapshot:
    """The active snapshot of `store` with its side files from `files`; refuse a missing index or another model's."""
    return IndexSnapshot.load(store.require_active(embedding_model), files)


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
