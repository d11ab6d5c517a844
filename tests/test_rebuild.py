"""Rebuilds against the embedded store and a real Chroma server: counts, deltas, compaction, failures."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from index.embedding import Embedder
from index.errors import ModelMismatchError, NoIndexError, NothingToIndexError, RebuildBusyError, RemovalRefusedError
from index.rebuild import RebuildReport, rebuild_index, rebuild_lock
from index.settings import Settings
from index.snapshot import SnapshotFiles
from index.store import open_store
from tests.chroma_server import Backend, backend_fixture  # noqa: F401  (embedded store and Chroma server)
from tests.conftest import FIXTURE_CORPUS
from tests.index_helpers import (
    TOWNS,
    active_texts,
    assert_clean,
    assert_lexical_in_step,
    lexical_finds,
    make_corpus,
    town_article,
    write_towns,
)


class Renamed:
    """The real embedder under another model name (we cannot ship a second model)."""

    def __init__(self, inner: Embedder, name: str) -> None:
        self._inner, self.name, self.dim, self.batch_size = inner, name, inner.dim, inner.batch_size

    def embed_texts(self, texts: Sequence[str], progress: object = None) -> np.ndarray:
        return self._inner.embed_texts(texts)

    def embed_passages(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], progress: object = None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        return self._inner.embed_passages(texts, spans)

    def embed_query(self, text: str) -> np.ndarray:
        return self._inner.embed_query(text)


class FailingEmbedder(Renamed):
    """Fails the way a crash mid-rebuild would."""

    def embed_passages(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], progress: object = None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        raise RuntimeError("simulated crash while embedding")


def test_fixture_rebuild_report(fixture_index: tuple[Settings, RebuildReport]) -> None:
    settings, report = fixture_index
    assert (report.articles, report.chunks, report.added, report.embedded_chunks) == (7, 7, 7, 0 + 7)
    assert report.skipped == [] and report.full
    info = open_store(settings.store).info()
    assert (info.articles, info.chunks, info.dimension) == (7, 7, 384)
    assert info.embedding_model == "all-MiniLM-L6-v2-onnx-int8"
    assert (info.chunk_tokens, info.chunk_overlap) == (300, 40)
    assert (SnapshotFiles(settings.store).lexical_dir(info.collection) / "chunk_ids.json").exists()


def counts(report: RebuildReport) -> tuple[int, int, int, int, int]:
    return report.added, report.updated, report.removed, report.unchanged, report.embedded_chunks


def test_incremental_sync_embeds_only_what_changed(tmp_path: Path, embedder: Embedder, backend: Backend) -> None:
    corpus = make_corpus(tmp_path)
    settings = backend.settings(corpus, tmp_path / "store")
    first = rebuild_index(settings, embedder)
    assert counts(first) == (37, 0, 0, 0, 37) and first.full
    store = open_store(settings.store, settings.chroma_url)
    base = store.active_name()
    assert base is not None

    again = rebuild_index(settings, embedder)
    assert counts(again) == (0, 0, 0, 37, 0) and not again.changed
    assert store.active_name() == base

    glacier = corpus / "glacier-study.txt"
    glacier.write_text(glacier.read_text().replace("about 180 glaciers", "about 190 glaciers"))
    (corpus / "chess.html").unlink()
    ferry = "# Ferry strike ends\n\nFerry workers in Port Elling ended a {}-day strike, said Oswin Drabble.\n"
    (corpus / "new.md").write_text(ferry.format("two"))
    report = rebuild_index(settings, embedder)
    assert counts(report) == (1, 1, 1, 35, 2)
    assert (report.articles, report.chunks, report.full, report.compacted) == (37, 37, False, False)
    active = store.require_active()
    assert active.layered and active.base_name == base  # only the two new chunks were written
    texts = active_texts(store)
    assert len(texts) == 37
    assert any("about 190 glaciers" in t for t in texts.values())
    assert not any("about 180 glaciers" in t for t in texts.values())
    assert not any("Mira Holt" in t for t in texts.values())
    assert any("Ferry workers" in t for t in texts.values())
    assert_lexical_in_step(settings)
    assert lexical_finds(settings, "Holt") == []
    assert len(lexical_finds(settings, "Drabble")) == 1
    hit = active.query(embedder.embed_query("ferry workers strike"), 1)[0][0]
    assert hit.title == "Ferry strike ends"
    assert [c.title for c in active.get([hit.id])] == ["Ferry strike ends"]
    assert_clean(settings)

    # A second sync reuses the delta's embeddings and hides one more base article.
    towns = [town_article(i) for i in range(len(TOWNS))]
    towns[3] = town_article(3, shelves=999)
    del towns[4]
    write_towns(corpus, towns)
    (corpus / "new.md").write_text(ferry.format("three"))
    second = rebuild_index(settings, embedder)
    assert counts(second) == (0, 2, 1, 34, 2)
    active = store.require_active()
    assert active.layered and active.base_name == base
    texts = active_texts(store)
    assert len(texts) == 36
    assert any("999 shelves" in t for t in texts.values())
    assert not any(TOWNS[4] in t for t in texts.values())
    assert any("three-day strike" in t for t in texts.values()) and not any("two-day" in t for t in texts.values())
    assert_lexical_in_step(settings)
    assert lexical_finds(settings, TOWNS[4]) == []
    assert not any(TOWNS[4] in c.text for c, _ in active.query(embedder.embed_query(f"{TOWNS[4]} library"), 36))
    assert_clean(settings)

    # A removed base article comes back: served from the delta, not from the (hidden) base copy.
    write_towns(corpus, [town_article(i) for i in range(len(TOWNS))])
    third = rebuild_index(settings, embedder)
    assert counts(third) == (1, 1, 0, 35, 2)
    texts = active_texts(store)
    assert len(texts) == 37 and sum(TOWNS[4] in t for t in texts.values()) == 1
    assert_lexical_in_step(settings)
    assert_clean(settings)
    assert open_store(settings.store, settings.chroma_url).info().articles == 37


def test_many_changes_compact_into_a_new_base(tmp_path: Path, embedder: Embedder, backend: Backend) -> None:
    corpus = make_corpus(tmp_path)
    settings = backend.settings(corpus, tmp_path / "store")
    rebuild_index(settings, embedder)
    store = open_store(settings.store, settings.chroma_url)
    base = store.active_name()
    write_towns(corpus, [town_article(i, shelves=500 + i) if i < 9 else town_article(i) for i in range(len(TOWNS))])
    report = rebuild_index(settings, embedder)
    assert counts(report) == (0, 9, 0, 28, 9) and report.compacted and not report.full
    active = store.require_active()
    assert not active.layered and active.name != base
    texts = active_texts(store)
    assert len(texts) == 37 and sum("shelves on Monday" in t and " 50" in t for t in texts.values()) == 9
    assert_lexical_in_step(settings)
    assert_clean(settings)
    assert store.retained_snapshots() == {active.name, base}  # the replaced snapshot outlives one sync for readers


def test_full_rebuild_re_embeds_everything(tmp_path: Path, embedder: Embedder, backend: Backend) -> None:
    corpus = make_corpus(tmp_path)
    settings = backend.settings(corpus, tmp_path / "store")
    rebuild_index(settings, embedder)
    (corpus / "chess.html").unlink()
    report = rebuild_index(settings, embedder, full=True)
    assert counts(report) == (36, 0, 0, 0, 36) and report.full
    store = open_store(settings.store, settings.chroma_url)
    assert not store.require_active().layered and len(active_texts(store)) == 36
    assert_lexical_in_step(settings)
    assert_clean(settings)


def test_failed_rebuild_leaves_previous_index(tmp_path: Path, embedder: Embedder, backend: Backend) -> None:
    corpus = make_corpus(tmp_path)
    settings = backend.settings(corpus, tmp_path / "store")
    rebuild_index(settings, embedder)
    store = open_store(settings.store, settings.chroma_url)
    before = store.active_name()
    (corpus / "new.txt").write_text("A brand new article that needs embedding. It has words.")
    with pytest.raises(RuntimeError, match="simulated crash"):
        rebuild_index(settings, FailingEmbedder(embedder, embedder.name))  # type: ignore[arg-type]
    assert store.active_name() == before
    assert store.require_active().count() == 37
    assert store.stale_collections() == []
    report = rebuild_index(settings, embedder)
    assert counts(report) == (1, 0, 0, 37, 1)


def test_model_mismatch_is_refused_with_advice(tmp_path: Path, embedder: Embedder, backend: Backend) -> None:
    settings = backend.settings(FIXTURE_CORPUS, tmp_path / "store")
    rebuild_index(settings, embedder)
    other = Renamed(embedder, "other-model")
    with pytest.raises(ModelMismatchError) as err:
        rebuild_index(settings, other)  # type: ignore[arg-type]
    where = backend.url or settings.store
    assert str(err.value) == (
        f"the index at {where} was built with the embedding model 'all-MiniLM-L6-v2-onnx-int8', but 'other-model' "
        "is configured: rebuild it with `python -m index rebuild --full`, "
        "or set BOT_EMBED_MODEL=all-MiniLM-L6-v2-onnx-int8"
    )
    report = rebuild_index(settings, other, full=True)  # type: ignore[arg-type]
    assert report.full and report.embedded_chunks == 7
    assert open_store(settings.store, settings.chroma_url).info().embedding_model == "other-model"


def test_unreadable_file_keeps_its_articles_deleted_file_drops_them(
    tmp_path: Path, embedder: Embedder, backend: Backend
) -> None:
    corpus = make_corpus(tmp_path)
    settings = backend.settings(corpus, tmp_path / "store")
    rebuild_index(settings, embedder)
    (corpus / "towns.jsonl").write_bytes(b"\x00\x01 half-written binary junk")
    (corpus / "tech.json").write_text('[{"title": "cut off mid-save", ')
    (corpus / "chess.html").unlink()
    report = rebuild_index(settings, embedder)
    assert counts(report) == (0, 0, 1, 4, 0) and report.kept == 32
    assert {(s.origin, s.reason) for s in report.skipped} == {
        ("towns.jsonl", "binary file (contains NUL bytes), not text"),
        ("tech.json", "invalid JSON at line 1, column 32: Expecting property name enclosed in double quotes"),
    }
    assert report.note == (
        "kept the previously indexed version of 32 articles from files that could not be read this time "
        "(see Skipped); fix or delete those files"
    )
    store = open_store(settings.store, settings.chroma_url)
    texts = active_texts(store)
    assert len(texts) == 36 and sum("public library" in t for t in texts.values()) == 30
    assert_lexical_in_step(settings)

    (corpus / "towns.jsonl").unlink()
    with pytest.raises(RemovalRefusedError) as refused:  # 30 of 36 is more than a fifth: it must be asked for
        rebuild_index(settings, embedder)
    assert str(refused.value) == (
        f"{corpus} has 4 articles; the index has 36 from it: this rebuild would remove 30 of them — pass "
        "--allow-removals if those articles were deleted on purpose"
    )
    assert len(active_texts(store)) == 36
    report = rebuild_index(settings, embedder, allow_removals=True)
    assert counts(report) == (0, 0, 30, 4, 0) and report.kept == 2
    assert len(active_texts(store)) == 6


def test_missing_index_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(NoIndexError, match=r"^no index at .*nope — run `python -m index rebuild`$"):
        open_store(tmp_path / "nope")


def test_empty_server_says_what_to_do(tmp_path: Path, backend: Backend) -> None:
    store = open_store(tmp_path / "store", backend.url, create=True)
    with pytest.raises(NoIndexError, match=r"^no index at .* — run `python -m index rebuild`$"):
        store.require_active()


def test_empty_corpus_refused_and_index_untouched(tmp_path: Path, embedder: Embedder) -> None:
    settings = Settings(corpus=FIXTURE_CORPUS, store=tmp_path / "store")
    rebuild_index(settings, embedder)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "blank.txt").write_text("")
    with pytest.raises(NothingToIndexError, match=r"no usable article found in .*\(1 files looked at, 1 skipped\)"):
        rebuild_index(Settings(corpus=empty, store=tmp_path / "store"), embedder)
    assert open_store(settings.store).info().articles == 7


def test_second_rebuild_refused_while_one_runs(tmp_path: Path, embedder: Embedder) -> None:
    settings = Settings(corpus=FIXTURE_CORPUS, store=tmp_path / "store")
    with rebuild_lock(settings.store), pytest.raises(RebuildBusyError, match=r"another rebuild \(pid \d+\) is writing"):
        rebuild_index(settings, embedder)
