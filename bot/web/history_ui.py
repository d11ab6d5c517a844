"""The Conversations panel: the saved conversations listed beside the chat (most recent first), reopened with their
answers and evidence views, deleted on request; each finished answer saves the conversation (bot/web/history.py).

Whose list a page shows: when the chat listens on 127.0.0.1 it is one person's machine, so every browser there
shows the same list (history.LOCAL_OWNER); served to the network, each browser keeps a random id in its own
storage (gr.BrowserState) and sees only the conversations saved under it, so people sharing the server never see
each other's questions.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import gradio as gr
from gradio.components import Component

from bot.types import Answer
from bot.views.quotes import quotes_in
from bot.web import render
from bot.web.chat_app import ChatApp
from bot.web.history import LOCAL_OWNER, Summary
from bot.web.state import Turn, stored_turns, turn_evidence

if TYPE_CHECKING:
    from gradio.events import Dependency

    from bot.web.layout import Page

Updates = dict[Component, Any]

BROWSER_KEY = "news-chat-browser-id"  # the localStorage key of the browser's id
# gr.BrowserState encrypts what it stores; a fixed key keeps the id readable after a restart (a random one would
# orphan every browser's list). The id itself is the secret: 128 random bits, never shown to other browsers.
BROWSER_SECRET = "news-chat-conversations"
BROWSER_ID = re.compile(r"[0-9a-f]{32}")
GONE_TEXT = ("The passages of this answer are no longer in the index (it was rebuilt since): ask again to search "
             "the current index.")


@dataclass(frozen=True)
class HistoryPanel:
    """The components of the Conversations panel and the session's conversation id."""

    browser: gr.BrowserState  # str: this browser's id (owner of its conversations when served to the network)
    conversation: gr.State  # str | None: the id the open chat is saved under (None until its first answer)
    listing: gr.Radio  # the saved conversations, most recent first; picking one reopens it
    delete: gr.Button
    note: gr.Markdown  # a problem with the history file, or that nothing is saved yet


def create_panel(app: ChatApp) -> HistoryPanel:
    """Lay out the Conversations panel inside the current column."""
    local = app.rebuild_allowed
    with gr.Accordion("Conversations", open=True, elem_id="history-panel"):
        listing = gr.Radio(
            choices=[], value=None, label="Saved on this computer" if local else "Saved for this browser",
            info="Most recent first: pick one to reopen it.", elem_id="history-list",
        )
        note = gr.Markdown("", elem_id="history-note")
        delete = gr.Button("Delete this conversation", size="sm", variant="stop", visible=False,
                           elem_id="history-delete")  # shown while a saved conversation is selected
    return HistoryPanel(
        browser=gr.BrowserState("", storage_key=BROWSER_KEY, secret=BROWSER_SECRET),
        conversation=gr.State(None), listing=listing, delete=delete, note=note,
    )


def connect(app: ChatApp, ui: Page, demo: gr.Blocks, answered: Sequence[Dependency]) -> None:
    """Wire the panel: list on page load, save after each answer (`answered`), reopen, delete, forget on New chat."""
    panel = ui.history
    listed = [panel.browser, panel.listing, panel.note, panel.delete]
    demo.load(partial(show_list, app, ui), panel.browser, listed, api_name="history_list", api_visibility="private")
    for event in answered:  # chained by the page only: a client calling the API directly saves nothing
        event.success(partial(save, app, ui), [panel.browser, panel.conversation, ui.chatbot, ui.turns],
                      [panel.conversation, panel.listing, panel.note, panel.delete], api_name="history_save",
                      api_visibility="private")
    shown = [ui.box, ui.chatbot, ui.turns, panel.conversation, panel.listing, panel.note, panel.delete, ui.sources,
             ui.timeline, ui.compare, ui.quotes, ui.store, ui.export_file]
    from bot.web.coverage import refresh_views  # coverage imports the layout, which imports this module

    panel.listing.input(partial(reopen, app, ui), [panel.browser, panel.listing], shown, api_name="history_reopen",
                        api_visibility="private").success(
        partial(refresh_views, app, ui), [ui.turns, ui.open_view], [ui.timeline, ui.compare],
        api_name="history_topic", api_visibility="private")
    panel.delete.click(partial(delete, app, ui), [panel.browser, panel.listing, panel.conversation], shown,
                       api_name="history_delete", api_visibility="private")
    for cleared in (ui.new_chat.click, ui.chatbot.clear):
        cleared(partial(forget, ui), None, [panel.conversation, panel.listing, panel.delete], api_name="history_forget",
                api_visibility="private", queue=False)


# ---------------------------------------------------------------- handlers


def owner_of(app: ChatApp, browser: str | None) -> str | None:
    """Whose conversations this page shows: this machine's when the chat is local, else the browser's own
    (None when the browser has no valid id yet)."""
    if app.rebuild_allowed:
        return LOCAL_OWNER
    return browser if isinstance(browser, str) and BROWSER_ID.fullmatch(browser) else None


def show_list(app: ChatApp, ui: Page, browser: str | None) -> Updates:
    """On page load: give a new browser its id, and list its conversations (saying once if the file was bad)."""
    if not (isinstance(browser, str) and BROWSER_ID.fullmatch(browser)):
        browser = uuid.uuid4().hex
    return {ui.history.browser: browser, **_listing(app, ui, owner_of(app, browser), None)}


def save(app: ChatApp, ui: Page, browser: str | None, conversation: str | None, chat: list[dict[str, Any]] | None,
         turns: list[Turn] | None) -> Updates:
    """After an answer: save the conversation (new on its first answer) and show it selected in the list."""
    owner = owner_of(app, browser)
    if owner is None or not turns:
        return {}
    saved = app.history.save(owner, conversation, list(chat or []), list(turns))
    return {ui.history.conversation: saved, **_listing(app, ui, owner, saved)}


def reopen(app: ChatApp, ui: Page, browser: str | None, conversation: str | None) -> Updates:
    """A conversation was picked in the list: show its chat, and the evidence views of its last answer."""
    owner = owner_of(app, browser)
    saved = app.history.load(owner, conversation) if owner and conversation else None
    if saved is None:
        gr.Warning("That conversation can no longer be opened: it was deleted, or its saved copy is unreadable.")
        return _listing(app, ui, owner, None)
    return {ui.box: "", ui.chatbot: saved.chat, ui.turns: saved.turns, ui.history.conversation: saved.id,
            **_listing(app, ui, owner, saved.id), **evidence_views(app, ui, saved.turns), ui.export_file: None}


def delete(app: ChatApp, ui: Page, browser: str | None, selected: str | None, conversation: str | None) -> Updates:
    """Delete the conversation selected in the list; if it is the one on screen, the chat starts afresh."""
    owner = owner_of(app, browser)
    if owner is None or not selected:
        gr.Warning("Pick a conversation in the list first: Delete removes the one selected.")
        return {}
    if not app.history.delete(owner, selected):
        gr.Warning("That conversation was already deleted (or the history cannot be written: see the note).")
    cleared: Updates = {}
    if selected == conversation:
        cleared = {ui.box: "", ui.chatbot: [], ui.turns: [], ui.history.conversation: None,
                   **evidence_views(app, ui, []), ui.export_file: None}
    return cleared | _listing(app, ui, owner, None if selected == conversation else conversation)


def forget(ui: Page) -> Updates:
    """New chat: the next answer starts a new saved conversation; nothing is selected in the list."""
    return {ui.history.conversation: None, ui.history.listing: gr.update(value=None),
            ui.history.delete: gr.update(visible=False)}


def evidence_views(app: ChatApp, ui: Page, turns: Sequence[Turn]) -> Updates:
    """The evidence views of the last turn and the passage store of the recent turns, from passages fetched again
    from the index by id (the topic tabs follow in coverage.refresh_views)."""
    if not turns:
        return {ui.sources: render.EMPTY_SOURCES, ui.timeline: render.EMPTY_TIMELINE,
                ui.compare: render.EMPTY_COMPARE, ui.quotes: render.EMPTY_QUOTES, ui.store: render.format_store([], {})}
    last, recent = turns[-1], stored_turns(turns)
    chunks = app.passages([p.chunk_id for t in recent for p in t.passages])
    evidence = turn_evidence(last, chunks)
    if last.covered and not evidence:
        gone = render.empty_view(GONE_TEXT)
        return {ui.sources: gone, ui.timeline: gone, ui.compare: gone, ui.quotes: gone,
                ui.store: render.format_store(recent, chunks)}
    answer = Answer(question=last.question, mode=last.mode, done=True)  # the sources tab reads only its mode
    return {
        ui.sources: render.format_sources(last.number, answer, evidence),
        ui.timeline: render.TOPIC_SEARCHING, ui.compare: render.TOPIC_SEARCHING,  # every output named: page.py
        ui.quotes: render.format_quotes(last.number, quotes_in(evidence) if last.covered else []),
        ui.store: render.format_store(recent, chunks),
    }


def _listing(app: ChatApp, ui: Page, owner: str | None, selected: str | None) -> Updates:
    """The list (most recent first) with `selected` chosen (and its Delete button), and the note: a problem with
    the file (shown once, also as a toast), or that nothing is saved yet."""
    summaries = app.history.summaries(owner) if owner else []
    notice = app.history.take_notice()
    if notice:
        gr.Warning(notice)
    note = f"⚠️ {notice}" if notice else ("" if summaries else "No saved conversations yet: each answer is saved "
                                                                "here as you ask.")
    choices = [(label(s), s.id) for s in summaries]
    value = selected if selected in {s.id for s in summaries} else None
    return {ui.history.listing: gr.update(choices=choices, value=value), ui.history.note: note,
            ui.history.delete: gr.update(visible=value is not None)}


def label(summary: Summary) -> str:
    """How the list names a conversation: its first question, then when it was last used."""
    when = datetime.fromtimestamp(summary.updated)
    questions = f" · {summary.questions} questions" if summary.questions > 1 else ""
    return f"{summary.title} — {when.day} {when:%b %Y, %H:%M}{questions}"
