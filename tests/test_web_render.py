"""The web page's HTML (bot.web.render and its Jinja2 templates), the timeline's geometry and the Markdown export.

Expected strings are what the page produced before the templates (app.py's f-strings), byte for byte.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.types import NOT_COVERED, Answer, AnswerSentence, Citation
from bot.views.evidence import Evidence
from bot.views.quotes import Quote
from bot.views.scope import CorpusProfile
from bot.web import render
from bot.web.coverage_view import ticks
from bot.web.export import conversation_markdown
from bot.web.labels import safe_url
from bot.web.state import finished_turn, history_pairs, next_number
from index.documents import Chunk

HOSTILE_TITLE = "<b>T</b> & 'q' \"dq\""
HOSTILE_OUTLET = "O<i>&'\""


def _chunk(text: str, **meta: Any) -> Chunk:
    return Chunk(meta.pop("article_id", "a1"), 0, text, 0, len(text), **{"title": "T", "outlet": "Outlet", **meta})


def _hostile() -> Chunk:
    return _chunk('Coach wrote <script>alert("x")</script> & it\'s "here".\nNew line', title=HOSTILE_TITLE,
                  url="javascript:alert(1)", published_at="2023-10-04", outlet=HOSTILE_OUTLET)


def test_card_escapes_a_hostile_title_outlet_and_text_and_links_only_http() -> None:
    card = render.format_card(7, Evidence(1, _hostile(), True, 0, 11))
    assert card == (
        '<div class="source-card cited" tabindex="0" role="button" data-psg="7-1" data-n="1" '
        'data-title="&lt;b&gt;T&lt;/b&gt; &amp; &#x27;q&#x27; &quot;dq&quot;" '
        'data-meta="O&lt;i&gt;&amp;&#x27;&quot; · 4 Oct 2023" data-url="" data-start="0" data-end="11" '
        'data-where="passage 1 of the article, characters 0–63"><div><span class="card-n">[1]</span>'
        '<span class="card-title">&lt;b&gt;T&lt;/b&gt; &amp; &#x27;q&#x27; &quot;dq&quot;</span></div>'
        '<div class="meta">O&lt;i&gt;&amp;&#x27;&quot; · 4 Oct 2023 · no link recorded</div>'
        '<div class="passage"><mark>Coach wrote</mark> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; '
        'it&#x27;s &quot;here&quot;.\nNew line</div></div>'
    )


def test_card_links_an_http_article_and_leaves_a_bad_span_unmarked() -> None:
    chunk = _chunk("Short text.", url=" https://x.example/a?b=1&c=2 ", published_at="2023-10-04T10:00:00Z")
    card = render.format_card(2, Evidence(3, chunk, False, 5, 99))
    assert 'data-url="https://x.example/a?b=1&amp;c=2"' in card
    assert (' · <a href="https://x.example/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">'
            "original article ↗</a></div>") in card
    assert '<div class="passage">Short text.</div>' in card and "<mark>" not in card
    assert card.startswith('<div class="source-card retrieved"')


def test_only_http_urls_are_ever_linked() -> None:
    assert safe_url(" https://x.example/a ") == "https://x.example/a"
    assert safe_url("HTTP://x.example") == "HTTP://x.example"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,<b>") is None
    assert safe_url(None) is None


def test_marker_parts_and_links_escape_the_text_between_markers() -> None:
    assert render.marker_parts("A [1, 9] b [2]", {1, 2}) == ["A ", 1, "[9]", " b ", 2, ""]
    assert render.link_markers('<b>"x"</b> [1]', 2, {1}) == (
        '&lt;b&gt;&quot;x&quot;&lt;/b&gt; <a class="cite" href="#psg-2-1" title="Open passage [1]">[1]</a>'
    )


def test_streaming_answer_bubble_and_error_and_question_are_escaped() -> None:
    answer = Answer(question="q", text="Partial <b> [1", citations=[Citation(1, _chunk("x"), "x", 0, 1)])
    assert render.format_answer(answer, 3, "searched all 2 outlets") == (
        '<div class="answer"><p class="answer-text">Partial &lt;b&gt; [1</p>'
        '<p class="answer-meta">searched all 2 outlets · answering…</p></div>'
    )
    assert render.format_answer(Answer(question="q"), 1) == (
        '<div class="answer"><p class="answer-text">…</p><p class="answer-meta">answering…</p></div>'
    )
    assert render.format_error("Bad <thing> & more") == (
        '<div class="answer done"><p class="error-text">⚠️ Bad &lt;thing&gt; &amp; more</p></div>'
    )
    assert render.user_bubble("<img src=x> & 'a'") == {
        "role": "user", "content": "&lt;img src=x&gt; &amp; &#x27;a&#x27;"}


def test_sentence_without_markers_gets_its_citations_appended() -> None:
    answer = Answer(question="q", text="x", citations=[Citation(1, _chunk("x"), "x", 0, 1)], done=True,
                    sentences=[AnswerSentence("  It opened.  ", True, (1, 2))])
    assert ('<p class="answer-text">It opened. <a class="cite" href="#psg-1-1" title="Open passage [1]">[1]</a> [2]'
            "</p>") in render.format_answer(answer)


def test_sources_of_an_uncovered_answer_list_the_closest_passages_in_order() -> None:
    answer = Answer(question="q", text="The indexed articles do not cover this question.", mode=NOT_COVERED,
                    done=True)
    evidence = [Evidence(1, _chunk("first", title="One"), False, 0, 0), Evidence(2, _chunk("second", title="Two"),
                                                                               False, 0, 0)]
    html = render.format_sources(4, answer, evidence)
    assert html.startswith("<div class='view'><p class='empty'>No passage in the index answers this question. Try "
                           "other words (names, places, dates), clear the filters, or add articles and rebuild the "
                           "index.</p><h4>Closest passages found, judged not relevant enough</h4>")
    assert html.index('data-psg="4-1"') < html.index('data-psg="4-2"') and html.endswith("</div></div>")
    covered = Answer(question="q", text="…", done=False)
    assert render.format_sources(1, covered, []) == render.WORKING


def test_store_holds_copy_text_and_every_passage_escaped() -> None:
    chunk = _hostile()
    answer = Answer(question="q", text="It [1].", citations=[Citation(1, chunk, "Coach wrote", 0, 11)], done=True)
    store = render.format_store([finished_turn(2, "q", answer, "scope", [Evidence(1, chunk, True, 0, 11)])],
                                {chunk.id: chunk})
    assert store.startswith('<div class="store" data-mode="replace" data-keep="20"><div class="store-turn" '
                            'data-turn="2"><pre data-copy="2">It [1].\n\n_scope · extractive answer: verbatim '
                            "sentences from the articles_\n\n**References**\n\n[1] “Coach wrote” — "
                            "*&lt;b&gt;T&lt;/b&gt;")
    assert ('<div class="passage">Coach wrote &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; it&#x27;s '
            "&quot;here&quot;.\nNew line</div></div>") in store
    assert "<script>" not in store


def test_axis_ticks_are_weekly_monthly_or_yearly() -> None:
    assert ticks(date(2023, 10, 1), date(2023, 10, 20)) == [
        (date(2023, 10, 2), "2 Oct"), (date(2023, 10, 9), "9 Oct"), (date(2023, 10, 16), "16 Oct")]
    assert ticks(date(2023, 11, 15), date(2024, 2, 10)) == [
        (date(2023, 12, 1), "Dec 2023"), (date(2024, 1, 1), "Jan 2024"), (date(2024, 2, 1), "Feb")]
    assert [label for _, label in ticks(date(2022, 3, 1), date(2023, 6, 1))] == [
        "Apr 2022", "Jul", "Oct", "Jan 2023", "Apr"]
    assert ticks(date(2019, 6, 1), date(2022, 2, 1)) == [
        (date(2020, 1, 1), "2020"), (date(2021, 1, 1), "2021"), (date(2022, 1, 1), "2022")]


def test_quotes_with_and_without_a_named_speaker() -> None:
    quotes = [Quote("We 'did' <it>, ", "Dana <R>", 1, _hostile(), 2, 9),
              Quote("No speaker", None, 2, _chunk("x", title="Bridge & co", published_at="2023-10-04"), 0, 5)]
    assert render.format_quotes(2, quotes) == (
        "<div class='view'><p class='hint'>2 quoted statements, 1 with a named speaker. Click a marker to read the "
        "quote in its passage.</p><div class='quote'><blockquote>“We &#x27;did&#x27; &lt;it&gt;”</blockquote>"
        "<div class='who'>— <b>Dana &lt;R&gt;</b><span class='meta'>, in &lt;b&gt;T&lt;/b&gt; &amp; &#x27;q&#x27; "
        "&quot;dq&quot; (O&lt;i&gt;&amp;&#x27;&quot; · 4 Oct 2023)</span> <a class='cite' href='#psg-2-1' "
        "data-start='2' data-end='9' title='Open passage [1]'>[1]</a></div></div><div class='quote'><blockquote>“No "
        "speaker”</blockquote><div class='who'>— <b><i>speaker not named in the passage</i></b><span class='meta'>, "
        "in Bridge &amp; co (Outlet · 4 Oct 2023)</span> <a class='cite' href='#psg-2-2' data-start='0' "
        "data-end='5' title='Open passage [2]'>[2]</a></div></div></div>"
    )


def test_placeholder_of_the_empty_chat() -> None:
    assert render.placeholder(indexed=False, with_examples=False) == (
        "<h3>No index yet</h3><p>There are no articles to search. Open <b>Index</b> on the left and click "
        "<b>Rebuild index</b>, then ask a question.</p>"
    )
    assert render.placeholder(indexed=True, with_examples=False) == (
        "<h3>Ask about the news in your index</h3><p>Answers quote the articles and cite each passage.</p>"
    )
    assert render.placeholder(indexed=True, with_examples=True).endswith(
        "cite each passage. Try one of these questions, built from your corpus:</p>"
    )


def test_turns_give_the_follow_up_history_and_numbers() -> None:
    first = finished_turn(1, "When did it reopen?", Answer(question="When did it reopen?", text="On Tuesday [1]."),
                          "scope")
    second = finished_turn(2, "Who paid?", Answer(question="Who paid?", text="The city [1]."), "scope")
    assert history_pairs([first, second]) == [
        ("When did it reopen?", "On Tuesday [1]."), ("Who paid?", "The city [1].")]
    assert (next_number([]), next_number([first, second])) == (1, 3)


def test_conversation_export_heads_every_turn() -> None:
    turn = finished_turn(1, "When did it reopen?", Answer(question="q", text="On Tuesday.", done=True),
                         "searched all 2 outlets")
    markdown = conversation_markdown([turn], CorpusProfile(("A", "B"), (), None, None, 12, 40))
    lines = markdown.split("\n")
    assert lines[0] == "# News chat: conversation"
    assert lines[2].startswith("_Exported ") and lines[2].endswith(" UTC from an index of 12 articles from 2 outlets._")
    assert lines[3:] == ["", "## 1. When did it reopen?", "",
                         "On Tuesday.", "", "_searched all 2 outlets · extractive answer: verbatim sentences from the "
                         "articles_", ""]


def test_sources_fold_the_retrieved_passages_past_ten_cards_under_one_line() -> None:
    answer = Answer(question="q", text="x", done=True)
    evidence = [Evidence(n, _chunk(f"text {n}", title=f"T{n}"), n in (3, 7), 0, 0) for n in range(1, 14)]
    html = render.format_sources(2, answer, evidence)
    opened, folded = html.split("<details class='more-sources'>")
    assert [int(n) for n in re.findall(r'data-psg="2-(\d+)"', opened)] == [3, 7, 1, 2, 4, 5, 6, 8, 9, 10]
    assert "<summary>3 more retrieved passages</summary>" in folded
    assert [int(n) for n in re.findall(r'data-psg="2-(\d+)"', folded)] == [11, 12, 13]
    assert "<details" not in render.format_sources(2, answer, evidence[:10])
