"""The web page's event handlers (bot.web.handlers) called on their own, over the fixture index, without a server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from bot.web import handlers, render
from bot.web.chat_app import ChatApp
from bot.web.layout import Page, create_ui
from bot.web.state import Turn
from index.embedding import Embedder
from index.rebuild import RebuildReport
from index.settings import Settings

COST = "How much did the Harbor Bridge repair cost?"
FOLLOW_UP = "And what did the mayor say?"
NO_FILTERS: tuple[Any, ...] = ([], [], None, None)


@pytest.fixture(scope="module")
def app(fixture_index: tuple[Settings, RebuildReport], embedder: Embedder) -> ChatApp:
    return ChatApp(fixture_index[0], embedder)


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
    assert len(updates) > 2 and all(set(u) == {ui.box, ui.chatbot, ui.turns, ui.sources} for u in updates[1:-1])
    assert set(final) == {ui.box, ui.chatbot, ui.turns, ui.sources, ui.timeline, ui.compare, ui.quotes, ui.store,
                          ui.export}
    assert final[ui.chatbot][0] == {"role": "user", "content": COST}
    [turn] = final[ui.turns]
    assert (turn.number, turn.question, turn.scope) == (1, COST, "searched all 6 outlets, Oct–Dec 2023")
    assert turn.evidence and turn.evidence[0].cited
    assert 'data-psg="1-1"' in final[ui.sources] and 'data-copy="1"' in final[ui.store]
    assert final[ui.export]["interactive"] is True
    assert Path(final[ui.export]["value"]).read_text(encoding="utf-8").count("## 1. " + COST) == 1


def test_follow_up_is_read_against_the_turns_in_state_not_the_chat_html(app: ChatApp, ui: Page) -> None:
    first = _ask(app, ui, COST, [])[-1]
    turns, history = first[ui.turns], first[ui.chatbot]
    follow = _ask(app, ui, FOLLOW_UP, turns)[-1]  # the Chatbot's messages are not needed
    assert [t.number for t in follow[ui.turns]] == [1, 2]
    assert follow[ui.turns][1].answer.standalone_question not in (None, FOLLOW_UP)
    assert '<details class="rewrite">' in _last_bubble(follow, ui) and 'href="#psg-2-1"' in _last_bubble(follow, ui)
    fresh = _ask(app, ui, FOLLOW_UP, [], history)[-1]  # old answers on screen, none in state: a first question
    assert fresh[ui.turns][0].number == 1
    assert fresh[ui.turns][0].answer.standalone_question is None
    assert '<details class="rewrite">' not in _last_bubble(fresh, ui)


def test_filters_that_exclude_the_answer_say_what_to_do(app: ChatApp, ui: Page) -> None:
    final = _ask(app, ui, COST, [], filters=([], [], "2023-11-01", "2023-12-31"))[-1]
    assert "Nothing relevant within the selected filters: widen or clear them" in _last_bubble(final, ui)
    assert final[ui.timeline] == render.empty_view("No articles to plot: nothing in the index answers this question.")
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


def test_describe_filters_new_chat_and_clear(app: ChatApp, ui: Page) -> None:
    assert handlers.describe_filters(app, ["The Verge"], [], None, None) == (
        "Next question: searched 1 of 6 outlets (The Verge), Oct–Dec 2023."
    )
    assert handlers.describe_filters(app, [], [], "2023-12-01", "2023-11-01") == (
        "⚠️ The “from” date 2023-12-01 is after the “to” date 2023-11-01: swap them or clear one."
    )
    assert handlers.new_chat(ui) == {
        ui.chatbot: [], ui.turns: [], ui.sources: render.EMPTY_SOURCES, ui.timeline: render.EMPTY_TIMELINE,
        ui.compare: render.EMPTY_COMPARE, ui.quotes: render.EMPTY_QUOTES, ui.store: "",
        ui.export: gr.update(value=None, interactive=False),
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
