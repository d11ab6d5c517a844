"""Sentence vectors: the regex split, late pooling in the embedder, the per-snapshot table, old indexes."""

from __future__ import annotations

import logging
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.answering.question import profile_question
from bot.answering.sentences import SENTENCE_FEATURES, candidate_sentences, score_candidates, weigh_terms
from bot.retrieval.retriever import Retriever
from bot.types import Hit
from index.documents import Chunk
from index.embedding import Embedder, _sentences_apart
from index.rebuild import rebuild_index
from index.sentences import (
    SentenceVectors,
    collect_sentence_vectors,
    embedding_text,
    load_sentence_vectors,
    passage_key,
    passage_spans,
    text_key,
)
from index.settings import Settings
from index.snapshot import SnapshotFiles
from index.store import open_store
from index.text import quick_sentence_spans
from tests.index_helpers import assert_clean, assert_lexical_in_step, make_corpus


def chunk(text: str, title: str = "") -> Chunk:
    return Chunk(article_id="a", n=0, text=text, start=0, end=len(text), title=title)


def test_passage_spans_point_into_the_embedded_text() -> None:
    c = chunk("One here. Two there.", title="Title")
    text = embedding_text(c)
    assert text == "Title\nOne here. Two there."
    assert [text[a:b] for a, b in passage_spans(c)] == ["One here.", "Two there."]
    assert passage_key(c) == text_key(text) != text_key(c.text)
    assert len(text_key(text)) == 20


def test_table_round_trip_first_entry_wins(tmp_path: Path) -> None:
    first = {"k1": np.array([[1.0, 0.0]]), "k2": np.array([[0.0, 1.0], [0.6, 0.8]])}
    later = {"k1": np.array([[0.0, -1.0]]), "k3": np.zeros((0, 2))}
    table = collect_sentence_vectors([first, later], dim=2)
    assert table.slots == {"k1": (0, 1), "k2": (1, 2), "k3": (3, 0)}
    table.save(tmp_path / "gen")
    loaded = load_sentence_vectors(tmp_path / "gen")
    assert loaded is not None and loaded.slots == table.slots
    np.testing.assert_array_equal(loaded.get("k1"), [[1.0, 0.0]])
    k2 = loaded.get("k2")
    assert k2 is not None
    np.testing.assert_allclose(k2, np.array([[0.0, 1.0], [0.6, 0.8]]), atol=1e-3)  # stored as float16
    assert loaded.get("k3").shape == (0, 2)  # type: ignore[union-attr]
    assert loaded.get("missing") is None and "k2" in loaded
    assert load_sentence_vectors(tmp_path / "nothing") is None


def test_passage_vectors_equal_embed_texts_and_sentences_follow_their_text(embedder: Embedder) -> None:
    texts = ["Title\nThe ferry strike ended. Workers went back on Monday.", "Short one"]
    spans = [[(6, 30), (31, 58)], [(0, 9)]]
    vectors, sentences = embedder.embed_passages(texts, spans)
    np.testing.assert_array_equal(vectors, embedder.embed_texts(texts))
    assert [s.shape for s in sentences] == [(2, 384), (1, 384)]
    np.testing.assert_allclose(np.linalg.norm(sentences[0], axis=1), [1.0, 1.0], rtol=1e-5)
    # Each sentence's vector answers best to a question about that sentence.
    questions = np.stack([embedder.embed_query("Did the ferry strike end?"),
                          embedder.embed_query("When did the workers return?")])
    similarity = sentences[0] @ questions.T
    assert similarity[0, 0] > similarity[1, 0] and similarity[1, 1] > similarity[0, 1]


def test_sentences_past_the_models_cut_get_no_vector(embedder: Embedder) -> None:
    text = " ".join(f"Sentence number {i} talks about the harbour." for i in range(60))
    spans = quick_sentence_spans(text)
    _, sentences = embedder.embed_passages([text], [spans])
    # 256 word pieces, less [CLS] and [SEP], at 8 pieces a sentence: 31 whole sentences, and part of one more.
    assert len(spans) == 60 and len(sentences[0]) == 32


def test_models_without_token_vectors_embed_sentences_apart() -> None:
    def encode(texts: list[str]) -> np.ndarray:
        return np.array([[float(len(t)), 1.0] for t in texts])

    vectors, sentences = _sentences_apart(encode)(["ab. cde.", "xyzw"], [[(0, 3), (4, 8)], [(0, 4)]])
    np.testing.assert_array_equal(vectors, [[8.0, 1.0], [4.0, 1.0]])
    np.testing.assert_array_equal(sentences[0], [[3.0, 1.0], [4.0, 1.0]])
    np.testing.assert_array_equal(sentences[1], [[4.0, 1.0]])


def test_rebuild_adds_sentence_vectors_to_an_older_index(
    tmp_path: Path, embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(corpus=make_corpus(tmp_path), store=tmp_path / "store")
    first = rebuild_index(settings, embedder)
    assert_lexical_in_step(settings)
    store = open_store(settings.store)
    active = store.require_active()
    files = SnapshotFiles(settings.store)
    table = files.load_sentences(active.name)
    assert table is not None and len(table.slots) == first.chunks == 37
    shutil.rmtree(files.sentences_dir(active.name))  # as an index built before sentence vectors

    with caplog.at_level(logging.WARNING, logger="bot.retrieval"):
        retriever = Retriever(settings, embedder)
    assert (f"has no usable sentence vectors (there are none in {files.sentences_dir(active.name)}: the folder was "
            "deleted, or the index was built by an older version or from another folder)") in caplog.text
    assert "python -m index rebuild" in caplog.text
    assert retriever.retrieve("ferry strike", k=3)  # still answers, ranking without them

    again = rebuild_index(settings, embedder)
    assert not again.changed and again.embedded_chunks == 37
    assert retriever.snapshot.sentences is None
    retriever.retrieve("ferry strike", k=3)
    sentences = retriever.snapshot.sentences
    assert sentences is not None and len(sentences.slots) == 37  # picked up, no restart
    assert again.note == ("added the sentence vectors the ranker uses to this index (they were missing: deleted, "
                          "never written in this cache folder, or built by an older version)")
    assert store.active_name() == active.name
    assert_lexical_in_step(settings)
    assert_clean(settings)
    assert rebuild_index(settings, embedder).embedded_chunks == 0  # complete now


def test_a_sentence_is_pooled_over_the_stored_sentences_it_overlaps() -> None:
    # The quick rule of the index splits after "p.m."; the answer's splitter keeps it in its sentence.
    text = ("The council met at 7 p.m. Tuesday to vote on the budget plan. "
            "It passed by six votes to three after a long debate. Residents spoke for an hour.")
    chunk = Chunk("a", 0, text, 0, len(text), "Budget vote")
    quick = quick_sentence_spans(text)
    rows = np.eye(len(quick), 4, dtype=np.float32)
    assert [text[a:b] for a, b in quick][:2] == ["The council met at 7 p.m.", "Tuesday to vote on the budget plan."]
    candidates = candidate_sentences([Hit(chunk, 1.0)])
    assert [c.text for c in candidates] == [
        "The council met at 7 p.m. Tuesday to vote on the budget plan.",
        "It passed by six votes to three after a long debate.",
        "Residents spoke for an hour.",
    ]

    def table(vectors: np.ndarray) -> SentenceVectors:
        return collect_sentence_vectors([{passage_key(chunk): vectors}], 4)

    sentences = [(chunk, c.start, c.end) for c in candidates]
    first, second, third = table(rows).pooled(sentences)
    assert first is not None and second is not None and third is not None
    np.testing.assert_allclose(first, [2 ** -0.5, 2 ** -0.5, 0, 0], atol=1e-6)  # both quick sentences, pooled
    np.testing.assert_allclose(second, [0, 0, 1, 0], atol=1e-6)
    np.testing.assert_allclose(third, [0, 0, 0, 1], atol=1e-6)
    # Past the model's cut the index has fewer rows than sentences; without rows there is nothing to pool.
    assert [v is None for v in table(rows[:3]).pooled(sentences)] == [False, False, True]
    other = replace(chunk, article_id="b", text="Another passage, never indexed.")
    assert table(rows).pooled([(other, 0, 20)]) == [None]  # the table has no rows for that passage


def test_a_why_question_reads_citing_and_arguing_as_giving_a_reason(embedder: Embedder) -> None:
    reason = "The board fired Sam Altman on Friday, arguing that he had not been consistently candid."
    fact = "Sam Altman was fired as chief executive of OpenAI on Friday."
    text = f"{fact} {reason}"
    candidates = candidate_sentences([Hit(chunk(text, "Altman fired"), 1.0)])
    scored = score_candidates(profile_question("Why was Sam Altman fired?"), candidates, embedder)
    causal = SENTENCE_FEATURES.index("causal")
    assert {c.text: c.features[causal] for c in scored} == {fact: 0.0, reason: 1.0}


def test_an_acronym_carries_the_name_the_question_writes_out_and_since_dates_no_other_year(
        embedder: Embedder) -> None:
    chair = "Amongst the news confirmed by HSF today is that its Chair of the board since 2018, Andrew Sutch, 73, " \
            "is stepping down."
    other = "In 2019 the music rights fund bought catalogues."
    candidates = candidate_sentences([Hit(chunk(f"{chair} {other}", "Chair to step down"), 1.0)])
    profile = profile_question("How old is the Hipgnosis Songs Fund board chair who announced in September 2023 "
                               "that he would step down?")
    scored = {c.text: c for c in score_candidates(profile, candidates, embedder)}
    agrees, conflicts = (SENTENCE_FEATURES.index(f) for f in ("agrees", "conflicts"))
    # hipgnosi, song and fund are carried by "HSF" (the rest: board, chair, step, down)
    weights = weigh_terms(profile.terms, None, profile.uncommon)
    carried = ("hipgnosi", "song", "fund", "board", "chair", "step", "down")
    assert scored[chair].overlap == pytest.approx(sum(weights[t] for t in carried) / sum(weights.values()))
    assert [s.text for s in scored[chair].answers] == ["73"]
    assert (scored[chair].features[agrees], scored[chair].features[conflicts]) == (0.0, 0.0)  # "since 2018"
    assert (scored[other].features[agrees], scored[other].features[conflicts]) == (0.0, 1.0)
