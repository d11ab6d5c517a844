"""A snapshot's side files made whole: sentence vectors for every chunk, and a BM25 index that reads back.

A sync that finds no article changed still checks them: an index built before sentence vectors existed
gets them, and a side file that was deleted or damaged (index/snapshot.py checks each against its
manifest) is rebuilt from what Chroma holds, so a sync never says "already up to date" over a broken file.
"""

from __future__ import annotations

import numpy as np

from index.collection import ChunkCollection
from index.documents import Chunk
from index.embedding import Embedder
from index.errors import DamagedFileError
from index.lexical import build_lexical_index
from index.progress import ProgressFn
from index.sentences import (
    SentenceVectors,
    collect_sentence_vectors,
    embedding_text,
    passage_key,
    passage_spans,
    text_key,
)
from index.snapshot import SnapshotFiles


def sentence_table(
    chunks: list[Chunk],
    fresh: dict[str, np.ndarray],
    earlier: SentenceVectors | None,
    embedder: Embedder,
    tick: ProgressFn,
) -> tuple[SentenceVectors, int]:
    """Sentence vectors of every visible chunk (just embedded, kept from the last snapshot, or embedded now), and
    how many chunks went through the model for it.

    The last case covers indexes built before sentence vectors existed, or whose table was lost: their chunks go
    through the model once more (their stored chunk vectors are left as they are).
    """
    wanted = {passage_key(c): c for c in chunks}
    kept = {k: v for k in wanted if k not in fresh and earlier is not None and (v := earlier.get(k)) is not None}
    missing = [c for k, c in wanted.items() if k not in fresh and k not in kept]
    filled: dict[str, np.ndarray] = {}
    if missing:
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            tick("sentences", done, len(missing))

        texts = [embedding_text(c) for c in missing]
        _, rows = embedder.embed_passages(texts, [passage_spans(c) for c in missing], progress=advance)
        filled = {text_key(t): r for t, r in zip(texts, rows)}
    table = collect_sentence_vectors([{k: v for k, v in fresh.items() if k in wanted}, kept, filled], embedder.dim)
    return table, len(missing)


def earlier_sentences(files: SnapshotFiles, name: str, notes: list[str]) -> SentenceVectors | None:
    """The sentence vectors of snapshot `name` to reuse, or None (a damaged table is noted and not reused)."""
    try:
        return files.load_sentences(name)
    except DamagedFileError as exc:
        notes.append(f"re-embedded the sentences of the previous index, whose sentence vectors were damaged ({exc})")
        return None


def repair_side_files(
    files: SnapshotFiles, chunks: ChunkCollection, embedder: Embedder, tick: ProgressFn
) -> tuple[int, list[str]]:
    """Rebuild a missing or damaged BM25 index and add missing sentence vectors to snapshot `chunks`, in place;
    return the chunks embedded and a note per repair."""
    notes: list[str] = []
    try:
        lexical_ok = files.load_lexical(chunks.name) is not None
        why = "it was missing"
    except DamagedFileError as exc:
        lexical_ok, why = False, f"it was damaged: {exc}"
    if not lexical_ok:
        files.save_lexical(chunks.name, build_lexical_index([s.chunk for s in chunks.iter_all()]))
        notes.append(f"rebuilt the BM25 index from Chroma ({why})")
    try:
        earlier = files.load_sentences(chunks.name)
        damage = ""
    except DamagedFileError as exc:
        earlier, damage = None, str(exc)
    # A table is written for exactly its snapshot's chunks: one entry per chunk means complete, without reading
    # every chunk back from Chroma on each sync that finds nothing to do (fewer entries: identical texts).
    if earlier is not None and len(earlier.slots) == chunks.count():
        return 0, notes
    visible = [s.chunk for s in chunks.iter_all()]
    if earlier is not None and all(passage_key(c) in earlier for c in visible):
        return 0, notes
    table, embedded = sentence_table(visible, {}, earlier, embedder, tick)
    files.save_sentences(chunks.name, table)
    notes.append(f"rebuilt the sentence vectors ({damage})" if damage else
                 "added the sentence vectors the ranker uses to this index (they were missing: deleted, never "
                 "written in this cache folder, or built by an older version)")
    return embedded, notes
