"""The web chat: its API through gradio_client against app.py launched as a real process, and its formatting."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from gradio_client import Client
from gradio_client.exceptions import ValidationError

from bot.retrieval.filters import Filters
from bot.types import GENERATED, NOT_COVERED, Answer, AnswerSentence, Citation
from bot.views.evidence import Evidence
from bot.web import render
from bot.web.chat_app import ChatApp
from bot.web.export import answer_markdown
from bot.web.filters import build_filters, not_covered_hint
from bot.web.state import finished_turn, history_pairs
from index.documents import Chunk
from index.embedding import Embedder
from index.settings import Settings

QUESTION = "How much did the Harbor Bridge repair cost?"
BRIDGE_URL = "https://coastal-courier.example/2023/10/04/harbor-bridge-reopens"


def _text(message: dict[str, Any]) -> str:
    content = message["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


def _ask(client: Client, question: str, history: list[Any] | None = None, outlets: list[str] | None = None,
         date_from: str = "", date_to: str = "") -> tuple[Any, ...]:
    return tuple(client.predict(question, history or [], outlets or [], [], date_from, date_to, api_name="/respond"))


def test_chat_answers_with_markers_sources_and_views(running_app: str) -> None:
    client = Client(running_app, verbose=False)
    # timeline, compare: when their tab opens; the passage store follows in the page's after_answer event
    box, history, sources, _, _, quotes = _ask(client, QUESTION)
    assert box == ""
    assert [m["role"] for m in history] == ["user", "assistant"]
    reply = _text(history[1])
    assert '<a class="cite" href="#psg-1-1" title="Open passage [1]">[1]</a>' in reply
    assert "searched all 6 outlets, Oct–Dec 2023 · extractive answer" in reply
    assert '<a href="#copy-1" class="copy-answer">' in reply
    assert 'data-psg="1-1"' in sources
    assert 'data-title="Harbor Bridge reopens after 14-month repair"' in sources
    assert "Coastal Courier · 4 Oct 2023" in sources
    assert "<mark>The Harbor Bridge in Port Elling reopened to traffic" in sources
    assert f'href="{BRIDGE_URL}"' in sources
    assert "— <b>Dana Reyes</b>" in quotes


def test_outlet_filter_is_applied_and_shown(running_app: str) -> None:
    client = Client(running_app, verbose=False)
    _, history, sources, *_ = _ask(client, "How long does the phone battery last?", outlets=["The Verge"])
    reply = _text(history[1])
    assert "searched 1 of 6 outlets (The Verge), Oct–Dec 2023" in reply
    outlets = set(re.findall(r'data-meta="([^"·]+) ·', sources))
    assert outlets == {"The Verge"}


def test_date_filter_that_excludes_the_answer_says_what_to_do(running_app: str) -> None:
    client = Client(running_app, verbose=False)
    _, history, sources, *_ = _ask(client, QUESTION, date_from="2023-11-01", date_to="2023-12-31")
    reply = _text(history[1])
    assert "do not cover this question" in reply
    assert "Nothing relevant within the selected filters: widen or clear them" in reply
    assert "searched all 6 outlets, Nov–Dec 2023" in reply
    assert "No passage in the index answers this question." in sources


def test_bad_dates_are_refused_with_a_clear_message(running_app: str) -> None:
    client = Client(running_app, verbose=False)
    # checked before any work by the event's validator (bot/web/field_checks.py), which names the field
    with pytest.raises(ValidationError, match="date_from: The “from” date “2023-13-01” is not a date: write it as "):
        _ask(client, QUESTION, date_from="2023-13-01")
    with pytest.raises(ValidationError, match="date_from: The “from” date 2023-12-01 is after the “to” date 2023-11"):
        _ask(client, QUESTION, date_from="2023-12-01", date_to="2023-11-01")


def test_chat_not_covered(running_app: str) -> None:
    client = Client(running_app, verbose=False)
    _, history, sources, *_ = _ask(client, "What is the boiling point of mercury?")
    reply = _text(history[1])
    assert "do not cover this question" in reply
    assert "Try other words — names, places, dates from the articles" in reply
    assert "No passage in the index answers this question." in sources


def test_follow_up_is_rewritten_and_numbered_as_turn_two(running_app: str) -> None:
    client = Client(running_app, verbose=False)
    _, history, *_ = _ask(client, QUESTION)
    _, history, sources, *_ = _ask(client, "And what did the mayor say?", history)
    assert [m["role"] for m in history] == ["user", "assistant", "user", "assistant"]
    reply = _text(history[3])
    assert '<details class="rewrite"><summary>Follow-up rewritten for the search</summary>' in reply
    assert "Harbor Bridge" in reply.split("Searched for:")[1]
    assert 'href="#psg-2-1"' in reply and 'data-psg="2-1"' in sources


# ---------------------------------------------------------------- formatting, without a server


def _chunk(text: str, **meta: Any) -> Chunk:
    return Chunk("a1", 0, text, 0, len(text), **{"title": "T", "outlet": "Outlet", **meta})


def test_article_html_is_escaped_everywhere() -> None:
    chunk = _chunk('Coach wrote <script>alert("x")</script> here.', title="<b>T</b>",
                   url="javascript:alert(1)", published_at="2023-10-04")
    card = render.format_card(1, Evidence(1, chunk, True, 0, 11))
    assert "<script>" not in card and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in card
    assert "&lt;b&gt;T&lt;/b&gt;" in card and "<b>T</b>" not in card
    assert "javascript:" not in card and "no link recorded" in card  # only http(s) links are ever made
    answer = Answer(question="q", text="Use <img src=x onerror=alert(1)> now [1]", done=True)
    assert "<img" not in render.format_answer(answer)
    assert render.user_bubble("<img src=x onerror=alert(1)>")["content"] == "&lt;img src=x onerror=alert(1)&gt;"
    store = render.format_store([finished_turn(1, "q", Answer(question="q", citations=[Citation(1, chunk, "x", 0, 1)]),
                                               "scope", [Evidence(1, chunk, True, 0, 1)])], {chunk.id: chunk})
    assert "<script>" not in store


def test_markers_link_only_to_known_citations() -> None:
    assert render.link_markers("A [1, 3] B [9] C [2]", 4, {1, 2, 3}) == (
        'A <a class="cite" href="#psg-4-1" title="Open passage [1]">[1]</a>'
        '<a class="cite" href="#psg-4-3" title="Open passage [3]">[3]</a> B [9] C '
        '<a class="cite" href="#psg-4-2" title="Open passage [2]">[2]</a>'
    )


def test_unsupported_sentences_are_struck_through_with_the_reason() -> None:
    chunk = _chunk("The bridge cost 82 million dollars.")
    answer = Answer(
        question="q",
        text="It cost 82 million dollars [1]. It cost 95 million dollars [1].",
        citations=[Citation(1, chunk, "The bridge cost 82 million dollars.", 0, 35)],
        sentences=[
            AnswerSentence("It cost 82 million dollars.", True, (1,)),
            AnswerSentence("It cost 95 million dollars.", False, (1,), note="95 is in none of its cited passages"),
        ],
        mode=GENERATED,
        notes=["2 markers pointed at no passage and were dropped."],
        standalone_question="What did the bridge cost?",
        done=True,
    )
    bubble = render.format_answer(answer, 2, "searched all 3 outlets, Oct 2023")
    assert ('It cost 82 million dollars. <a class="cite" href="#psg-2-1" title="Open passage [1]">[1]</a> '
            '<span class="flag checked" title="“supported” means the cited passage says so, not that it is true">'
            '✓ supported by [1]</span> '
            '<span class="unsupported-sentence"><del title="95 is in none of its cited passages">It cost 95 '
            'million dollars. <a class="cite" href="#psg-2-1" title="Open passage [1]">[1]</a></del>'
            '<span class="flag" title="95 is in none of its cited passages"> ⚠ not supported: 95 is in none of its '
            "cited passages</span></span>") in bubble
    assert '<p class="note">2 markers pointed at no passage and were dropped.</p>' in bubble
    assert ('<p class="note checks">Checked against the cited passages: 1 supported by its citations, 1 not '
            "supported (“supported” means the cited passage says so, not that it is true).</p>") in bubble
    assert "Searched for: “What did the bridge cost?”" in bubble
    assert "searched all 3 outlets, Oct 2023 · generated answer, each sentence checked against its citations" in bubble
    markdown = answer_markdown(finished_turn(2, "q", answer, "searched all 3 outlets, Oct 2023"))
    assert markdown == (
        "It cost 82 million dollars. [1] ~~It cost 95 million dollars. [1]~~ _(not supported: 95 is in none of its "
        "cited passages)_\n\n_Checked against the cited passages: 1 supported by its citations, 1 not supported "
        "(“supported” means the cited passage says so, not that it is true)._\n\n"
        "_2 markers pointed at no passage and were dropped._\n\n"
        "_Searched as: “What did the bridge cost?”_\n\n"
        "_searched all 3 outlets, Oct 2023 · generated answer, each sentence checked against its citations_\n\n"
        "**References**\n\n[1] “The bridge cost 82 million dollars.” — *T*, Outlet\n"
    )


def test_a_day_s_articles_show_one_a_line_with_their_outlet_and_day() -> None:
    storm, fair = _chunk("Storm Elin made landfall."), _chunk("The harvest fair drew 12,000 visitors.")
    answer = Answer(
        question="What happened on November 25, 2023?",
        text="- Coastal Courier · 25 Nov 2023: Storm Elin made landfall. [1]\n"
             "- Valley Post · 25 Nov 2023: The harvest fair drew 12,000 visitors. [2]",
        citations=[Citation(1, storm, storm.text, 0, 25), Citation(2, fair, fair.text, 0, 38)],
        sentences=[AnswerSentence(storm.text, True, (1,), (storm.text,), source="Coastal Courier · 25 Nov 2023"),
                   AnswerSentence(fair.text, True, (2,), (fair.text,), source="Valley Post · 25 Nov 2023")],
        done=True,
    )
    bubble = render.format_answer(answer, 1)
    assert re.sub(r"\s+", " ", bubble.split('<p class="answer-text">')[1].split("</p>")[0]).strip() == (
        '<span class="answer-source">Coastal Courier · 25 Nov 2023:</span> Storm Elin made landfall. '
        '<a class="cite" href="#psg-1-1" title="Open passage [1]">[1]</a>'
        '<br><span class="answer-source">Valley Post · 25 Nov 2023:</span> The harvest fair drew 12,000 visitors. '
        '<a class="cite" href="#psg-1-2" title="Open passage [2]">[2]</a>')
    markdown = answer_markdown(finished_turn(1, answer.question, answer, "all"))
    assert markdown.startswith("- **Coastal Courier · 25 Nov 2023:** Storm Elin made landfall. [1]\n"
                               "- **Valley Post · 25 Nov 2023:** The harvest fair drew 12,000 visitors. [2]\n\n")


def test_follow_ups_are_read_against_the_turns_in_state() -> None:
    answer = Answer(question="q", text="It reopened [1].", citations=[Citation(1, _chunk("x"), "x", 0, 1)], done=True)
    assert history_pairs([finished_turn(1, "When did it reopen?", answer, "searched all 2 outlets")]) == [
        ("When did it reopen?", "It reopened [1].")
    ]


def test_filters_from_the_side_panel() -> None:
    filters = build_filters(["A"], ["sports"], "2023-10-01", "2023-10-31")
    assert filters == Filters(outlets=("A",), categories=("sports",), date_from=1696118400, date_to=1698796799)
    assert build_filters(None, None, None, "") == Filters()
    with pytest.raises(gr.Error):
        build_filters([], [], "31/10/2023", None)


def test_not_covered_answer_bubble() -> None:
    answer = Answer(question="q", text="The indexed articles do not cover this question.", mode=NOT_COVERED,
                    done=True)
    bubble = render.format_answer(answer, 1, "searched all 6 outlets", not_covered_hint(Filters(outlets=("A",))))
    assert "Nothing relevant within the selected filters" in bubble
    assert "not covered by the index" in bubble
    assert "copy-answer" not in bubble


def test_no_index_yet_says_what_to_do(tmp_path: Path, embedder: Embedder) -> None:
    chat = ChatApp(Settings(corpus=Path("corpus"), store=tmp_path / "empty"), embedder)
    assert chat.engine is None and chat.profile is None and chat.examples == []
    assert chat.status_markdown() == "**No index yet.** Click **Rebuild index** to index the articles in corpus."
    assert "No index yet" in chat.placeholder()
