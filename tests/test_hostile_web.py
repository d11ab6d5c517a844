"""Hostile clients of the page's API (issue 21): oversized inputs are refused with a clear message before any
work, a huge chat history costs nothing, a question cannot blow up retrieval, and other sites' Host headers are
refused by a chat bound to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import time
from typing import Any
from urllib.parse import urlparse

import gradio as gr
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from bot.engine import MAX_QUESTION_CHARS
from bot.errors import QuestionTooLongError
from bot.retrieval.plan import MAX_DATE_RANGES
from bot.types import EXTRACTIVE
from bot.web import handlers
from bot.web.chat_app import ChatApp
from bot.web.guards import MAX_TURNS, LocalHostOnly, host_middleware, host_name
from bot.web.layout import Page, create_ui
from bot.web.state import Turn
from index.embedding import Embedder
from index.rebuild import RebuildReport
from index.settings import Settings

QUESTION = "How much did the Harbor Bridge repair cost?"
NO_FILTERS: tuple[Any, ...] = ([], [], None, None)


@pytest.fixture(scope="module")
def app(fixture_index: tuple[Settings, RebuildReport], embedder: Embedder) -> ChatApp:
    return ChatApp(fixture_index[0], embedder)


@pytest.fixture(scope="module")
def ui(app: ChatApp) -> Page:
    with gr.Blocks():
        return create_ui(app, "")


def refused(app: ChatApp, ui: Page, question: str, history: list[Any], turns: list[Turn]) -> str:
    """The message the page shows when it refuses the request (and that nothing was answered)."""
    with pytest.raises(gr.Error) as err:
        list(handlers.respond(app, ui, question, history, turns, *NO_FILTERS))
    return str(err.value.message)


# ---------------------------------------------------------------- input limits


def test_a_one_megabyte_question_is_refused_before_any_work(
    app: ChatApp, ui: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert app.engine is not None
    monkeypatch.setattr(app.engine, "stream_answer", lambda *a, **k: pytest.fail("the question reached the engine"))
    assert refused(app, ui, "Why? " * 200_000, [], []) == (
        "The question is 999,999 characters long; ask it in at most 2,000 characters (one question, not a document)."
    )


def test_the_engine_refuses_a_long_question_too(app: ChatApp) -> None:
    assert app.engine is not None
    with pytest.raises(QuestionTooLongError, match=r"^The question is 2,001 characters long; ask it in at most "):
        app.engine.answer("x" * (MAX_QUESTION_CHARS + 1))
    assert app.engine.answer("x" * (MAX_QUESTION_CHARS - 10) + " bridge?").done  # at the limit: answered


def test_an_oversized_history_is_refused(app: ChatApp, ui: Page) -> None:
    big = [{"role": "assistant", "content": "<details" * 300_000}]
    assert refused(app, ui, QUESTION, big, []) == (
        "The chat history sent with this question is too large (over 102 messages or 2,000,000 characters): "
        "click New chat."
    )
    many = [{"role": "user", "content": "hi"}] * 103
    assert refused(app, ui, QUESTION, many, []).startswith("The chat history sent with this question is too large")


def test_a_conversation_has_a_bounded_number_of_turns(app: ChatApp, ui: Page) -> None:
    turns = [Turn(n, "q", "a", EXTRACTIVE, "") for n in range(1, MAX_TURNS + 1)]
    assert refused(app, ui, QUESTION, [], turns) == (
        "This conversation already has 50 questions, the most one chat holds: click New chat."
    )


# ---------------------------------------------------------------- bounded retrieval work


def test_the_same_date_named_1000_times_is_one_range(app: ChatApp) -> None:
    assert app.engine is not None
    retriever = app.engine.retriever
    question = "What happened to the Harbor Bridge on October 4, 2023? " + "October 4, 2023, " * 1000
    hits = retriever.retrieve(question)  # was Chroma's "Expression tree is too large (maximum depth 1000)"
    assert hits and hits[0].chunk.title == "Harbor Bridge reopens after 14-month repair"
    assert len(retriever.plan(question).dates) == 1


def test_a_thousand_different_dates_are_bounded(app: ChatApp) -> None:
    assert app.engine is not None
    retriever = app.engine.retriever
    days = " ".join(f"{2020 + i // 365}-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}," for i in range(0, 3000, 3))
    question = "Which bridge reopened on " + days
    plan = retriever.plan(question)
    assert 1 <= len(plan.dates) <= MAX_DATE_RANGES
    assert all(len(sub.dates) <= MAX_DATE_RANGES for sub in plan.subqueries)
    retriever.retrieve(question)


def test_a_question_of_many_clauses_is_a_bounded_number_of_searches(app: ChatApp) -> None:
    assert app.engine is not None
    question = ", ".join(f"what did the mayor say about bridge number {n}" for n in range(60))
    assert len(app.engine.retriever.plan(question).subqueries) == 16


# ---------------------------------------------------------------- the running server


def _ask(client: Client, question: str, history: list[Any]) -> tuple[Any, ...]:
    return tuple(client.predict(question, history, [], [], "", "", api_name="/respond"))


@pytest.mark.timeout(300)
def test_a_200_kb_history_of_details_tags_costs_nothing(running_app: str) -> None:
    client = Client(running_app, verbose=False)
    started = time.perf_counter()
    _ask(client, QUESTION, [])
    plain = time.perf_counter() - started
    junk = [{"type": "text", "text": "<details" * 25_000}]  # 200 KB, in the Chatbot's message format
    history = [{"role": "user", "content": junk}, {"role": "assistant", "content": junk}]
    started = time.perf_counter()
    _, returned, sources, *_ = _ask(Client(running_app, verbose=False), QUESTION, history)  # a fresh session
    loaded = time.perf_counter() - started
    assert len(returned) == 4 and "82 million dollars" in str(returned[-1]["content"])
    assert returned[0]["content"] == junk  # handed back as it came, never parsed
    assert 'data-psg="1-1"' in sources  # the first turn: the history's HTML is never read back
    assert loaded < plain + 5, f"{loaded:.1f} s with the history, {plain:.1f} s without"  # it took 25–45 s


def test_the_api_refuses_a_long_question_with_the_message(running_app: str) -> None:
    client = Client(running_app, verbose=False)
    with pytest.raises(AppError, match=r"The question is 100,000 characters long; ask it in at most 2,000 "):
        _ask(client, "x" * 100_000, [])


def _get(url: str, host: str) -> tuple[int, str]:
    parts = urlparse(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.putrequest("GET", "/config", skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_a_foreign_host_header_is_refused(running_app: str) -> None:
    port = urlparse(running_app).port
    assert _get(running_app, "evil.example") == (
        421, "Host 'evil.example' is not this chat: it only answers at 127.0.0.1 or localhost."
    )
    assert _get(running_app, f"evil.example:{port}")[0] == 421
    assert _get(running_app, f"127.0.0.1:{port}")[0] == 200
    assert _get(running_app, f"localhost:{port}")[0] == 200


def test_host_check_only_for_loopback_binds() -> None:
    assert [m.cls for m in host_middleware("127.0.0.1")] == [LocalHostOnly]
    assert host_middleware("0.0.0.0") == [] and host_middleware("192.168.1.20") == []
    assert [host_name(h) for h in ("[::1]:7860", "LocalHost:80", "127.0.0.1", "evil.example:7860")] == [
        "::1", "localhost", "127.0.0.1", "evil.example"
    ]

