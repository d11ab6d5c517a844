"""The extractive answerer: verbatim cited sentences from the right article, or 'not covered'."""

from __future__ import annotations

import numpy as np
import pytest

from bot.answering.gate import NOT_COVERED_TEXT
from bot.answering.sentences import EMBEDDED_CANDIDATES, candidate_sentences, score_candidates
from bot.engine import ChatEngine
from bot.types import EXTRACTIVE, NOT_COVERED
from index.embedding import Embedder
from index.loaders import load_articles
from index.rebuild import RebuildReport
from index.settings import Settings
from tests.conftest import FIXTURE_CORPUS


@pytest.fixture(scope="module")
def engine(fixture_index: tuple[Settings, RebuildReport], embedder: Embedder) -> ChatEngine:
    settings, _ = fixture_index
    return ChatEngine(settings, embedder)


def test_answer_cites_the_right_article_verbatim(engine: ChatEngine) -> None:
    answer = engine.answer("How much did the Harbor Bridge repair cost?")
    assert answer.mode == EXTRACTIVE
    assert answer.citations[0].chunk.title == "Harbor Bridge reopens after 14-month repair"
    assert answer.citations[0].quote == (
        "The Harbor Bridge in Port Elling reopened to traffic on Tuesday after a 14-month repair that cost "
        "82 million dollars."
    )
    bodies = {a.id: a.body for a in load_articles(FIXTURE_CORPUS).articles}
    for c in answer.citations:
        assert c.passage[c.quote_start:c.quote_end] == c.quote
        body = bodies[c.chunk.article_id]
        assert body[c.chunk.start + c.quote_start:c.chunk.start + c.quote_end] == c.quote
        assert f"[{c.n}]" in answer.text
    assert [s.citations for s in answer.sentences] == [(c.n,) for c in answer.citations]
    assert all(s.supported for s in answer.sentences)


def test_answer_is_streamed_sentence_by_sentence(engine: ChatEngine) -> None:
    parts = list(engine.stream_answer("What did Mayor Dana Reyes say about the bridge?"))
    assert parts[-1].done and not any(p.done for p in parts[:-1])
    lengths = [len(p.text) for p in parts]
    assert lengths == sorted(lengths) and lengths[0] < lengths[-1]
    assert any("Reyes said" in c.quote for c in parts[-1].citations)


@pytest.mark.parametrize(
    "question",
    ["What is the boiling point of mercury?", "Who won the 1954 football World Cup?"],
)
def test_unrelated_question_is_not_covered(engine: ChatEngine, question: str) -> None:
    answer = engine.answer(question)
    assert answer.mode == NOT_COVERED
    assert answer.text == NOT_COVERED_TEXT
    assert answer.citations == [] and answer.sentences == []


def test_json_shape(engine: ChatEngine) -> None:
    data = engine.answer("Who set the Melbourne Marathon course record?").to_json()
    assert set(data) >= {"answer", "citations", "sentences"}
    citation = data["citations"][0]
    assert set(citation) >= {"n", "article_id", "title", "outlet", "url", "published_at", "passage", "quote"}
    assert citation["title"] == "Course record falls at the Melbourne Marathon"
    assert citation["quote"] in citation["passage"]


def test_sentence_vectors_are_cached_and_equal_to_fresh_ones(
    embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = ["The bridge reopened on Tuesday after repairs.", "Goalkeeper Tomas Berg saved 41 shots."]
    fresh = embedder.embed_texts(texts)
    first = embedder.embed_cached([texts[0], texts[1], texts[0]])
    assert np.allclose(first, fresh[[0, 1, 0]], atol=1e-5)
    asked: list[list[str]] = []
    monkeypatch.setattr(embedder, "embed_texts", lambda batch: asked.append(list(batch)))
    again = embedder.embed_cached(texts)
    assert asked == []
    assert np.array_equal(again, first[:2])


def test_only_the_best_looking_sentences_are_embedded(
    embedder: Embedder, fixture_index: tuple[Settings, RebuildReport]
) -> None:
    settings, _ = fixture_index
    engine = ChatEngine(settings, embedder=embedder)
    hits = engine.retriever.retrieve("What did the council decide about the bridge repair budget?", 6)
    candidates = candidate_sentences(hits)
    assert len(candidates) > EMBEDDED_CANDIDATES
    scored = score_candidates("What did the council decide about the bridge repair budget?", candidates, embedder)
    assert len(scored) == EMBEDDED_CANDIDATES
    assert [c.score for c in scored] == sorted((c.score for c in scored), reverse=True)
