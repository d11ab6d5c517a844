"""A snapshot's chunks in Chroma (index/collection.py): what is read by id is read from Chroma once."""

from __future__ import annotations

from typing import Any

import numpy as np

from index.collection import ChunkCollection
from index.documents import Chunk
from index.embedding import Embedder
from index.rebuild import RebuildReport
from index.settings import Settings
from index.store import open_store


class _Counting:
    """A Chroma collection that counts the reads made through it."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self.reads: list[str] = []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._collection, name)
        if name in ("get", "count", "query"):
            def counted(*args: Any, **kwargs: Any) -> Any:
                self.reads.append(name)
                return found(*args, **kwargs)
            return counted
        return found


def _counted(settings: Settings) -> tuple[ChunkCollection, _Counting, ChunkCollection]:
    store = open_store(settings.store)
    active = store.active()
    assert active is not None and not active.layered
    top = _Counting(active._top)
    return ChunkCollection(top), top, active


def test_chunks_and_vectors_read_by_id_come_from_memory_the_second_time(
    fixture_index: tuple[Settings, RebuildReport], embedder: Embedder
) -> None:
    collection, top, plain = _counted(fixture_index[0])
    ids = [s.chunk.id for s in plain.iter_all()][:5]
    vector = embedder.embed_query("Who won the chess final in Oslo?")

    first = collection.get(ids)
    assert [c.id for c in first] == ids and top.reads == ["get"]
    assert collection.get(ids[::-1]) == first[::-1] and top.reads == ["get"]
    assert collection.get([*ids[:2], "missing:0"]) == first[:2] and top.reads == ["get", "get"]

    sims = collection.similarities(ids, vector)
    assert top.reads == ["get", "get", "get"]
    again = collection.similarities(ids[1:3], vector)
    assert top.reads == ["get", "get", "get"] and again == {i: sims[i] for i in ids[1:3]}
    # The same cosines as reading the stored embeddings afresh (the uncached collection).
    assert list(sims) == ids
    assert np.allclose([sims[i] for i in ids], [plain.similarities(ids, vector)[i] for i in ids], atol=1e-6)

    assert collection.count() == collection.count() == len(list(plain.iter_all()))
    collection.query(vector, 3)
    collection.query(vector, 3)
    assert top.reads.count("count") == 1 and top.reads.count("query") == 2  # searches are never cached


def test_a_write_makes_the_next_reads_go_to_chroma(tmp_path: Any) -> None:
    import chromadb

    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"))
    collection = ChunkCollection(client.create_collection("chunks", embedding_function=None))
    first = Chunk("a", 0, "The ferry strike ended.", 0, 23, "Strike")
    second = Chunk("a", 1, "Crossings resumed on Monday.", 24, 52, "Strike")
    collection.add([first], np.eye(1, 4, 0, dtype=np.float32))
    assert collection.count() == 1 and collection.get([first.id, second.id]) == [first]
    collection.add([second], np.eye(1, 4, 1, dtype=np.float32))
    assert collection.count() == 2 and collection.get([first.id, second.id]) == [first, second]
    assert collection.similarities([first.id, second.id], np.eye(1, 4, 1, dtype=np.float32)[0]) == {
        first.id: 0.0, second.id: 1.0}
