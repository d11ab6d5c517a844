"""Rebuilds: counts, incremental sync, atomic failure, model mismatch, lock."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from index.embedding import Embedder
from index.errors import ModelMismatchError, NoIndexError, NothingToIndexError, RebuildBusyError
from index.lexical import lexical_dir
from index.rebuild import RebuildReport, rebuild_index, rebuild_lock
from index.settings import Settings
from index.store import open_store
from tests.conftest import FIXTURE_CORPUS


class Renamed:
    """The real embedder under another model name (we cannot ship a second model)."""

    def __init__(self, inner: Embedder, name: str) -> None:
        self._inner, self.name, self.dim, self.batch_size = inner, name, inner.dim, inner.batch_size

    def embed_texts(self, texts: Sequence[str], progress: object = None) -> np.ndarray:
        return self._inner.embed_texts(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._inner.embed_query(text)


class FailingEmbedder(Renamed):
    """Fails the way a crash mid-rebuild would."""

    def embed_texts(self, texts: Sequence[str], progress: object = None) -> np.ndarray:
        raise RuntimeError("simulated crash while embedding")


def test_fixture_rebuild_report(fixture_index: tuple[Settings, RebuildReport]) -> None:
    settings, report = fixture_index
    assert (report.articles, report.chunks, report.added, report.embedded_chunks) == (7, 7, 7, 0 + 7)
    assert report.skipped == [] and report.full
    info = open_store(settings.store).info()
    assert (info.articles, info.chunks, info.embedding_model, info.dimension) == (7, 7, "all-MiniLM-L6-v2", 384)
    assert (info.chunk_tokens, info.chunk_overlap) == (256, 32)
    assert (lexical_dir(settings.store, info.collection) / "chunk_ids.json").exists()


def copy_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    return corpus


def test_incremental_sync_embeds_only_what_changed(tmp_path: Path, embedder: Embedder) -> None:
    corpus = copy_corpus(tmp_path)
    settings = Settings(corpus=corpus, store=tmp_path / "store")
    first = rebuild_index(settings, embedder)
    assert (first.added, first.embedded_chunks) == (7, 7)

    again = rebuild_index(settings, embedder)
    assert (again.unchanged, again.embedded_chunks, again.changed) == (7, 0, False)

    glacier = corpus / "glacier-study.txt"
    glacier.write_text(glacier.read_text().replace("about 180 glaciers", "about 190 glaciers"))
    (corpus / "chess.html").unlink()
    (corpus / "new.md").write_text("# Ferry strike ends\n\nFerry workers in Port Elling ended a two-day strike.\n")
    report = rebuild_index(settings, embedder)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 5)
    assert report.embedded_chunks == 2
    store = open_store(settings.store)
    texts = [s.chunk.text for s in store.require_active().iter_all()]
    assert len(texts) == 7
    assert any("about 190 glaciers" in t for t in texts)
    assert not any("about 180 glaciers" in t for t in texts)
    assert not any("Mira Holt" in t for t in texts)
    assert store.stale_generations() == []
    assert [p.name for p in (settings.store / "lexical").iterdir()] == [store.active_name()]


def test_failed_rebuild_leaves_previous_index(tmp_path: Path, embedder: Embedder) -> None:
    corpus = copy_corpus(tmp_path)
    settings = Settings(corpus=corpus, store=tmp_path / "store")
    rebuild_index(settings, embedder)
    store = open_store(settings.store)
    before = store.active_name()
    (corpus / "new.txt").write_text("A brand new article that needs embedding. It has words.")
    with pytest.raises(RuntimeError, match="simulated crash"):
        rebuild_index(settings, FailingEmbedder(embedder, embedder.name))  # type: ignore[arg-type]
    assert store.active_name() == before
    assert store.require_active().count() == 7
    assert store.stale_generations() == []


def test_model_mismatch_is_refused_with_advice(tmp_path: Path, embedder: Embedder) -> None:
    settings = Settings(corpus=FIXTURE_CORPUS, store=tmp_path / "store")
    rebuild_index(settings, embedder)
    other = Renamed(embedder, "other-model")
    with pytest.raises(ModelMismatchError) as err:
        rebuild_index(settings, other)  # type: ignore[arg-type]
    assert str(err.value) == (
        f"the index at {settings.store} was built with the embedding model 'all-MiniLM-L6-v2', but 'other-model' "
        "is configured: rebuild it with `python -m index rebuild --full`, or set BOT_EMBED_MODEL=all-MiniLM-L6-v2"
    )
    report = rebuild_index(settings, other, full=True)  # type: ignore[arg-type]
    assert report.full and report.embedded_chunks == 7
    assert open_store(settings.store).info().embedding_model == "other-model"


def test_missing_index_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(NoIndexError, match=r"^no index at .*nope — run `python -m index rebuild`$"):
        open_store(tmp_path / "nope")


def test_empty_corpus_refused_and_index_untouched(tmp_path: Path, embedder: Embedder) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "blank.txt").write_text("")
    with pytest.raises(NothingToIndexError, match=r"no usable article found in .*\(1 files looked at, 1 skipped\)"):
        rebuild_index(Settings(corpus=empty, store=tmp_path / "store"), embedder)


def test_second_rebuild_refused_while_one_runs(tmp_path: Path, embedder: Embedder) -> None:
    settings = Settings(corpus=FIXTURE_CORPUS, store=tmp_path / "store")
    with rebuild_lock(settings.store), pytest.raises(RebuildBusyError, match=r"another rebuild \(pid \d+\) is writing"):
        rebuild_index(settings, embedder)
