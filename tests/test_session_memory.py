"""A session's server-side copy of the page stays one value per component however many questions it asks.

Gradio fills an output an event leaves out with an update, which replaces that component in the session's config;
a value sent afterwards is kept under the replacement's id, so a view left out of some steps of every answer kept
one more copy of itself per answer (about a megabyte a turn with the passage store). Every answer step names
every output, and the answer's passages follow in their own event.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import gradio as gr
import pytest
from gradio_client import Client

from bot.web.chat_app import ChatApp
from bot.web.page import build_page
from index.embedding import Embedder
from index.rebuild import RebuildReport
from index.settings import Settings
from tests.conftest import free_port

QUESTIONS = ["How much did the Harbor Bridge repair cost?", "Who won the hockey championship?",
             "How much ice did Swiss glaciers lose in 2023?", "Who set a course record at the Melbourne Marathon?"]


@pytest.fixture(scope="module")
def served(fixture_index: tuple[Settings, RebuildReport], embedder: Embedder) -> Iterator[tuple[gr.Blocks, str]]:
    port = free_port()
    app = ChatApp(replace(fixture_index[0], host="127.0.0.1", port=port), embedder)
    demo = build_page(app)
    demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield demo, f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def _session_sizes(demo: gr.Blocks) -> tuple[int, int, list[int]]:
    """(components in the session's config, values it holds, components replaced by another id)."""
    [session] = demo.state_holder.session_data.values()
    blocks = session.blocks_config.blocks
    moved = [key for key, block in blocks.items() if getattr(block, "_id", key) != key]
    return len(blocks), len(session.config_values), moved


@pytest.mark.timeout(300)
def test_a_session_keeps_one_value_per_component_however_many_answers(served: tuple[gr.Blocks, str]) -> None:
    demo, url = served
    client = Client(url, verbose=False)
    history: list = []
    sizes = []
    for question in QUESTIONS:
        result = client.predict(question, history, [], [], "", "", api_name="/respond")
        store = client.predict(api_name="/after_answer")[0]  # what the page asks for after each answer
        history = list(result[1])
        assert re.findall(r'data-copy="(\d+)"', store) == [str(len(history) // 2)]  # this answer's passages only
        sizes.append(_session_sizes(demo))
    components, values, moved = sizes[0]
    assert moved == [] and values == components
    assert sizes == [sizes[0]] * len(QUESTIONS)  # it was one more value per view and answer
    client.close()
