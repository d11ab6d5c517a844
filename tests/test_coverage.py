"""A topic's coverage (bot.views.coverage) on a corpus where seven articles from three outlets over four weeks are
on one topic: more articles than the answer cites, counted per outlet and week, one prose statement per outlet."""

from __future__ import annotations

from datetime import date

import pytest

from bot.engine import ChatEngine
from bot.retrieval.filters import Filters
from bot.views.coverage import (
    Coverage,
    OutletCoverage,
    TopicArticle,
    TopicStatement,
    topic_coverage,
    topic_filters,
    week_of,
)
from bot.views.evidence import Evidence, gather_evidence
from bot.web.coverage_view import format_topic_compare, format_topic_timeline
from index.documents import Chunk, timestamp_of
from index.embedding import Embedder
from index.rebuild import rebuild_index
from index.sentence_kinds import SentenceKind, sentence_key, sentence_kind
from index.settings import Settings
from tests.coverage_corpus import ON_TOPIC, TOPIC_QUESTION, write_corpus

TOPIC_TITLES = sorted(title for _, title, *_ in ON_TOPIC)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> ChatEngine:
    base = tmp_path_factory.mktemp("coverage")
    # Passages of at most 60 tokens (every article here is one): an answer reads as much text as top_k=3 such
    # passages hold, 135 words, which is five of these ~33-word articles.
    settings = Settings(corpus=write_corpus(base / "corpus"), store=base / "index", top_k=3, chunk_tokens=60,
                        chunk_overlap=10)
    rebuild_index(settings, embedder)
    return ChatEngine(settings, embedder)


@pytest.fixture(scope="module")
def answered(engine: ChatEngine) -> tuple[list[Evidence], Coverage]:
    evidence = gather_evidence(engine.answer(TOPIC_QUESTION))
    return evidence, topic_coverage(engine.retriever, TOPIC_QUESTION, Filters(), evidence)


def test_topic_timeline_counts_every_topic_article_per_outlet_and_week(
    answered: tuple[list[Evidence], Coverage],
) -> None:
    evidence, coverage = answered
    cited = {ev.chunk.article_id for ev in evidence if ev.cited}
    read = {ev.chunk.article_id for ev in evidence}
    assert len(cited) == 1 and len(read) == 5  # the answer reads five passages (see `engine`) and cites one
    assert sorted(a.title for a in coverage.articles) == TOPIC_TITLES  # all seven, none of the 24 others
    assert sum(a.cited for a in coverage.articles) == 1 and coverage.answer_articles == 5
    assert [a.day for a in coverage.articles] == sorted(date.fromisoformat(d) for *_, d, _ in ON_TOPIC)
    assert [(o.outlet, len(o.articles)) for o in coverage.outlets] == [
        ("Valley Gazette", 3), ("Hill Courier", 2), ("River Post", 2)]
    assert {o.outlet: o.weeks for o in coverage.outlets} == {
        "Valley Gazette": ((date(2023, 10, 2), 2), (date(2023, 10, 16), 1)),
        "Hill Courier": ((date(2023, 10, 9), 2),),
        "River Post": ((date(2023, 10, 16), 1), (date(2023, 10, 23), 1)),
    }
    assert coverage.weeks == ((date(2023, 10, 2), 2), (date(2023, 10, 9), 2), (date(2023, 10, 16), 2),
                              (date(2023, 10, 23), 1))
    # The two articles the answer did not read are numbered after its passages and held by the view itself.
    numbers = {ev.n for ev in evidence}
    unread = sorted(a.n for a in coverage.articles if not a.in_answer)
    assert unread == list(range(max(numbers) + 1, max(numbers) + 3))
    assert {n for n, _ in coverage.held} >= set(unread) and not {n for n, _ in coverage.held} & numbers


def test_topic_compare_one_prose_statement_per_outlet_never_repeated(answered: tuple[list[Evidence], Coverage]) -> None:
    _, coverage = answered
    statements = [o.statement for o in coverage.outlets]
    assert all(st is not None for st in statements)
    texts = [st.text for st in statements if st is not None]
    assert len({sentence_key(t) for t in texts}) == 3
    assert all(sentence_kind(t) == SentenceKind.PROSE for t in texts)
    for outlet, st in zip(coverage.outlets, statements):
        assert st is not None and st.article.outlet == outlet.outlet and st.chunk.text[st.start:st.end] in st.text
    assert [st.text for st in statements if st is not None] == [
        "Engineers will lower the reservoir by four metres while the cracked wall of the dam is rebuilt.",
        "Stonebridge Works won the contract for the Lakeview dam repair after bidding 38 million dollars.",
        "The county said the repair of the dam is on budget at 40 million dollars.",
    ]


def test_the_question_s_outlets_and_the_page_filters_narrow_the_topic(engine: ChatEngine) -> None:
    named = topic_coverage(engine.retriever, "What did the River Post report about the Lakeview dam repair?",
                           Filters())
    assert [(o.outlet, len(o.articles)) for o in named.outlets] == [("River Post", 2)]
    october = Filters(date_from=timestamp_of("2023-10-10"), date_to=timestamp_of("2023-10-20"))
    narrowed = topic_coverage(engine.retriever, TOPIC_QUESTION, october)
    assert sorted(a.title for a in narrowed.articles) == [
        "Builder chosen for the Lakeview dam repair", "County votes to fund the Lakeview dam repair",
        "Farmers worry about water during the Lakeview dam repair", "Lakeview reservoir lowered for the dam repair"]
    assert topic_filters(Filters(outlets=("Hill Courier",)), frozenset({"River Post"}), ()) is None


def test_week_of_is_the_monday() -> None:
    assert week_of(date(2023, 10, 19)) == date(2023, 10, 16) == week_of(date(2023, 10, 16))


def test_the_views_label_every_outlet_and_link_every_article(answered: tuple[list[Evidence], Coverage]) -> None:
    _, coverage = answered
    timeline = format_topic_timeline(4, coverage)
    for outlet in ("Valley Gazette", "Hill Courier", "River Post"):
        assert f">{outlet}</div>" in timeline
    assert timeline.count("class='tl-dot ") == 7 and timeline.count("class='tl-dot cited'") == 1
    assert "Articles per week" in timeline and "<b>2</b>" in timeline
    for n, _ in coverage.held:
        assert f'data-psg="4-{n}"' in timeline
    compare = format_topic_compare(4, coverage)
    assert compare.count("class='topic-col'") == 3 and compare.count("class='cite'") == 3
    assert format_topic_timeline(4, None) == format_topic_compare(4, None)


def test_article_text_is_escaped_in_the_topic_views() -> None:
    hostile = Chunk("h1", 0, "<script>alert(1)</script> The dam was repaired by the county in a year.", 0, 70,
                    title="<b>T</b>", outlet="O<i>&'\"", published_at="2023-10-04T08:00:00Z",
                    url="javascript:alert(1)")
    article = TopicArticle("h", "<b>T</b>", "O<i>&'\"", date(2023, 10, 4), hostile.url, 2, hostile, 0, 0, 1.0, False,
                           False)
    statement = TopicStatement(article, 2, hostile, 26, 70, 0.5)
    coverage = Coverage("q", (article,), (OutletCoverage("O<i>&'\"", (article,), ((date(2023, 10, 2), 1),),
                                                         statement),), ((date(2023, 10, 2), 1),), 5, 0.1,
                        ((2, hostile),))
    for html in (format_topic_timeline(1, coverage), format_topic_compare(1, coverage)):
        assert "<script>" not in html and "<b>T</b>" not in html and "<i>" not in html
        assert "&lt;script&gt;" in html and "O&lt;i&gt;&amp;&#x27;&quot;" in html and "javascript:" not in html
        assert 'data-psg="1-2"' in html
