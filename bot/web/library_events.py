"""What happens in the Library tab: list and search the indexed articles, add files, remove one, sync.

Adding and removing change files in the corpus folder (index/library.py), then run the same rebuild as the
Index panel's button (the CLI's sync), with its progress shown in the tab; the Index panel and the filters are
refreshed after it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.web import handlers
from bot.web.chat_app import ChatApp
from bot.web.coverage import close_views
from bot.web.handlers import RebuildJob, Updates, rebuild_summary
from bot.web.labels import safe_url
from bot.web.layout import Page
from bot.web.library import LibraryTab
from bot.web.render import TEMPLATES
from index.errors import RemovalRefusedError
from index.library import (
    ArticleEntry,
    LibraryError,
    corpus_to_change,
    list_articles,
    remove_article,
    save_upload,
    search_articles,
)
from index.text import counted

if TYPE_CHECKING:
    from index.rebuild import RebuildReport

MAX_ROWS = 1000  # rows listed at once (the 609-article index fits); a search narrows a larger index
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)
_ENV.filters["counted"] = counted  # as in render.py: "1 article", "609 articles"
PRIVATE = "private"


class Listing:
    """The indexed articles, read once per index version (listing 6,590 passages takes about a second)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: str | None = None
        self._entries: list[ArticleEntry] = []

    def entries(self, app: ChatApp) -> list[ArticleEntry]:
        """The articles of the index the app has open now ([] when there is none)."""
        if app.engine is None:
            return []
        collection = app.engine.retriever.collection
        with self._lock:
            if collection.name != self._version:
                self._entries = list_articles(collection.iter_all())
                self._version = collection.name
            return self._entries


@dataclass
class _Outcome:
    """How a rebuild run from the tab ended: its report, a refusal to remove articles, or an error."""

    report: RebuildReport | None = None
    refused: RemovalRefusedError | None = None
    error: str = ""


def wire_library(app: ChatApp, ui: Page) -> None:
    """Connect the Library tab's events (inside the page's gr.Blocks)."""
    lib, listing = ui.library, Listing()
    shown = [lib.status, lib.table, lib.pick]
    index_views = [ui.status, ui.outlets, ui.categories, ui.chatbot, ui.scope_note, ui.confirm]

    def refresh_index_panel() -> Updates:
        return {k: v for k, v in handlers.refresh_page(app, ui).items() if k in index_views}

    def private(name: str) -> dict[str, Any]:
        return {"api_name": name, "api_visibility": PRIVATE}

    lib.tab.select(partial(show, app, lib, listing), [lib.search, lib.pick], shown, **private("library_show"))
    lib.tab.select(partial(close_views, ui), None, ui.open_view, queue=False, **private("library_close_topic"))
    lib.search.change(partial(show, app, lib, listing), [lib.search, lib.pick], shown, **private("library_search"))
    changed = [*shown, lib.files, lib.confirm_note, lib.confirm, lib.cancel]
    lib.add.click(partial(add_files, app, lib, listing), [lib.files, lib.search], changed, concurrency_limit=1,
                  **private("library_add")).then(refresh_index_panel, None, index_views)
    lib.remove.click(partial(ask_removal, app, lib, listing), lib.pick, [lib.confirm_note, lib.confirm, lib.cancel],
                     **private("library_ask_removal"))
    lib.cancel.click(partial(_hide_confirm, lib), None, [lib.confirm_note, lib.confirm, lib.cancel], queue=False,
                     **private("library_cancel"))
    lib.confirm.click(partial(remove, app, lib, listing), [lib.pick, lib.search], changed, concurrency_limit=1,
                      **private("library_remove")).then(refresh_index_panel, None, index_views)
    lib.sync.click(partial(sync, app, lib, listing), lib.search, changed, concurrency_limit=1,
                   **private("library_sync")).then(refresh_index_panel, None, index_views)


# ---------------------------------------------------------------- the list


def show(app: ChatApp, lib: LibraryTab, listing: Listing, query: str | None, picked: str | None = None,
         note: str = "") -> Updates:
    """The list of the articles matching `query`, the choices to remove, and what the index holds (+ `note`)."""
    if app.engine is None:
        app.load()  # the index may have been built since
    entries = listing.entries(app)
    found = search_articles(entries, query or "")
    rows = found[:MAX_ROWS]
    table = _ENV.get_template("library.html").render(
        rows=[(e, safe_url(e.url)) for e in rows], entries=found, total=len(entries), query=(query or "").strip(),
        more=max(0, len(found) - MAX_ROWS),
    )
    choices = [(_label(e), e.id) for e in rows]
    value = picked if picked in {e.id for e in rows} else None
    return {lib.status: _status(app, len(entries), note), lib.table: table,
            lib.pick: gr.update(choices=choices, value=value)}


def _label(entry: ArticleEntry) -> str:
    return f"{entry.title} ({_where(entry)})" if _where(entry) else entry.title


def _where(entry: ArticleEntry) -> str:
    return ", ".join(filter(None, [entry.outlet, entry.day]))


def _status(app: ChatApp, articles: int, note: str) -> str:
    if app.engine is None:
        head = f"**No index yet.** Add articles here, or click Sync to index the articles in `{app.corpus()}`."
    else:
        head = f"**{counted(articles, 'article')}** in the index."
    try:
        folder = _changed_corpus(app)
        where = (f"Corpus folder: `{folder}`: added files are saved there; removed articles are kept in its "
                 "`.removed/` folder.")
    except LibraryError as exc:
        where = f"⚠️ {exc}"
    return "\n\n".join(filter(None, [note, head + "  \n" + where]))


# ---------------------------------------------------------------- adding, removing, syncing


def add_files(
    app: ChatApp, lib: LibraryTab, listing: Listing, files: Sequence[str] | None, query: str | None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008
) -> Iterator[Updates]:
    """Save the chosen files into the corpus folder (refusing unsafe, oversized, unsupported or unreadable ones,
    each with its reason), then rebuild the index."""
    _require_allowed(app)
    if not files:
        gr.Warning("Choose one or more article files first (drop them on the upload box, or click it).")
        return
    corpus = _corpus(app)
    added: list[str] = []
    notes: list[str] = []
    for file in files:
        name = Path(file).name
        try:
            upload = save_upload(corpus, Path(file), name)
        except LibraryError as exc:
            notes.append(f"✗ not added: {exc}")
            continue
        added.append(f"`{upload.name}` ({counted(upload.articles, 'article')})")
        notes.extend(f"✗ skipped `{s.origin}`: {s.reason}" for s in upload.skipped)
    if not added:
        yield show(app, lib, listing, query, note=_lines(["Nothing was added.", *notes])) | {lib.files: None}
        return
    head = f"✓ Saved {', '.join(added)} into the corpus folder."
    outcome = _Outcome()
    yield from _rebuild(app, lib, progress, outcome)
    yield show(app, lib, listing, query, note=_lines([head, *notes, _ending(outcome)])) | {lib.files: None}


def ask_removal(app: ChatApp, lib: LibraryTab, listing: Listing, article_id: str | None) -> Updates:
    """The confirm step: what removing the picked article does, with the buttons that do it or not."""
    _require_allowed(app)
    entry = _entry(app, listing, article_id)
    file = f"`{entry.file}`" if entry.file else "its file"
    text = (f"Remove **{entry.title}** ({_where(entry) or 'no outlet or date'}) from the "
            f"index? {file} is moved to the corpus folder's `.removed/` folder (nothing is deleted), then the index "
            "is rebuilt and answers no longer use it.")
    if entry.file and Path(entry.file).suffix.lower() in (".json", ".jsonl"):
        text += (f" If {file} holds other articles, it is rewritten without this one instead, and a copy of it as "
                 "it was is kept in `.removed/`.")
    return {lib.confirm_note: gr.update(value=text, visible=True), lib.confirm: gr.update(visible=True),
            lib.cancel: gr.update(visible=True)}


def remove(
    app: ChatApp, lib: LibraryTab, listing: Listing, article_id: str | None, query: str | None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008
) -> Iterator[Updates]:
    """Take the picked article out of the corpus folder (kept under .removed/), then rebuild the index."""
    _require_allowed(app)
    entry = _entry(app, listing, article_id)
    try:
        removal = remove_article(_corpus(app), entry)
    except LibraryError as exc:
        raise gr.Error(str(exc)) from exc
    how = "rewrote it without the article" if removal.rewritten else "moved it"
    head = f"✓ Removed **{entry.title}**: {how}; `{removal.file}` as it was is kept at `{removal.kept_at}`."
    outcome = _Outcome()
    yield _hide_confirm(lib) | {lib.status: head}
    # the user confirmed: the sync may remove the articles of that file (usually just this one) without asking again
    yield from _rebuild(app, lib, progress, outcome, may_remove=removal.articles_in_file)
    yield show(app, lib, listing, query, note=_lines([head, _ending(outcome)])) | {lib.files: gr.update()}


def sync(
    app: ChatApp, lib: LibraryTab, listing: Listing, query: str | None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008
) -> Iterator[Updates]:
    """Bring the index in line with the corpus folder (files added, changed or removed there by hand)."""
    _require_allowed(app)
    outcome = _Outcome()
    yield from _rebuild(app, lib, progress, outcome)
    yield show(app, lib, listing, query, note=_ending(outcome)) | {lib.files: gr.update()}


def _hide_confirm(lib: LibraryTab) -> Updates:
    return {lib.confirm_note: gr.update(value="", visible=False), lib.confirm: gr.update(visible=False),
            lib.cancel: gr.update(visible=False)}


def _require_allowed(app: ChatApp) -> None:
    if not app.rebuild_allowed:
        raise gr.Error("Articles can be added and removed from the page only when the chat runs on 127.0.0.1; "
                       "copy them into the corpus folder and run `python -m index rebuild` on the server instead.")


def _changed_corpus(app: ChatApp) -> Path:
    """The corpus folder the next rebuild syncs with (as ChatApp.corpus), refusing an index that records none."""
    metadata = app.engine.retriever.collection.metadata if app.engine is not None else None
    return corpus_to_change(app.settings.corpus, metadata)


def _corpus(app: ChatApp) -> Path:
    try:
        return _changed_corpus(app)
    except LibraryError as exc:
        raise gr.Error(str(exc)) from exc


def _entry(app: ChatApp, listing: Listing, article_id: str | None) -> ArticleEntry:
    if not article_id:
        raise gr.Error("Pick the article to remove first (type part of its title in Remove an article).")
    for entry in listing.entries(app):
        if entry.id == article_id:
            return entry
    raise gr.Error("That article is no longer in the index: the list has been refreshed, pick again.")


def _lines(parts: Sequence[str]) -> str:
    return "  \n".join(p for p in parts if p)


def _ending(outcome: _Outcome) -> str:
    """What the rebuild did, or why it did not."""
    if outcome.report is not None:
        return rebuild_summary(outcome.report)
    if outcome.refused is not None:
        return (f"⚠️ **The index was not rebuilt.** {outcome.refused.reason}. If those articles should go, open "
                "Index on the left and click Rebuild index: it asks before removing them.")
    return f"⚠️ **The index was not rebuilt:** {outcome.error}" if outcome.error else ""


def _rebuild(
    app: ChatApp, lib: LibraryTab, progress: gr.Progress, outcome: _Outcome, may_remove: int = 0
) -> Iterator[Updates]:
    """Run the Index panel's rebuild, its progress shown in the tab; a sync that would remove up to `may_remove`
    articles goes ahead (the user asked for that removal), more is refused as the panel's rebuild refuses it."""
    if not app.rebuild_lock.acquire(blocking=False):
        outcome.error = "a rebuild is already running — wait for it to finish, then click Sync."
        return
    try:
        allow = False
        while True:
            job = RebuildJob(app, False, allow)
            for step in job.follow(progress):
                yield {lib.status: f"Rebuilding the index: {step}…"}
            refused = job.error if isinstance(job.error, RemovalRefusedError) else None
            if refused is not None and not allow and refused.removed <= may_remove:
                allow = True
                continue
            outcome.refused = refused
            if refused is None:
                try:
                    outcome.report = job.result()
                except gr.Error as exc:
                    outcome.error = str(exc.message)
                app.load()
            return
    finally:
        app.rebuild_lock.release()
