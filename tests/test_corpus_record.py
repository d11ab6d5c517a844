"""The index records its corpus (index/record.py, index/removals.py): a rebuild without --corpus syncs with it, and
a rebuild that would remove more than a fifth of the indexed articles is refused until it is confirmed.

These are the data-loss reproductions of issue 16: an index built with --corpus DIR, then rebuilt without
--corpus (from the CLI, or with the page's Rebuild button), used to sync against ./corpus and remove every
article that is not there.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from bot.retrieval.retriever import Retriever
from bot.web import handlers
from bot.web.chat_app import ChatApp
from bot.web.layout import Page, create_ui
from index.embedding import Embedder
from index.errors import RemovalRefusedError
from index.rebuild import rebuild_index
from index.settings import Settings, load_settings
from index.store import open_store
from tests.conftest import FIXTURE_CORPUS, ROOT, run_module

BRIDGE = "How much did the Harbor Bridge repair cost?"
BRIDGE_TITLE = "Harbor Bridge reopens after 14-month repair"
NO_FILTERS: tuple[Any, ...] = ([], [], None, None)


def three_articles(tmp_path: Path) -> Path:
    """A corpus of three of the fixture articles (./corpus of the repository holds one other article)."""
    corpus = tmp_path / "articles"
    corpus.mkdir()
    for name in ("chess.html", "glacier-study.txt", "harbor-bridge.md"):
        shutil.copy(FIXTURE_CORPUS / name, corpus / name)
    return corpus


@pytest.fixture()
def built(tmp_path: Path) -> tuple[Path, Path]:
    """(corpus, store): an index of three articles built from the CLI with --corpus."""
    corpus, store = three_articles(tmp_path), tmp_path / "store"
    result = run_module("index", "rebuild", "--corpus", str(corpus), "--store", str(store), "--quiet")
    assert result.returncode == 0, result.stderr
    return corpus, store


def _stats(store: Path) -> dict[str, Any]:
    result = run_module("index", "stats", "--json", "--store", str(store))
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_rebuild_without_corpus_syncs_with_the_one_the_index_records(built: tuple[Path, Path]) -> None:
    corpus, store = built
    again = run_module("index", "rebuild", "--store", str(store), "--quiet")  # from the repo, whose corpus/ has 1
    assert again.returncode == 0, again.stderr
    assert "  added 0 · updated 0 · removed 0 · unchanged 3 · skipped 0 · embedded 0 chunks\n" in again.stdout
    assert f"  corpus: {corpus}\n  the index was already up to date\n" in again.stdout
    info = _stats(store)
    assert (info["articles"], info["corpus"]) == (3, str(corpus))
    assert info["profile"] == {"outlets": {"Board Gazette": 1, "Coastal Courier": 1}, "categories": {"local": 1},
                               "first": "2023-10-04", "last": "2023-11-14"}  # the .txt article names no outlet
    text = run_module("index", "stats", "--store", str(store)).stdout
    assert f"\ncorpus:          {corpus}\narticles:        3\nchunks:          3\n" in text
    assert "\noutlets:         2: Board Gazette (1), Coastal Courier (1)\ncategories:      1: local (1)\n" in text
    assert "\npublished:       2023-10-04 to 2023-11-14\n" in text


def test_a_corpus_missing_most_articles_is_refused_until_allowed(built: tuple[Path, Path], embedder: Embedder) -> None:
    corpus, store = built
    refusal = (f"error: corpus has 1 article; the index has 3 from {corpus}: this rebuild would remove 3 of them — "
               f"pass --corpus {corpus} to sync with the corpus the index was built from, or --allow-removals to "
               "remove them\n")
    for full in ([], ["--full"]):
        wrong = run_module("index", "rebuild", "--corpus", "corpus", "--store", str(store), "--quiet", *full)
        assert (wrong.returncode, wrong.stderr) == (1, refusal)
    assert _stats(store)["articles"] == 3
    settings = Settings(store=store)
    assert Retriever(settings, embedder).retrieve(BRIDGE, k=1)[0].chunk.title == BRIDGE_TITLE

    allowed = run_module("index", "rebuild", "--corpus", "corpus", "--store", str(store), "--quiet", "--allow-removals")
    assert allowed.returncode == 0, allowed.stderr
    assert "  added 1 · updated 0 · removed 3 · unchanged 0 · skipped 0 · embedded 2 chunks\n" in allowed.stdout
    assert (_stats(store)["articles"], _stats(store)["corpus"]) == (1, str(ROOT / "corpus"))


def test_deleting_a_few_articles_needs_no_confirmation(tmp_path: Path, embedder: Embedder) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)  # 7 articles
    settings = Settings(corpus=corpus, store=tmp_path / "store")
    rebuild_index(settings, embedder)
    (corpus / "chess.html").unlink()  # 1 of 7: not more than a fifth
    assert rebuild_index(settings, embedder).removed == 1
    (corpus / "glacier-study.txt").unlink()
    (corpus / "harbor-bridge.md").unlink()  # 2 of 6: more than a fifth
    expected = (r" has 4 articles; the index has 6 from it: this rebuild would remove 2 of them — pass "
                r"--allow-removals if those articles were deleted on purpose$")
    with pytest.raises(RemovalRefusedError, match=expected):
        rebuild_index(settings, embedder)


def _page(app: ChatApp) -> Page:
    with gr.Blocks():
        return create_ui(app, "")


def test_page_rebuild_uses_the_recorded_corpus_and_asks_before_removing(
    built: tuple[Path, Path], embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, store = built
    monkeypatch.chdir(ROOT)  # started from the repository, whose corpus/ holds one other article
    app = ChatApp(load_settings(env={}, store=store), embedder)  # app.py --store S, no --corpus
    ui = _page(app)
    final = list(handlers.rebuild(app, ui, False, *NO_FILTERS))[-1]  # Index → Rebuild index
    assert open_store(store).info().articles == 3
    assert "(nothing had changed)." in final[ui.status]
    assert f"Corpus: {corpus}  \n" in app.status_markdown()

    # Started with the wrong --corpus: the page stops, says why, and offers the button that goes ahead.
    wrong = ChatApp(load_settings(env={}, store=store, corpus=ROOT / "corpus"), embedder)
    ui = _page(wrong)
    final = list(handlers.rebuild(wrong, ui, False, *NO_FILTERS))[-1]
    assert final[ui.confirm] == gr.update(visible=True, value="Remove 3 articles and rebuild")
    assert final[ui.status].endswith(
        f"⚠️ **Nothing was changed.** {ROOT / 'corpus'} has 1 article; the index has 3 from {corpus}: this rebuild "
        "would remove 3 of them. If those articles should go, click **Remove 3 articles and rebuild**; otherwise "
        "restart the chat with `--corpus` set to the folder the index was built from."
    )
    assert open_store(store).info().articles == 3
    assert wrong.engine is not None and wrong.engine.answer(BRIDGE).citations[0].chunk.title == BRIDGE_TITLE

    final = list(handlers.rebuild(wrong, ui, False, *NO_FILTERS, allow_removals=True))[-1]  # the button
    assert final[ui.confirm] == gr.update(visible=False)
    assert "(1 added, 0 updated, 3 removed, 0 unchanged)." in final[ui.status]
    assert open_store(store).info().articles == 1
