"""The web page's event handlers (bot.web.handlers) called on their own, over the fixture index, without a server."""

from __future__ import annotations

import os
import pickle
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from bot.web import coverage, coverage_view, handlers, history_ui, render, state
from bot.web.chat_app import ChatApp
from bot.web.export import ExportFolder
from bot.web.layout import Page, create_ui
from bot.web.slots import AnswerSlots
from bot.web.state import Turn
from index.embedding import Embedder
from index.rebuild import RebuildReport
from index.settings import Settings

COST = "How much did the Harbor Bridge repair cost?"
FOLLOW_UP = "And what did the mayor say?"
NO_FILTERS: tuple[Any, ...] = ([], [], None, None)


@pytest.fixture(scope="module")
def app(
    fixture_index: tuple[Settings, RebuildReport], embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> ChatApp:
    return ChatApp(fixture_index[0], embedder, exports=ExportFolder(tmp_path_factory.mktemp("exports")))


def _page(app: ChatApp) -> Page:
    with gr.Blocks():
        return create_ui(app, "")


@pytest.fixture(scope="module")
def ui(app: ChatApp) -> Page:
    return _page(app)


def _ask(app: ChatApp, ui: Page, question: str, turns: list[Turn], history: list[dict[str, Any]] | None = None,
         filters: tuple[Any, ...] = NO_FILTERS) -> list[dict[Any, Any]]:
    return list(handlers.respond(app, ui, question, history or [], turns, *filters))


def _last_bubble(updates: dict[Any, Any], ui: Page) -> str:
    return str(updates[ui.chatbot][-1]["content"])


def test_respond_streams_then_fills_every_view(app: ChatApp, ui: Page) -> None:
    updates = _ask(app, ui, f"  {COST} ", [])
    first, final = updates[0], updates[-1]
    assert first == {ui.box: "", ui.chatbot: final[ui.chatbot], ui.turns: final[ui.turns], ui.sources: render.WORKING,
                     ui.timeline: render.WORKING, ui.compare: render.WORKING, ui.quotes: render.WORKING}
    # every step names every output (an output left out would become an update Gradio keeps a copy for)
    assert len(updates) > 2 and all(set(u) == set(first) for u in updates)
    assert final[ui.timeline] == final[ui.compare] == render.WORKING  # the topic tabs follow in after_answer
    assert final[ui.chatbot][0] == {"role": "user", "content": COST}
    [turn] = final[ui.turns]
    assert (turn.number, turn.question, turn.scope) == (1, COST, "searched all 6 outlets, Oct–Dec 2023")
    assert turn.passages and turn.passages[0].cited and turn.sources[0].chunk_id == turn.passages[0].chunk_id
    after = handlers.after_answer(app, ui, final[ui.turns], "")
    assert after[ui.timeline] == after[ui.compare] == render.TOPIC_SEARCHING  # no topic tab open: none searched
    assert 'data-psg="1-1"' in final[ui.sources] and 'data-copy="1"' in after[ui.store]
    exported = handlers.export_conversation(app, ui, final[ui.turns])
    assert Path(exported[ui.export_file]).read_text(encoding="utf-8").count("## 1. " + COST) == 1


def test_topic_tabs_are_searched_while_one_is_open(app: ChatApp, ui: Page) -> None:
    turns = _ask(app, ui, COST, [])[-1][ui.turns]
    waiting = {ui.timeline: render.TOPIC_SEARCHING, ui.compare: render.TOPIC_SEARCHING}
    assert coverage.refresh_views(app, ui, turns, "") == waiting
    opened = coverage.open_view(app, ui, coverage.COMPARE, turns)
    assert opened[ui.open_view] == "compare"
    assert "<div class='topic-col'><h5>Coastal Courier</h5>" in opened[ui.compare]
    assert coverage.refresh_views(app, ui, turns, "compare") == waiting | {ui.compare: opened[ui.compare]}
    timeline = coverage.open_view(app, ui, coverage.TIMELINE, turns)
    assert "<div class='tl-label' title='week of 2 Oct 2023: 1'>Coastal Courier</div>" in timeline[ui.timeline]
    assert coverage.close_views(ui) == {ui.open_view: ""}
    assert coverage.open_view(app, ui, coverage.COMPARE, []) == {ui.open_view: "compare",
                                                                  ui.compare: render.EMPTY_COMPARE}


def test_follow_up_is_read_against_the_turns_in_state_not_the_chat_html(app: ChatApp, ui: Page) -> None:
    first = _ask(app, ui, COST, [])[-1]
    turns, history = first[ui.turns], first[ui.chatbot]
    follow = _ask(app, ui, FOLLOW_UP, turns)[-1]  # the Chatbot's messages are not needed
    assert [t.number for t in follow[ui.turns]] == [1, 2]
    assert follow[ui.turns][1].standalone_question not in (None, FOLLOW_UP)
    assert '<details class="rewrite">' in _last_bubble(follow, ui) and 'href="#psg-2-1"' in _last_bubble(follow, ui)
    fresh = _ask(app, ui, FOLLOW_UP, [], history)[-1]  # old answers on screen, none in state: a first question
    assert fresh[ui.turns][0].number == 1
    assert fresh[ui.turns][0].standalone_question is None
    assert '<details class="rewrite">' not in _last_bubble(fresh, ui)


def test_filters_that_exclude_the_answer_say_what_to_do(app: ChatApp, ui: Page) -> None:
    final = _ask(app, ui, COST, [], filters=([], [], "2023-11-01", "2023-12-31"))[-1]
    assert "Nothing relevant within the selected filters: widen or clear them" in _last_bubble(final, ui)
    assert coverage.open_view(app, ui, coverage.TIMELINE, final[ui.turns])[ui.timeline] == render.empty_view(
        coverage_view.NO_TOPIC)
    assert final[ui.turns][0].scope == "searched all 6 outlets, Nov–Dec 2023"


def test_empty_question_or_bad_dates_change_nothing(app: ChatApp, ui: Page) -> None:
    with pytest.warns(UserWarning, match="Type a question first"):
        assert _ask(app, ui, "   ", []) == []
    with pytest.raises(gr.Error, match="The “to” date “31/10/2023” is not a date"):
        _ask(app, ui, COST, [], filters=([], [], None, "31/10/2023"))


def test_without_an_index_the_answer_says_how_to_build_one(tmp_path: Path, embedder: Embedder) -> None:
    app = ChatApp(Settings(corpus=Path("corpus"), store=tmp_path / "none"), embedder)
    ui = _page(app)
    updates = _ask(app, ui, COST, [])
    assert _last_bubble(updates[-1], ui) == render.format_error(
        "There is no index yet, so there is nothing to search. Open Index on the left and click Rebuild index to "
        f"index the articles in corpus, or run python -m index rebuild --corpus corpus --store {tmp_path / 'none'} "
        "and reload this page."
    )
    assert updates[-1][ui.sources] == render.EMPTY_SOURCES and ui.store not in updates[-1]
    assert handlers.describe_filters(app, [], [], None, None) == "No index yet."


def test_engine_errors_become_a_bubble_and_empty_views(app: ChatApp, ui: Page, monkeypatch: Any) -> None:
    from bot.errors import BotError

    def fail(*args: Any, **kwargs: Any) -> Iterator[Any]:
        raise BotError("the model server crashed: check BOT_LLM_MODEL")
        yield

    assert app.engine is not None
    monkeypatch.setattr(app.engine, "stream_answer", fail)
    final = _ask(app, ui, COST, [])[-1]
    assert _last_bubble(final, ui) == render.format_error("the model server crashed: check BOT_LLM_MODEL")
    assert final[ui.turns] == [] and final[ui.quotes] == render.EMPTY_QUOTES


def test_updates_of_one_answer_are_spaced_and_the_last_one_is_complete(
    app: ChatApp, ui: Page, monkeypatch: Any
) -> None:
    assert app.engine is not None
    real = list(app.engine.stream_answer(COST))
    final = real[-1]
    growing = [replace(final, text=f"Partial answer number {n}.", sentences=[], done=False) for n in range(1, 7)]

    def stream(*args: Any, **kwargs: Any) -> Iterator[Any]:
        yield from growing[:3]  # within a millisecond: one update shows them
        time.sleep(handlers.STREAM_GAP_S + 0.05)
        yield from growing[3:]  # the gap has passed: the first of these is sent, the rest wait for the end
        yield final

    monkeypatch.setattr(app.engine, "stream_answer", stream)
    # The bubble as each update sends it (the updates share the conversation, which the handler keeps changing).
    bubbles = [_last_bubble(u, ui) for u in handlers.respond(app, ui, COST, [], [], *NO_FILTERS)]
    # The question with a working bubble, one update per gap, then the complete answer with the views.
    assert len(bubbles) == 4
    assert ["number 1." in b for b in bubbles] == [False, True, False, False]
    assert ["number 4." in b for b in bubbles] == [False, False, True, False]
    assert "82 million dollars" in bubbles[3] and "Partial" not in bubbles[3]


def test_describe_filters_new_chat_and_clear(app: ChatApp, ui: Page) -> None:
    assert handlers.describe_filters(app, ["The Verge"], [], None, None) == (
        "Next question: searched 1 of 6 outlets (The Verge), Oct–Dec 2023."
    )
    assert handlers.describe_filters(app, [], [], "2023-12-01", "2023-11-01") == (
        '<span class="field-error" role="alert">⚠️ The “from” date 2023-12-01 is after the “to” date 2023-11-01: '
        "swap them or clear one.</span>"
    )
    assert handlers.new_chat(ui) == {
        ui.chatbot: [], ui.turns: [], ui.sources: render.EMPTY_SOURCES, ui.timeline: render.EMPTY_TIMELINE,
        ui.compare: render.EMPTY_COMPARE, ui.quotes: render.EMPTY_QUOTES, ui.store: render.format_store([], {}),
        ui.export_file: None,
    }
    assert handlers.clear_filters(ui) == {ui.outlets: [], ui.categories: [], ui.date_from: None, ui.date_to: None}


def test_page_load_shows_the_index(app: ChatApp, ui: Page) -> None:
    updates = handlers.refresh_page(app, ui)
    assert updates[ui.status].startswith("**7 articles** from 6 outlets, **7 passages**  \nLast rebuild: ")
    assert updates[ui.outlets] == gr.update(choices=app.outlet_choices()) and "The Verge" in app.outlet_choices()
    assert updates[ui.chatbot] == gr.update(examples=app.example_messages() or None, placeholder=app.placeholder())
    assert updates[ui.scope_note] == "Next question: searched all 6 outlets, Oct–Dec 2023."


def test_rebuild_is_refused_unless_the_chat_is_local(app: ChatApp) -> None:
    remote = ChatApp(replace(app.settings, host="0.0.0.0"), app.embedder, app.engine)
    with pytest.raises(gr.Error, match=r"only offered when the chat runs on 127\.0\.0\.1"):
        next(handlers.rebuild(remote, _page(remote), False, *NO_FILTERS))


def test_rebuild_summary() -> None:
    report = RebuildReport(store="s", articles=7, chunks=9, added=1, unchanged=6, seconds=2.25)
    assert handlers.rebuild_summary(report) == (
        "✓ Rebuilt in 2.2 s: 7 articles, 9 passages (1 added, 0 updated, 0 removed, 6 unchanged)."
    )
    assert handlers.rebuild_summary(replace(report, changed=False)) == (
        "✓ Rebuilt in 2.2 s: 7 articles, 9 passages (nothing had changed)."
    )
    sample = replace(report, articles=1, chunks=1, added=0, unchanged=1, changed=False)  # like the sample corpus
    assert handlers.rebuild_summary(sample) == "✓ Rebuilt in 2.2 s: 1 article, 1 passage (nothing had changed)."


def test_a_waiting_question_says_how_many_are_ahead_and_gives_its_place_back(
    app: ChatApp, ui: Page, monkeypatch: Any
) -> None:
    monkeypatch.setattr(app, "slots", AnswerSlots(1))
    busy = app.slots.join()  # another user's answer holds the only slot
    steps = handlers.respond(app, ui, COST, [], [], *NO_FILTERS)
    assert next(steps)[ui.chatbot][0] == {"role": "user", "content": COST}  # the question shows at once
    waiting = next(steps)
    assert waiting[ui.chatbot][-1]["content"] == render.format_waiting(1)
    assert ">⏳ 1 question ahead of you: your answer starts as soon as it is done.<" in render.format_waiting(1)
    assert "3 questions ahead of you: your answer starts as soon as they are done." in render.format_waiting(3)
    threading.Timer(0.3, app.slots.leave, [busy]).start()
    final = list(steps)[-1]
    assert 'data-copy="1"' in handlers.after_answer(app, ui, final[ui.turns], "")[ui.store]
    assert set(waiting) == set(final) and app.slots.counts() == (0, 0)

    busy = app.slots.join()
    steps = handlers.respond(app, ui, COST, [], [], *NO_FILTERS)
    next(steps), next(steps)
    assert app.slots.counts() == (1, 1)
    steps.close()  # the user left (Gradio closes the generator): the place in line is given back
    assert app.slots.counts() == (1, 0)
    app.slots.leave(busy)


def test_a_waiting_place_is_updated_at_most_once_a_gap(app: ChatApp, ui: Page, monkeypatch: Any) -> None:
    monkeypatch.setattr(app, "slots", AnswerSlots(1))
    first, second = app.slots.join(), app.slots.join()  # one answer running, one question before ours
    steps = handlers.respond(app, ui, COST, [], [], *NO_FILTERS)
    next(steps)
    assert next(steps)[ui.chatbot][-1]["content"] == render.format_waiting(2)
    threading.Timer(0.1, app.slots.leave, [first]).start()  # 1 ahead for 0.2 s: within PLACE_GAP_S, not shown
    threading.Timer(0.3, app.slots.leave, [second]).start()
    rest = [step[ui.chatbot][-1]["content"] for step in steps]
    assert handlers.PLACE_GAP_S == 1.0 and rest and render.format_waiting(1) not in rest
    assert "ahead of you" not in rest[-1] and "[1]" in rest[-1]  # the answer, with its citations
    assert app.slots.counts() == (0, 0)


def test_answer_slots_serve_questions_in_arrival_order() -> None:
    slots = AnswerSlots(2)
    first, second, third, fourth = (slots.join() for _ in range(4))
    assert [slots.wait(t, 0) for t in (first, second, third, fourth)] == [0, 0, 2, 3]
    slots.leave(second)
    assert [slots.wait(t, 0) for t in (third, fourth)] == [0, 2]
    slots.leave(fourth)  # left the line before its turn
    assert slots.counts() == (2, 0)
    with pytest.raises(ValueError, match="answer workers must be 1 or more"):
        AnswerSlots(0)


def test_session_state_stays_small_and_the_page_holds_recent_turns_only(
    app: ChatApp, ui: Page, monkeypatch: Any
) -> None:
    monkeypatch.setattr(state, "STORE_TURNS", 2)
    questions = [COST, "Who won the hockey championship?", "How much ice did Swiss glaciers lose in 2023?",
                 "Who set a course record at the Melbourne Marathon?"]
    turns: list[Turn] = []
    history: list[dict[str, Any]] = []
    for question in questions:
        final = _ask(app, ui, question, turns, history)[-1]
        turns, history = final[ui.turns], final[ui.chatbot]
    # What the session keeps: texts and passage ids, never the passages, hits or evidence themselves.
    blob = pickle.dumps(turns)
    assert b"Chunk" not in blob and b"Hit" not in blob and b"Evidence" not in blob
    assert max(len(pickle.dumps(turn)) for turn in turns) < 3000
    assert [t.passages[0].cited for t in turns] == [True] * 4
    # after an answer the page receives that answer's passages only, and keeps the last STORE_TURNS itself
    store = handlers.after_answer(app, ui, turns, "")[ui.store]
    assert re.findall(r'data-copy="(\d+)"', store) == ["4"] and 'data-psg="4-1"' in store
    assert '<div class="store" data-mode="append" data-keep="2">' in store and 'data-psg="3-1"' not in store
    # a reopened conversation starts the page's archive over with its recent turns
    reopened = history_ui.evidence_views(app, ui, turns)[ui.store]
    assert re.findall(r'data-copy="(\d+)"', reopened) == ["3", "4"]
    assert '<div class="store" data-mode="replace" data-keep="2">' in reopened and 'data-psg="2-1"' not in reopened
    assert handlers.history_pairs(turns) == [(t.question, t.text) for t in turns]


def test_export_is_written_on_click_into_a_bounded_folder(
    app: ChatApp, ui: Page, tmp_path: Path, monkeypatch: Any
) -> None:
    folder = ExportFolder(tmp_path / "exports", keep=3, max_age_s=600)
    monkeypatch.setattr(app, "exports", folder)
    turns = _ask(app, ui, COST, [])[-1][ui.turns]
    assert not folder.path.exists()  # answering writes no file
    written = [Path(handlers.export_conversation(app, ui, turns)[ui.export_file]) for _ in range(5)]
    assert folder.files() == written[-3:] and all(p.name.startswith("news-chat-conversation-") for p in written)
    markdown = written[-1].read_text(encoding="utf-8")
    assert markdown.count(f"## 1. {COST}") == 1
    assert ("[1] “The Harbor Bridge in Port Elling reopened to traffic on Tuesday after a 14-month repair that cost "
            "82 million dollars.” — *Harbor Bridge reopens after 14-month repair*, Coastal Courier · 4 Oct 2023. "
            "<https://coastal-courier.example/2023/10/04/harbor-bridge-reopens>") in markdown
    old = written[-3]
    os.utime(old, (time.time() - 601, time.time() - 601))  # downloaded long ago
    newest = Path(handlers.export_conversation(app, ui, turns)[ui.export_file])
    assert folder.files() == [written[-2], written[-1], newest]
    with pytest.warns(UserWarning, match="Nothing to export yet"):
        assert handlers.export_conversation(app, ui, []) == {}
