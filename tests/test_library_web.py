"""The Library tab's handlers (bot.web.library_events) called on their own, without a server, over small
temporary corpora: what they say, what they save, and the rebuild they run."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from bot.web import library_events
from bot.web.chat_app import ChatApp
from bot.web.layout import Page, create_ui
from bot.web.library_events import Listing
from index.embedding import Embedder
from index.rebuild import rebuild_index
from index.settings import Settings
from tests.conftest import FIXTURE_CORPUS

ONE_ARTICLE = "---\ntitle: {title}\nsource: Harbor Herald\npublished_at: 2023-12-0{day}\n---\n{body}\n"


def _app(settings: Settings, embedder: Embedder) -> tuple[ChatApp, Page]:
    app = ChatApp(settings, embedder)
    with gr.Blocks():
        return app, create_ui(app, "")


@pytest.fixture
def small(tmp_path: Path, embedder: Embedder) -> tuple[ChatApp, Page, Path]:
    """The page's app over an index of three one-article files (removing one is a third of the index)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for day, (name, body) in enumerate([("bells.md", "The town hall bells were rung for the first time in a "
                                         "century on Monday."),
                                        ("bakery.md", "A new bakery opened on Quay Street, selling rye bread."),
                                        ("regatta.md", "Forty boats sailed in the autumn regatta on Sunday.")], 1):
        (corpus / name).write_text(ONE_ARTICLE.format(title=name[:-3].title(), day=day, body=body), encoding="utf-8")
    settings = Settings(corpus=corpus, store=tmp_path / "index")
    rebuild_index(settings, embedder)
    return (*_app(settings, embedder), corpus)


def _status(updates: list[dict[Any, Any]], ui: Page) -> list[str]:
    return [str(u[ui.library.status]) for u in updates if ui.library.status in u]


def test_the_list_and_its_choices(small: tuple[ChatApp, Page, Path]) -> None:
    app, ui, corpus = small
    lib = ui.library
    shown = library_events.show(app, lib, Listing(), "bak")
    assert "1 of 3 articles match “bak”" in shown[lib.table] and "<td class='title'>Bakery</td>" in shown[lib.table]
    assert shown[lib.pick]["choices"] == [("Bakery (Harbor Herald, 2023-12-02)", shown[lib.pick]["choices"][0][1])]
    assert shown[lib.status] == (f"**3 articles** in the index.  \nCorpus folder: `{corpus}`: added files are saved "
                                 "there; removed articles are kept in its `.removed/` folder.")


def test_removing_a_third_of_a_small_index_goes_ahead_once_confirmed(small: tuple[ChatApp, Page, Path]) -> None:
    app, ui, corpus = small
    lib, listing = ui.library, Listing()
    bells = next(e for e in listing.entries(app) if e.title == "Bells")
    asked = library_events.ask_removal(app, lib, listing, bells.id)
    assert asked[lib.confirm]["visible"] is True and asked[lib.confirm_note]["value"].startswith(
        "Remove **Bells** (Harbor Herald, 2023-12-01) from the index? `bells.md` is moved to the corpus folder's "
        "`.removed/` folder (nothing is deleted)")
    updates = list(library_events.remove(app, lib, listing, bells.id, ""))
    statuses = _status(updates, ui)
    # the sync refused to remove a third of the index unasked, then ran again as the user confirmed the removal
    assert any(s.startswith("Rebuilding the index: ") for s in statuses)
    assert "(0 added, 0 updated, 1 removed, 2 unchanged)." in statuses[-1]
    assert "✓ Removed **Bells**: moved it; `bells.md` as it was is kept at `.removed/bells.md`." in statuses[-1]
    assert [e.title for e in listing.entries(app)] == ["Regatta", "Bakery"]
    assert (corpus / ".removed" / "bells.md").exists() and not (corpus / "bells.md").exists()


def test_a_sync_that_would_remove_more_than_asked_is_refused(small: tuple[ChatApp, Page, Path]) -> None:
    app, ui, corpus = small
    (corpus / "bells.md").unlink()  # gone by hand: a third of the index, which the user did not ask to remove
    statuses = _status(list(library_events.sync(app, ui.library, Listing(), "")), ui)
    assert statuses[-1].startswith(
        f"⚠️ **The index was not rebuilt.** {corpus} has 2 articles; the index has 3 from it: this rebuild would "
        "remove 1 of them. If those articles should go, open Index on the left and click Rebuild index")


def test_uploads_saved_refused_or_skipped_each_say_so(small: tuple[ChatApp, Page, Path], tmp_path: Path) -> None:
    app, ui, corpus = small
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "ferry.md").write_text(ONE_ARTICLE.format(title="Ferry", day=5, body="The ferry runs hourly now."),
                                      encoding="utf-8")
    (uploads / "broken.json").write_text("[1, 2", encoding="utf-8")
    (uploads / "bells.md").write_text("A different bells story.", encoding="utf-8")
    files = [str(uploads / n) for n in ("ferry.md", "broken.json", "bells.md")]
    statuses = _status(list(library_events.add_files(app, ui.library, Listing(), files, "")), ui)
    assert statuses[-1].startswith(
        "✓ Saved `ferry.md` (1 article) into the corpus folder.  \n"
        "✗ not added: broken.json was skipped: invalid JSON at line 1, column 6: Expecting ',' delimiter — fix the "
        "file and upload it again  \n"
        "✗ not added: the corpus already has a file named bells.md — rename your file and upload it again  \n"
        "✓ Rebuilt in ")
    assert "4 articles, 4 passages (1 added, 0 updated, 0 removed, 3 unchanged)." in statuses[-1]
    assert sorted(p.name for p in corpus.iterdir()) == ["bakery.md", "bells.md", "ferry.md", "regatta.md"]
    assert "century" in (corpus / "bells.md").read_text(encoding="utf-8")


def test_a_corpus_file_or_a_remote_chat_offers_no_changes(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "tech.json"
    shutil.copy(FIXTURE_CORPUS / "tech.json", corpus)
    settings = Settings(corpus=corpus, store=tmp_path / "index")
    rebuild_index(settings, embedder)
    app, ui = _app(settings, embedder)
    lib = ui.library
    assert "⚠️ the index was built from the file" in library_events.show(app, lib, Listing(), "")[lib.status]
    with pytest.raises(gr.Error, match="not from a folder: articles can be added and removed from the page only in "
                       "a corpus folder"):
        list(library_events.add_files(app, lib, Listing(), [str(corpus)], ""))
    remote, remote_ui = _app(replace(settings, host="0.0.0.0"), embedder)
    assert (remote_ui.library.files.visible, remote_ui.library.add.visible, remote_ui.library.sync.visible) == (
        False, False, False)
    with pytest.raises(gr.Error, match=r"only when the chat runs on 127\.0\.0\.1"):
        list(library_events.sync(remote, remote_ui.library, Listing(), ""))
