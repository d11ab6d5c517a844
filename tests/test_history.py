"""Saved conversations (bot/web/history.py): save, list, reopen, delete, caps, and a damaged or unwritable file."""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from bot.types import AnswerSentence
from bot.web import coverage, handlers, history_ui, render
from bot.web.chat_app import ChatApp
from bot.web.export import ExportFolder
from bot.web.history import (
    HISTORY_FILE,
    LOCAL_OWNER,
    MAX_CHAT_CHARS,
    ConversationHistory,
    history_path,
    title_of,
)
from bot.web.layout import Page, create_ui
from bot.web.state import PassageRef, Source, Turn
from index.embedding import Embedder
from index.rebuild import RebuildReport
from index.settings import Settings

COST = "How much did the Harbor Bridge repair cost?"


def turn(number: int, question: str) -> Turn:
    """A finished turn with every kind of field filled, as state.finished_turn makes them."""
    return Turn(
        number=number, question=question, text="**82 million dollars** [1]. The bridge reopened [1][2].",
        mode="extractive", scope="searched all 5 outlets, Sep–Dec 2023",
        sentences=(AnswerSentence("82 million dollars", True, (1,), ("cost 82 million dollars",), lead=True),
                   AnswerSentence("The bridge reopened.", True, (1, 2), ("reopened", "open again"),
                                  disagrees=(3,)),
                   AnswerSentence("It rained.", False, (2,), ("",), note="not in its sources")),
        notes=("Answered from the articles only.",), standalone_question=f"{question} (rewritten)",
        sources=(Source(1, "a1:0", "cost 82 million dollars", "Harbor Bridge reopens", "Bay Tribune",
                        "2023-10-04T09:00:00Z", "https://bay-tribune.example/x"),
                 Source(2, "a2:3", "open again", "Bridge open", "Metro Daily", None, None)),
        passages=(PassageRef(1, "a1:0", True, 10, 33, ((0, 5), (10, 33))), PassageRef(2, "a2:3", True, 0, 10),
                  PassageRef(3, "a3:1", False, 0, 0)),
    )


def chat(*questions: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for q in questions:
        out += [{"role": "user", "content": f"<p>{q}</p>"}, {"role": "assistant", "content": "<div>answer</div>"}]
    return out


@pytest.fixture
def history(tmp_path: Path) -> ConversationHistory:
    return ConversationHistory(tmp_path / "index" / HISTORY_FILE)


def test_save_list_reopen_and_update(history: ConversationHistory) -> None:
    assert history.summaries(LOCAL_OWNER) == []
    assert not history.path.exists()  # reading never creates the file
    first = [turn(1, "How much did the Harbor Bridge repair cost?")]
    cid = history.save(LOCAL_OWNER, None, chat("How much did the Harbor Bridge repair cost?"), first)
    assert cid is not None and len(cid) == 32
    other = history.save(LOCAL_OWNER, None, chat("Who opened it?"), [turn(1, "Who opened it?")])
    assert [(s.id, s.title, s.questions) for s in history.summaries(LOCAL_OWNER)] == [
        (other, "Who opened it?", 1), (cid, "How much did the Harbor Bridge repair cost?", 1)]

    both = [*first, turn(2, "And when did it reopen?")]
    assert history.save(LOCAL_OWNER, cid, chat("How much did the Harbor Bridge repair cost?",
                                               "And when did it reopen?"), both) == cid
    summaries = history.summaries(LOCAL_OWNER)
    assert [(s.id, s.title, s.questions) for s in summaries] == [
        (cid, "How much did the Harbor Bridge repair cost?", 2), (other, "Who opened it?", 1)]  # most recent first
    reopened = history.load(LOCAL_OWNER, cid)
    assert reopened is not None
    assert reopened.turns == both  # every field, nested dataclasses and tuples included
    assert reopened.chat == chat("How much did the Harbor Bridge repair cost?", "And when did it reopen?")
    assert reopened.title == "How much did the Harbor Bridge repair cost?"
    assert reopened.updated == summaries[0].updated


def test_owners_do_not_see_each_others_conversations(history: ConversationHistory) -> None:
    mine = history.save("browser-a", None, chat("q"), [turn(1, "Mine")])
    assert mine is not None
    assert history.summaries("browser-b") == []
    assert history.load("browser-b", mine) is None
    assert history.delete("browser-b", mine) is False
    # saving under someone else's id never touches their conversation: it becomes a new one of the caller's
    theirs = history.save("browser-b", mine, chat("q"), [turn(1, "Theirs")])
    assert theirs not in (None, mine)
    assert [s.title for s in history.summaries("browser-a")] == ["Mine"]
    assert [s.title for s in history.summaries("browser-b")] == ["Theirs"]


def test_delete(history: ConversationHistory) -> None:
    keep = history.save(LOCAL_OWNER, None, chat("a"), [turn(1, "Keep me")])
    gone = history.save(LOCAL_OWNER, None, chat("b"), [turn(1, "Delete me")])
    assert gone is not None and keep is not None
    assert history.delete(LOCAL_OWNER, gone) is True
    assert history.delete(LOCAL_OWNER, gone) is False
    assert history.load(LOCAL_OWNER, gone) is None
    assert [s.id for s in history.summaries(LOCAL_OWNER)] == [keep]
    # a later save of the deleted conversation (another tab still showing it) saves it anew, under a new id
    again = history.save(LOCAL_OWNER, gone, chat("b"), [turn(1, "Delete me")])
    assert again not in (None, gone, keep)


def test_caps_drop_the_least_recently_used(tmp_path: Path) -> None:
    history = ConversationHistory(tmp_path / HISTORY_FILE, keep=3, keep_all=5)
    ids = [history.save(LOCAL_OWNER, None, chat(f"q{i}"), [turn(1, f"Question {i}")]) for i in range(4)]
    assert [s.title for s in history.summaries(LOCAL_OWNER)] == ["Question 3", "Question 2", "Question 1"]
    history.save(LOCAL_OWNER, ids[1], chat("q1"), [turn(1, "Question 1"), turn(2, "More")])  # used again: kept
    history.save(LOCAL_OWNER, None, chat("q4"), [turn(1, "Question 4")])
    assert [s.title for s in history.summaries(LOCAL_OWNER)] == ["Question 4", "Question 1", "Question 3"]
    for owner in ("b", "c"):  # across owners the file keeps 5 in all: the oldest go, whoever owns them
        history.save(owner, None, chat("x"), [turn(1, f"{owner}1")])
    assert [s.title for s in history.summaries(LOCAL_OWNER)] == ["Question 4", "Question 1", "Question 3"]
    history.save("b", None, chat("x"), [turn(1, "b2")])
    assert [s.title for s in history.summaries(LOCAL_OWNER)] == ["Question 4", "Question 1"]
    assert [s.title for s in history.summaries("b")] == ["b2", "b1"]
    assert [s.title for s in history.summaries("c")] == ["c1"]
    with sqlite3.connect(history.path) as db:
        assert db.execute("SELECT COUNT(*) FROM conversations").fetchone() == (5,)


def test_turns_kept_per_conversation_are_bounded(history: ConversationHistory) -> None:
    turns = [turn(n, f"Question {n}") for n in range(1, 56)]
    cid = history.save(LOCAL_OWNER, None, chat("q"), turns)
    assert cid is not None
    reopened = history.load(LOCAL_OWNER, cid)
    assert reopened is not None
    assert [t.number for t in reopened.turns] == list(range(6, 56))  # the last KEEP_TURNS = 50
    assert history.summaries(LOCAL_OWNER)[0].title == "Question 1"


def test_nothing_saved_without_turns_or_when_too_long(history: ConversationHistory) -> None:
    assert history.save(LOCAL_OWNER, None, chat("q"), []) is None
    huge = [{"role": "assistant", "content": "x" * MAX_CHAT_CHARS}]
    assert history.save(LOCAL_OWNER, None, huge, [turn(1, "Huge")]) is None
    assert history.take_notice() == ("This conversation is too long to save (over 2,000,000 characters): click "
                                     "New chat to start one that is saved.")
    assert history.summaries(LOCAL_OWNER) == []
    assert history.writable  # the next conversation is saved
    assert history.save(LOCAL_OWNER, None, chat("q"), [turn(1, "Small")]) is not None


def test_a_damaged_file_is_set_aside_once_and_a_new_one_started(tmp_path: Path) -> None:
    path = tmp_path / HISTORY_FILE
    path.write_bytes(b"this is not a database, " * 100)
    history = ConversationHistory(path)
    assert history.summaries(LOCAL_OWNER) == []
    aside = sorted(p.name for p in tmp_path.iterdir())
    assert len(aside) == 1 and aside[0].startswith(f"{HISTORY_FILE}.broken-")
    assert (tmp_path / aside[0]).read_bytes() == b"this is not a database, " * 100  # kept, never deleted
    notice = history.take_notice()
    assert notice == (f"Saved conversations could not be read (file is not a database): the file was set aside as "
                      f"{aside[0]} and new conversations are saved in a new one.")
    assert history.take_notice() is None  # reported once
    cid = history.save(LOCAL_OWNER, None, chat("q"), [turn(1, "After the damage")])
    assert cid is not None
    assert [s.title for s in history.summaries(LOCAL_OWNER)] == ["After the damage"]


def test_a_file_damaged_before_a_save_is_set_aside_and_the_save_goes_through(tmp_path: Path) -> None:
    path = tmp_path / HISTORY_FILE
    history = ConversationHistory(path)
    history.save(LOCAL_OWNER, None, chat("q"), [turn(1, "Before")])
    path.write_bytes(b"\0garbage" * 600)
    cid = history.save(LOCAL_OWNER, None, chat("q"), [turn(1, "After")])
    assert cid is not None
    assert [s.title for s in history.summaries(LOCAL_OWNER)] == ["After"]
    assert len(list(tmp_path.glob(f"{HISTORY_FILE}.broken-*"))) == 1
    assert (history.take_notice() or "").startswith("Saved conversations could not be read (file is not a database)")


def test_an_unwritable_place_turns_saving_off_and_says_so_once(tmp_path: Path) -> None:
    blocker = tmp_path / "index"
    blocker.write_text("a file where the index folder should be")
    history = ConversationHistory(blocker / HISTORY_FILE)
    assert history.save(LOCAL_OWNER, None, chat("q"), [turn(1, "Lost")]) is None
    assert history.writable is False
    notice = history.take_notice()
    assert notice is not None and notice.startswith(f"Conversations are not being saved: {blocker / HISTORY_FILE} "
                                                    "cannot be written (")
    assert notice.endswith("Check that the index folder is writable and restart the chat.")
    assert history.save(LOCAL_OWNER, None, chat("q"), [turn(1, "Lost too")]) is None
    assert history.take_notice() is None
    assert history.summaries(LOCAL_OWNER) == []
    assert blocker.read_text() == "a file where the index folder should be"


def test_concurrent_sessions_each_save_every_conversation(tmp_path: Path) -> None:
    history = ConversationHistory(tmp_path / HISTORY_FILE)
    other_process = ConversationHistory(tmp_path / HISTORY_FILE)  # a second object: only SQLite's lock between
    saved: list[str | None] = []

    def session(store: ConversationHistory, owner: str) -> None:
        cid = None
        for n in range(1, 6):
            cid = store.save(owner, cid, chat("q"), [turn(i, f"{owner} question") for i in range(1, n + 1)])
            saved.append(cid)

    threads = [threading.Thread(target=session, args=(history if i % 2 else other_process, f"s{i}"))
               for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert None not in saved and len(set(saved)) == 8
    for i in range(8):
        assert [(s.title, s.questions) for s in history.summaries(f"s{i}")] == [(f"s{i} question", 5)]
    assert history.take_notice() is None and other_process.take_notice() is None


def test_where_the_file_lives_and_titles(tmp_path: Path) -> None:
    assert history_path(Settings(store=tmp_path / "idx")) == tmp_path / "idx" / "history.sqlite3"
    served = Settings(store=tmp_path / "idx", chroma_url="http://127.0.0.1:8123")
    assert history_path(served) == tmp_path / "idx" / "servers" / "127.0.0.1_8123" / "history.sqlite3"
    assert title_of("  What   happened\nnext? ") == "What happened next?"
    long = "word " * 30
    assert title_of(long) == ("word " * 16).strip() + "…"
    assert len(title_of(long)) <= 80


# ---------------------------------------------------------------- the panel's handlers (bot/web/history_ui.py)


@pytest.fixture(scope="module")
def web(fixture_index: tuple[Settings, RebuildReport], embedder: Embedder,
        tmp_path_factory: pytest.TempPathFactory) -> tuple[ChatApp, Page]:
    """The chat over the fixture index, its history in a folder of its own."""
    folder = tmp_path_factory.mktemp("history-ui")
    app = ChatApp(fixture_index[0], embedder, exports=ExportFolder(folder / "exports"),
                  history=ConversationHistory(folder / HISTORY_FILE))
    with gr.Blocks():
        return app, create_ui(app, "")


def _answer(app: ChatApp, ui: Page, question: str, chat: list[dict[str, Any]], turns: list[Turn]) -> dict[Any, Any]:
    return list(handlers.respond(app, ui, question, chat, turns, [], [], None, None))[-1]


def test_answers_are_saved_listed_reopened_and_deleted(web: tuple[ChatApp, Page]) -> None:
    app, ui = web
    panel = ui.history
    loaded = history_ui.show_list(app, ui, "")
    browser = loaded[panel.browser]
    assert len(browser) == 32 and history_ui.show_list(app, ui, browser)[panel.browser] == browser  # kept
    assert loaded[panel.listing]["choices"] == [] and loaded[panel.note].startswith("No saved conversations yet")

    final = _answer(app, ui, COST, [], [])
    saved = history_ui.save(app, ui, browser, None, final[ui.chatbot], final[ui.turns])
    cid = saved[panel.conversation]
    [(label, value)] = saved[panel.listing]["choices"]
    assert value == cid and saved[panel.listing]["value"] == cid and saved[panel.note] == ""
    assert label.startswith(f"{COST} — ")
    again = _answer(app, ui, "And what did the mayor say?", final[ui.chatbot], final[ui.turns])
    assert history_ui.save(app, ui, browser, cid, again[ui.chatbot], again[ui.turns])[panel.conversation] == cid

    assert saved[panel.delete] == {"__type__": "update", "visible": True}  # the selected one can be deleted
    new = history_ui.forget(ui)
    assert new == {panel.conversation: None, panel.listing: {"__type__": "update", "value": None},
                   panel.delete: {"__type__": "update", "visible": False}}
    reopened = history_ui.reopen(app, ui, browser, cid)
    assert reopened[ui.chatbot] == again[ui.chatbot]
    assert reopened[ui.turns] == again[ui.turns]
    assert reopened[panel.conversation] == cid and reopened[panel.listing]["value"] == cid
    # the evidence views of the last answer, as the answer left them; the topic tabs follow (coverage.refresh_views)
    for view in (ui.sources, ui.quotes):
        assert reopened[view] == again[view], view
    # the page's passage archive starts over with both answers' passages (markers of either open)
    assert re.findall(r'data-copy="(\d+)"', reopened[ui.store]) == ["1", "2"]
    assert reopened[ui.store].startswith('<div class="store" data-mode="replace"')
    assert reopened[ui.timeline] == reopened[ui.compare] == render.TOPIC_SEARCHING and reopened[ui.export_file] is None
    topic = coverage.refresh_views(app, ui, reopened[ui.turns], coverage.TIMELINE)
    assert topic[ui.timeline] == coverage.refresh_views(app, ui, again[ui.turns], coverage.TIMELINE)[ui.timeline]
    assert topic[ui.compare] == render.TOPIC_SEARCHING
    assert "Who covered this topic, when: 1 article from" in topic[ui.timeline]
    exported = Path(handlers.export_conversation(app, ui, reopened[ui.turns])[ui.export_file]).read_text("utf-8")
    assert exported.count(f"## 1. {COST}") == 1 and exported.count("## 2. And what did the mayor say?") == 1

    cleared = history_ui.delete(app, ui, browser, cid, cid)
    assert cleared[ui.chatbot] == [] and cleared[ui.turns] == [] and cleared[panel.conversation] is None
    assert cleared[panel.listing]["choices"] == [] and cleared[ui.sources] == render.EMPTY_SOURCES
    with pytest.warns(UserWarning, match="That conversation can no longer be opened: it was deleted"):
        gone = history_ui.reopen(app, ui, browser, cid)
    assert gone == {panel.listing: {"__type__": "update", "choices": [], "value": None},
                    panel.note: "No saved conversations yet: each answer is saved here as you ask.",
                    panel.delete: {"__type__": "update", "visible": False}}


def test_served_to_the_network_each_browser_sees_its_own(web: tuple[ChatApp, Page]) -> None:
    app, ui = web
    shared = ChatApp(replace(app.settings, host="0.0.0.0"), app.embedder, engine=app.engine,
                     exports=app.exports, history=app.history)
    assert history_ui.owner_of(app, "") == LOCAL_OWNER
    assert history_ui.owner_of(shared, "") is None and history_ui.owner_of(shared, "../etc") is None
    a, b = (history_ui.show_list(shared, ui, "")[ui.history.browser] for _ in range(2))
    assert a != b
    final = _answer(shared, ui, COST, [], [])
    cid = history_ui.save(shared, ui, a, None, final[ui.chatbot], final[ui.turns])[ui.history.conversation]
    assert [v for _, v in history_ui.show_list(shared, ui, a)[ui.history.listing]["choices"]] == [cid]
    assert history_ui.show_list(shared, ui, b)[ui.history.listing]["choices"] == []
    with pytest.warns(UserWarning, match="can no longer be opened"):
        assert ui.chatbot not in history_ui.reopen(shared, ui, b, cid)  # not b's: nothing opens
    assert history_ui.save(shared, ui, "", None, final[ui.chatbot], final[ui.turns]) == {}  # no id: not saved
    assert [s.id for s in app.history.summaries(a)] == [cid]


def test_a_damaged_file_is_shown_once_on_the_page(tmp_path: Path, web: tuple[ChatApp, Page]) -> None:
    app, ui = web
    path = tmp_path / HISTORY_FILE
    path.write_bytes(b"not sqlite" * 200)
    damaged = ChatApp(app.settings, app.embedder, engine=app.engine, exports=app.exports,
                      history=ConversationHistory(path))
    with pytest.warns(UserWarning, match="Saved conversations could not be read"):
        first = history_ui.show_list(damaged, ui, "")
    [aside] = [p.name for p in tmp_path.iterdir()]
    assert first[ui.history.note] == (f"⚠️ Saved conversations could not be read (file is not a database): the file "
                                      f"was set aside as {aside} and new conversations are saved in a new one.")
    assert first[ui.history.listing]["choices"] == []
    again = history_ui.show_list(damaged, ui, "")  # once: the next page load just shows the (empty) list
    assert again[ui.history.note] == "No saved conversations yet: each answer is saved here as you ask."
    final = _answer(damaged, ui, COST, [], [])
    saved = history_ui.save(damaged, ui, "", None, final[ui.chatbot], final[ui.turns])
    assert [v for _, v in saved[ui.history.listing]["choices"]] == [saved[ui.history.conversation]]
