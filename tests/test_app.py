"""The web chat through gradio_client, against the app launched as a real process."""

from __future__ import annotations

from gradio_client import Client

import app
from bot.types import Answer, Citation
from index.documents import Chunk


def test_chat_answers_with_markers_and_sources(running_app: str) -> None:
    client = Client(running_app, verbose=False)
    box, history, sources = client.predict("How much did the Harbor Bridge repair cost?", [], api_name="/respond")
    assert box == ""
    assert [m["role"] for m in history] == ["user", "assistant"]
    reply = history[1]["content"]
    text = reply if isinstance(reply, str) else " ".join(part.get("text", "") for part in reply)
    assert '<a class="cite" href="#src-1">[1]</a>' in text
    assert 'id="src-1"' in sources
    assert "Harbor Bridge reopens after 14-month repair" in sources
    assert "Coastal Courier · 2023-10-04" in sources
    assert "<mark>The Harbor Bridge in Port Elling reopened to traffic" in sources
    assert 'href="https://coastal-courier.example/2023/10/04/harbor-bridge-reopens"' in sources


def test_chat_not_covered(running_app: str) -> None:
    client = Client(running_app, verbose=False)
    _, history, sources = client.predict("What is the boiling point of mercury?", [], api_name="/respond")
    reply = history[1]["content"]
    text = reply if isinstance(reply, str) else " ".join(part.get("text", "") for part in reply)
    assert "do not cover this question" in text
    assert "No passage in the index answers this question." in sources


def test_article_html_is_escaped() -> None:
    chunk = Chunk("a", 0, 'Coach wrote <script>alert("x")</script> here.', 0, 45, title="<b>T</b>", source="S")
    html = app.format_citation(Citation(1, chunk, "Coach wrote", 0, 11))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;T&lt;/b&gt;" in html
    answer = Answer(question="q", text="Use <img src=x onerror=alert(1)> now [1]")
    assert "<img" not in app.format_answer(answer)
