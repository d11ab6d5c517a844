"""Retrieval: the right article first for known questions, filters respected, rebuilds picked up."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.retrieval import dense as dense_module
from bot.retrieval import fusion
from bot.retrieval.filters import Filters
from bot.retrieval.fusion import spread_over_articles
from bot.retrieval.retriever import Retriever
from bot.types import Hit
from index.collection import ChunkCollection
from index.documents import timestamp_of
from index.embedding import Embedder
from index.rebuild import RebuildReport, rebuild_index
from index.settings import Settings
from tests.conftest import FIXTURE_CORPUS


@pytest.fixture(scope="module")
def retriever(fixture_index: tuple[Settings, RebuildReport], embedder: Embedder) -> Retriever:
    settings, _ = fixture_index
    return Retriever(settings, embedder)


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("How much did the Harbor Bridge repair cost?", "Harbor Bridge reopens after 14-month repair"),
        ("How much ice did Swiss glaciers lose in 2023?", "Alpine glaciers lost 4 percent of their volume in 2023"),
        ("Who beat the world chess champion in Oslo?", "Teenager stuns world champion in Oslo"),
        ("How much money did Lumora raise?", "Lumora raises $40 million to recycle electric-car batteries"),
        ("What was the score of the hockey final?", "Riverton Rockets win the championship"),
    ],
)
def test_known_question_ranks_its_article_first(retriever: Retriever, question: str, title: str) -> None:
    hits = retriever.retrieve(question, k=3)
    assert hits[0].chunk.title == title
    assert [h.rank for h in hits] == [1, 2, 3]
    assert hits[0].score >= hits[1].score >= hits[2].score


def test_source_filter_is_respected(retriever: Retriever) -> None:
    hits = retriever.retrieve("battery", k=5, filters=Filters(outlets=("The Verge",)))
    assert {h.chunk.outlet for h in hits} == {"The Verge"}
    assert hits[0].chunk.title == "Orbit X2 review: a great battery and a dim screen"


def test_date_filter_is_respected(retriever: Retriever) -> None:
    start, end = timestamp_of("2023-11-01"), timestamp_of("2023-11-30T23:59:59")
    hits = retriever.retrieve("news", k=10, filters=Filters(date_from=start, date_to=end))
    assert sorted(h.chunk.title for h in hits) == [
        "Lumora raises $40 million to recycle electric-car batteries",
        "Orbit X2 review: a great battery and a dim screen",
        "Teenager stuns world champion in Oslo",
    ]


def test_category_filter(retriever: Retriever) -> None:
    hits = retriever.retrieve("record", k=10, filters=Filters(categories=("sports",)))
    assert {h.chunk.category for h in hits} == {"sports"}
    assert len(hits) == 2


def test_filters_to_where() -> None:
    assert Filters().to_where() is None
    assert Filters(outlets=("A",)).to_where() == {"source": {"$in": ["A"]}}
    assert Filters(outlets=("A",), date_from=5).to_where() == {
        "$and": [{"source": {"$in": ["A"]}}, {"published_ts": {"$gte": 5}}]
    }


def test_retriever_picks_up_a_finished_rebuild(tmp_path: Path, embedder: Embedder) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    settings = Settings(corpus=corpus, store=tmp_path / "store")
    rebuild_index(settings, embedder)
    live = Retriever(settings, embedder)
    assert live.retrieve("ferry strike in Port Elling", k=1)[0].chunk.title != "Ferry strike ends"
    (corpus / "ferry.md").write_text("# Ferry strike ends\n\nFerry workers in Port Elling ended a two-day strike.\n")
    rebuild_index(settings, embedder)
    assert live.retrieve("ferry strike in Port Elling", k=1)[0].chunk.title == "Ferry strike ends"


FILTERED = [
    ("battery", Filters(outlets=("The Verge",))),
    ("news", Filters(date_from=timestamp_of("2023-11-01"), date_to=timestamp_of("2023-11-30T23:59:59"))),
    ("What was reported on October 15, 2023 about the record?", Filters()),  # the question's dates filter a slot
]


def _filtered(retriever: Retriever) -> list[list[tuple[str, float]]]:
    return [[(h.chunk.id, h.score) for h in retriever.retrieve(q, k=5, filters=f)] for q, f in FILTERED]


@pytest.mark.parametrize("path", ["in-memory", "exact", "unfiltered-deeper"])
def test_every_path_of_filtered_search_matches_chromas_filter(
    fixture_index: tuple[Settings, RebuildReport], embedder: Embedder, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    settings, _ = fixture_index
    wheres: list[object] = []
    query = ChunkCollection.query

    def spy(self: ChunkCollection, vector: object, k: int, where: object = None) -> object:
        wheres.append(where)
        return query(self, vector, k, where)  # type: ignore[arg-type]

    monkeypatch.setattr(ChunkCollection, "query", spy)
    monkeypatch.setattr(dense_module, "MEMORY_LIMIT", 0)  # the 7-chunk index searched in Chroma
    expected = _filtered(Retriever(settings, embedder))
    assert len(wheres) == 4 and sum(w is not None for w in wheres) == 3  # Chroma's filter on three searches
    wheres.clear()
    if path == "in-memory":
        monkeypatch.setattr(dense_module, "MEMORY_LIMIT", 7)
    else:  # make the fixture index count as large, so filtered searches skip Chroma's `where`
        monkeypatch.setattr(dense_module, "CHROMA_FILTER_MAX", 0)
        if path == "unfiltered-deeper":
            monkeypatch.setattr(dense_module, "EXACT_LIMIT", 0)
    got = _filtered(Retriever(settings, embedder))
    assert [[cid for cid, _ in hits] for hits in got] == [[cid for cid, _ in hits] for hits in expected]
    # The same fused scores (cosines computed here rather than read from Chroma's float32 distances).
    assert [[score for _, score in hits] for hits in got] == [
        [pytest.approx(score, abs=1e-5) for _, score in hits] for hits in expected]
    assert [w is None for w in wheres] == [True] * len(wheres)
    # Four dense searches, three of them filtered: in memory none reaches Chroma; the exact path scores those
    # allowed chunks itself, the other queries Chroma unfiltered and keeps the allowed chunks.
    assert len(wheres) == {"in-memory": 0, "exact": 1, "unfiltered-deeper": 4}[path]


def test_outlet_named_in_question_is_preferred(retriever: Retriever) -> None:
    hits = retriever.retrieve("According to The Verge, how long does a battery charge last?", k=2)
    assert hits[0].chunk.outlet == "The Verge"


def test_date_named_in_question_is_preferred(retriever: Retriever) -> None:
    hits = retriever.retrieve("What was reported on October 15, 2023 about the record?", k=1)
    assert hits[0].chunk.title == "Course record falls at the Melbourne Marathon"


def test_multi_hop_question_gives_each_part_a_slot(retriever: Retriever) -> None:
    question = (
        "Did the TechCrunch article report that a recycling startup raised money, while the Sporting News "
        "article reported that a goalkeeper was named most valuable player?"
    )
    hits = retriever.retrieve(question, k=2)
    assert {h.chunk.title for h in hits} == {
        "Lumora raises $40 million to recycle electric-car batteries",
        "Riverton Rockets win the championship",
    }


def test_plan_uses_the_index_outlets(retriever: Retriever) -> None:
    plan = retriever.plan("Did The Age and Board Gazette both cover sport in December?")
    assert plan.outlets == {"The Age", "Board Gazette"}
    assert retriever.default_year == 2023


def test_spread_over_articles_defers_passages_past_an_articles_share() -> None:
    articles = ["a", "a", "a", "b", "a", "c"]
    # k=5: at most ceil(0.4 * 5) = 2 places per article while others remain; nothing is dropped.
    assert spread_over_articles(range(6), articles, 5) == [0, 1, 3, 5, 2, 4]
    assert spread_over_articles([4, 3, 2, 1, 0, 5], articles, 4) == [4, 3, 2, 5, 1, 0]
    assert spread_over_articles([4, 3, 2, 1, 0, 5], articles, 10) == [4, 3, 2, 1, 0, 5]  # 4 of 10 allowed
    assert spread_over_articles([0, 1, 2], ["a", "a", "a"], 2) == [0, 1, 2]


def test_one_article_cannot_fill_the_top_k(tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    # 40-token chunks split the Harbor Bridge article into several passages that all match the question.
    settings = Settings(corpus=FIXTURE_CORPUS, store=tmp_path / "store", chunk_tokens=40, chunk_overlap=0)
    rebuild_index(settings, embedder)
    live = Retriever(settings, embedder)
    question = "Harbor Bridge repair in Port Elling: cost, cables, ribbon, detours, ferries and the audit"
    bridge = "Harbor Bridge reopens after 14-month repair"
    bridge_chunks = sum(1 for s in live.collection.iter_all() if s.chunk.title == bridge)
    assert bridge_chunks == 5

    def titles(k: int) -> list[str]:
        return [h.chunk.title for h in live.retrieve(question, k=k)]

    assert titles(5).count(bridge) == 2
    assert titles(5)[:2] == [bridge, bridge]
    assert titles(30).count(bridge) == bridge_chunks  # deferred, not dropped
    monkeypatch.setattr(fusion, "MAX_ARTICLE_SHARE", 1.0)
    assert titles(5).count(bridge) > 2  # without the cap the article takes more of the places


def _words(hits: list[Hit]) -> int:
    return sum(len(h.chunk.text.split()) for h in hits)


def test_short_hits_are_followed_by_more_until_they_hold_the_words_asked(retriever: Retriever) -> None:
    question = "How much money did Lumora raise?"
    first = retriever.retrieve(question, k=2)
    assert len(first) == 2
    assert retriever.retrieve(question, k=2, words=_words(first)) == first  # enough words already: k hits
    every = retriever.retrieve(question, k=2, words=10**6)
    assert len(every) == retriever.collection.count()  # never enough: every candidate, none twice
    assert len({h.chunk.id for h in every}) == len(every)
    assert [h.rank for h in every] == list(range(1, len(every) + 1))
    # One word more than the first two hold: the next hit in the same order, then stop.
    third = retriever.retrieve(question, k=2, words=_words(first) + 1)
    assert third == every[:3]
    assert every[:2] == first
