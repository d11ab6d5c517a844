"""The full-article reader's data (an article read back from the index, its cited spans, the reader's HTML) and the
scope line that says what the question itself named."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from bot.engine import ChatEngine
from bot.retrieval.filters import Filters
from bot.types import AnswerSentence
from bot.views.article import Article, article_spans, read_article, stitch
from bot.views.evidence import gather_evidence
from bot.views.scope import (
    describe_scope,
    mark_outside,
    outside_question,
    profile_fields,
    question_scope,
    range_label,
)
from bot.web.reader import open_article, parse_request, reader_view
from bot.web.render import format_sources
from bot.web.state import PassageRef, Turn
from index.collection import ChunkCollection
from index.embedding import Embedder
from index.rebuild import RebuildReport, rebuild_index
from index.settings import Settings
from index.store import open_store
from tests.conftest import FIXTURE_CORPUS

HARBOR = "a901a6fe0cbd66c9"  # the article id of harbor-bridge.md (a hash of its path and content)
HARBOR_BODY = (FIXTURE_CORPUS / "harbor-bridge.md").read_text(encoding="utf-8").split("---\n", 2)[2].strip()


@pytest.fixture(scope="module")
def small_chunks(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> ChunkCollection:
    """The fixture corpus indexed in 40-token chunks overlapping by 10, so an article has several, some overlapping."""
    store = tmp_path_factory.mktemp("reader-index")
    rebuild_index(Settings(corpus=FIXTURE_CORPUS, store=store, chunk_tokens=40, chunk_overlap=10), embedder)
    return open_store(store).require_active()


def test_an_article_is_read_back_whole_from_its_chunks(small_chunks: ChunkCollection) -> None:
    article = read_article(small_chunks, HARBOR)
    assert article is not None
    assert article.title == "Harbor Bridge reopens after 14-month repair"
    assert (article.outlet, article.published_at) == ("Coastal Courier", "2023-10-04T09:30:00+00:00")
    assert article.url == "https://coastal-courier.example/2023/10/04/harbor-bridge-reopens"
    assert article.text == HARBOR_BODY  # overlaps kept once, paragraph breaks put back
    assert article.chunks == {0: (0, 117), 1: (118, 224), 2: (184, 330), 3: (332, 505), 4: (507, 665)}
    assert not article.truncated
    for chunk in small_chunks.get([f"{HARBOR}:{n}" for n in range(5)]):
        assert article.text[chunk.start:chunk.end] == chunk.text


def test_a_long_article_is_cut_at_the_bound_and_says_so(small_chunks: ChunkCollection) -> None:
    article = read_article(small_chunks, HARBOR, limit=2)
    assert article is not None and article.truncated
    assert article.text == HARBOR_BODY[:224]
    assert read_article(small_chunks, "no-such-article") is None


def test_cited_spans_are_placed_in_the_article_and_merged() -> None:
    article = Article("a", "T", None, None, None, "Alpha beta. Gamma delta. Epsilon.", {0: (0, 12), 1: (12, 33)},
                      False)
    spans = article_spans(article, [(1, 0, 5), (0, 6, 11), (7, 0, 3), (1, 5, 999)], [(1, "delta"), (0, "nowhere")])
    assert spans == [(6, 11), (12, 17), (18, 23)]
    assert [article.text[a:b] for a, b in spans] == ["beta.", "Gamma", "delta"]
    assert article_spans(article, [(0, 0, 5), (0, 3, 8)]) == [(0, 8)]


def test_stitching_keeps_overlaps_once() -> None:
    from index.documents import Chunk

    body = "one two three four five six"
    chunks = [Chunk("x", 1, body[8:23], 8, 23, "T"), Chunk("x", 0, body[0:13], 0, 13, "T"),
              Chunk("x", 2, body[24:], 24, len(body), "T")]
    assert stitch(chunks).text == body


def _turn(chunk_n: int = 2, start: int = 0, end: int = 0) -> Turn:
    sentence = AnswerSentence("It cost 82 million dollars.", True, citations=(1,), quotes=("82 million dollars",))
    return Turn(3, "How much?", "It cost 82 million dollars. [1]", "extractive", "", sentences=(sentence,),
                passages=(PassageRef(1, f"{HARBOR}:0", True, 0, 33), PassageRef(2, f"{HARBOR}:{chunk_n}", False,
                                                                                 start, end),
                          PassageRef(3, "other:0", True, 0, 5)))


def test_the_reader_marks_every_cited_span_and_focuses_the_clicked_one(small_chunks: ChunkCollection) -> None:
    article = read_article(small_chunks, HARBOR)
    assert article is not None
    request = parse_request("3-1:4:15:abc")
    assert request is not None and (request.turn, request.n, request.start, request.end) == (3, 1, 4, 15)
    html = reader_view(article, _turn(), _turn().passages[0], request)
    assert 'data-request="3-1:4:15:abc"' in html
    # [1]'s quote (0-33 of chunk 0) and the sentence's quote; [2] is not cited, [3] is another article. The
    # marker asked for 4-15 of the passage: that piece of the first mark is the one scrolled into view.
    assert re.findall(r"<mark[^>]*>[^<]*</mark>", html) == [
        "<mark>The </mark>", '<mark id="reader-focus">Harbor Brid</mark>', "<mark>ge in Port Elling </mark>",
        "<mark>82 million dollars</mark>"]
    assert "2 spans cited by this answer highlighted (markers [1])" in html
    assert 'href="https://coastal-courier.example/2023/10/04/harbor-bridge-reopens"' in html
    # the clicked passage (chunk 0) is outlined, and nothing after it
    assert html.split("</mark></span>")[-1].startswith('<span class="rd-passage">.</span> Engineers replaced')
    assert html.count('<span class="rd-passage">') == 6

def test_an_uncited_passage_focuses_its_whole_text(small_chunks: ChunkCollection) -> None:
    article = read_article(small_chunks, HARBOR)
    assert article is not None
    request = parse_request("3-2:x1")
    assert request is not None
    html = reader_view(article, _turn(chunk_n=3), _turn(chunk_n=3).passages[1], request)
    assert f'<span class="rd-passage"><span id="reader-focus">{article.text[332:505]}</span></span>' in html.replace(
        "&quot;", '"').replace("&#x27;", "'")


def test_bad_requests_and_unknown_turns_say_why() -> None:
    assert parse_request("3-1<script>") is None
    assert parse_request("") is None

    class NoApp:
        engine = None

    assert open_article(NoApp(), "junk", []) == ""  # type: ignore[arg-type]
    html = open_article(NoApp(), "9-1:n", [_turn()])  # type: ignore[arg-type]
    assert "This answer is no longer loaded" in html and 'data-request="9-1:n"' in html
    html = open_article(NoApp(), "3-1:n", [_turn()])  # type: ignore[arg-type]
    assert "There is no index to read the article from" in html


def test_range_labels() -> None:
    day = 86400
    nov1 = 1698796800
    assert range_label((nov1, nov1 + 30 * day - 1)) == "Nov 2023"
    assert range_label((nov1 + 3 * day, nov1 + 6 * day - 1)) == "4–6 Nov 2023"
    assert range_label((nov1 + 29 * day, nov1 + 32 * day - 1)) == "30 Nov–2 Dec 2023"
    assert range_label((0, nov1 - 1)) == "until 31 Oct 2023"
    assert range_label((nov1, 2**40)) == "from 1 Nov 2023"


def test_the_scope_line_names_what_the_question_set(fixture_index: tuple[Settings, RebuildReport]) -> None:
    settings, _ = fixture_index
    engine = ChatEngine(settings.without_llm())
    profile = profile_fields(engine.retriever.chunk_fields)
    question = "Who did the Rockets beat in the final, according to Sporting News in December 2023?"
    plan = engine.retriever.plan(question)
    assert question_scope(plan) == "Sporting News, Dec 2023"
    assert describe_scope(Filters(), profile, plan) == (
        "searched all 6 outlets, Oct–Dec 2023; from your question: Sporting News, Dec 2023")
    assert describe_scope(Filters(outlets=("The Age",)), profile, engine.retriever.plan("Who won the final?")) == (
        "searched 1 of 6 outlets (The Age), Oct–Dec 2023")
    answer = engine.answer(question)
    assert answer.text.startswith("**Lakeside Loons** [1]")
    evidence = mark_outside(gather_evidence(answer), plan)
    # the cited passage is the question's; the other six retrieved ones (the whole small corpus) are marked
    assert [(ev.cited, ev.chunk.outlet, ev.outside) for ev in evidence] == [
        (True, "Sporting News", ""),
        *[(False, ev.chunk.outlet, "outside your question's scope (Sporting News, Dec 2023): another outlet")
          for ev in evidence[1:]],
    ]
    assert len(evidence) == 7 and "Sporting News" not in {ev.chunk.outlet for ev in evidence[1:]}
    late = replace(evidence[0].chunk, published_at="2023-11-30T23:00:00+00:00")
    assert outside_question(late, plan) == "outside your question's scope (Sporting News, Dec 2023): another date"
    undated = replace(evidence[0].chunk, published_at=None)
    assert outside_question(undated, plan) == (
        "outside your question's scope (Sporting News, Dec 2023): no date recorded")
    html = format_sources(1, answer, evidence)
    assert html.count('<div class="outside-scope">⚠ outside your question&#x27;s scope') == 6
