"""The extractive answerer: the short answer first, verbatim cited sentences, or not covered."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.answering import gate
from bot.answering.gate import NOT_COVERED_TEXT
from bot.answering.question import profile_question
from bot.answering.sentences import EMBEDDED_CANDIDATES, candidate_sentences, score_candidates
from bot.engine import ChatEngine, answer_words
from bot.types import EXTRACTIVE, NOT_COVERED, Answer
from index.embedding import Embedder
from index.loaders import load_articles
from index.rebuild import RebuildReport, rebuild_index
from index.settings import Settings
from tests.conftest import FIXTURE_CORPUS, ROOT

ANSWERS_CORPUS = ROOT / "tests" / "fixtures" / "answers_corpus"
BRIDGE_FIRST = (
    "The Harbor Bridge in Port Elling reopened to traffic on Tuesday after a 14-month repair that cost "
    "82 million dollars."
)


@pytest.fixture(scope="module")
def engine(fixture_index: tuple[Settings, RebuildReport], embedder: Embedder) -> ChatEngine:
    settings, _ = fixture_index
    return ChatEngine(settings, embedder)


@pytest.fixture(scope="module")
def answers_engine(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> ChatEngine:
    """An index of a few articles made to test the answer's mechanisms (captions, years, surnames, a day's news)."""
    store = tmp_path_factory.mktemp("answers-index")
    settings = Settings(corpus=ANSWERS_CORPUS, store=Path(store))
    rebuild_index(settings, embedder)
    return ChatEngine(settings, embedder)


def test_answer_leads_with_the_amount_then_the_verbatim_sentence(engine: ChatEngine) -> None:
    answer = engine.answer("How much did the Harbor Bridge repair cost?")
    assert answer.mode == EXTRACTIVE
    assert answer.text == f"**82 million dollars** [1]\n\n{BRIDGE_FIRST} [1]"
    assert [(s.text, s.lead, s.citations, s.supported) for s in answer.sentences] == [
        ("82 million dollars", True, (1,), True),
        (BRIDGE_FIRST, False, (1,), True),
    ]
    assert answer.sentences[0].quotes == ("82 million dollars",)
    [citation] = answer.citations
    assert (citation.chunk.title, citation.quote) == ("Harbor Bridge reopens after 14-month repair", BRIDGE_FIRST)
    body = {a.id: a.body for a in load_articles(FIXTURE_CORPUS).articles}[citation.chunk.article_id]
    assert body[citation.chunk.start + citation.quote_start:citation.chunk.start + citation.quote_end] == BRIDGE_FIRST
    assert answer.to_json()["short_answer"] == {"text": "82 million dollars", "citations": [1]}


def test_answer_is_streamed_sentence_by_sentence(engine: ChatEngine) -> None:
    parts = list(engine.stream_answer("What did Mayor Dana Reyes say about the bridge?"))
    assert parts[-1].done and not any(p.done for p in parts[:-1])
    lengths = [len(p.text) for p in parts]
    assert lengths == sorted(lengths) and lengths[0] < lengths[-1]
    assert any("Reyes said" in s.text for s in parts[-1].sentences)


def test_one_passage_is_one_citation_with_every_drawn_span_highlighted(engine: ChatEngine) -> None:
    answer = engine.answer("What did Mayor Dana Reyes say about the bridge?")
    [citation] = answer.citations
    drawn = [s.text for s in answer.sentences]
    assert [citation.passage[a:b] for a, b in citation.highlights] == [
        "Mayor Dana Reyes cut the ribbon at dawn.",
        "\"This bridge carries our city's economy, and today it is safer than the day it first opened,\" Reyes said.",
    ]
    assert sorted(drawn) == sorted(citation.passage[a:b] for a, b in citation.highlights)
    assert all(s.citations == (1,) for s in answer.sentences)


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
    assert set(data) >= {"answer", "short_answer", "citations", "sentences"}
    assert data["short_answer"] == {"text": "Ruth Chebet", "citations": [1]}
    citation = data["citations"][0]
    assert set(citation) >= {"n", "article_id", "title", "outlet", "url", "published_at", "passage", "quote",
                             "highlights"}
    assert citation["title"] == "Course record falls at the Melbourne Marathon"
    assert citation["quote"] in citation["passage"]
    assert [s["lead"] for s in data["sentences"]] == [True, False]


def test_a_sentence_about_another_year_does_not_answer(answers_engine: ChatEngine) -> None:
    for year, winner in (("2021", "Tadej Pogacar"), ("2019", "Egan Bernal")):
        answer = answers_engine.answer(f"Who won the {year} Tour de France?")
        assert answer.short_answer is not None and answer.short_answer.text == winner
        assert all(year in s.text for s in answer.sentences if not s.lead)


def test_no_passage_published_before_the_month_asked_about_answers_it(answers_engine: ChatEngine) -> None:
    # The newest article is of November 2023, so "October" is October 2023; the Tour articles are of 2019 and
    # 2021 and never name October: they cannot report it.
    assert answers_engine.answer("Who won the Tour de France in October?").mode == NOT_COVERED
    assert answers_engine.answer("Who won the 2021 Tour de France?").mode == EXTRACTIVE
    # The trial article is of 3 October: in time. A month is an everyday word: the gate does not count it
    # against the passages because none says "October".
    answer = answers_engine.answer("What did prosecutors tell the Kestrel jury in October?")
    assert answer.mode == EXTRACTIVE
    assert any(s.text.startswith("Prosecutors told the jury that Vance") for s in answer.sentences)


def test_a_question_naming_only_a_date_is_answered_by_what_that_day_s_articles_open_with(
    answers_engine: ChatEngine,
) -> None:
    # Nothing but "happened" to match: the day's articles answer, from their first prose sentence (the heading
    # and the question that open the Lumen Labs article are not prose).
    answer = answers_engine.answer("What happened on November 18, 2023?")
    assert [s.text for s in answer.sentences] == [
        "The board of Lumen Labs fired chief executive Pavel Markov on Friday after a review of his conduct."]
    assert answer.citations[0].chunk.published_at == "2023-11-18T08:00:00+00:00"
    assert answers_engine.answer("What happened on March 3, 2023?").mode == NOT_COVERED  # no article that day


def test_a_day_s_article_answers_from_its_opening_passage(answers_engine: ChatEngine) -> None:
    # "happened" is only in the live report's later passage, which is what retrieval finds first; the article
    # opens with what happened that day, and that passage is the one cited.
    # (k=1: the passages read are the live report's and, as one passage holds fewer words than a full one, the
    # next ones found, the harvest fair's among them.)
    answer = answers_engine.answer("What happened on November 25, 2023?", k=1)
    assert answer.sentences[0].text == (
        "Storm Elin made landfall near Port Maren before dawn on Saturday, bringing winds of up to 140 kilometres an "
        "hour and cutting power to 60,000 homes along the coast.")
    assert [c.chunk.n for c in answer.citations if c.chunk.title == "Storm Elin reaches the coast"] == [0]
    assert answer.citations[0].chunk.title == "Storm Elin reaches the coast"
    assert answer.text.startswith(f"- Coastal Courier · 25 Nov 2023: {answer.sentences[0].text} [1]\n")


def test_a_day_s_articles_are_listed_one_a_line_with_outlet_and_day(answers_engine: ChatEngine) -> None:
    answer = answers_engine.answer("What happened on November 25, 2023?")
    storm, fair = ("Storm Elin made landfall near Port Maren before dawn on Saturday, bringing winds of up to 140 "
                   "kilometres an hour and cutting power to 60,000 homes along the coast.",
                   "More than 12,000 visitors came to the Lindholm harvest fair on Saturday, the most since the fair "
                   "began in 1987, organisers said.")
    lines = answer.text.splitlines()
    assert sorted(lines) == [f"- Coastal Courier · 25 Nov 2023: {storm} [{_cited(answer, 'Storm Elin')}]",
                             f"- Valley Post · 25 Nov 2023: {fair} [{_cited(answer, 'Lindholm harvest')}]"]
    assert sorted((s.source, s.text, s.supported) for s in answer.sentences) == [
        ("Coastal Courier · 25 Nov 2023", storm, True), ("Valley Post · 25 Nov 2023", fair, True)]


def _cited(answer: Answer, title: str) -> int:
    return next(c.n for c in answer.citations if c.chunk.title.startswith(title))


def test_the_lead_is_the_fullest_name_the_passages_use(answers_engine: ChatEngine) -> None:
    answer = answers_engine.answer("Who became interim CEO of Lumen Labs after Markov was fired?")
    assert answer.short_answer is not None
    assert (answer.short_answer.text, answer.short_answer.supported) == ("Ingrid Halvorsen", True)
    # The sentence that says it comes first, although it names her by surname only.
    assert answer.sentences[1].text.startswith("Halvorsen, the company's chief technology officer, will serve as")


def test_a_question_for_a_person_is_never_led_by_an_organisation(answers_engine: ChatEngine) -> None:
    # The best sentence names only the Market Integrity Commission; Vance's sentences score too far below it.
    answer = answers_engine.answer("Who is the individual accused of misusing customer funds at the Kestrel exchange?")
    assert answer.short_answer is None
    assert answer.sentences[0].text.startswith("The Market Integrity Commission says customer funds")


def test_headings_captions_questions_and_link_lines_never_answer(answers_engine: ChatEngine) -> None:
    for question in ("Who became interim CEO of Lumen Labs after Markov was fired?",
                     "What happened at Lumen Labs?", "What will Lumen Labs investors do?"):
        answer = answers_engine.answer(question)
        texts = " ".join(s.text for s in answer.sentences)
        for furniture in ("Lumen Labs board fires chief executive", "Who will run Lumen Labs now?",
                          "Image:", "Photograph:", "MORE:"):
            assert furniture not in texts, (question, answer.text)


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


def test_only_the_best_looking_sentences_are_embedded(engine: ChatEngine, embedder: Embedder) -> None:
    question = "What did the council decide about the bridge repair budget?"
    hits = engine.retriever.retrieve(question, 10)
    candidates = candidate_sentences(hits)
    assert len(candidates) > EMBEDDED_CANDIDATES
    scored = score_candidates(profile_question(question), candidates, embedder, engine.retriever.term_weights)
    assert len(scored) == EMBEDDED_CANDIDATES
    assert [c.score for c in scored] == sorted((c.score for c in scored), reverse=True)


def test_an_answer_reads_as_much_text_as_k_full_passages_hold(
    fixture_index: tuple[Settings, RebuildReport], embedder: Embedder
) -> None:
    assert (answer_words(2, 300), answer_words(10, 300)) == (450, 2250)  # words: three quarters of the tokens
    # The passage size is the index's own (built at 300 tokens), whatever the settings say now.
    settings = replace(fixture_index[0], top_k=2, chunk_tokens=100, chunk_overlap=10)
    engine = ChatEngine(settings, embedder)
    assert (fixture_index[0].chunk_tokens, engine.retriever.chunk_tokens) == (300, 300)
    answer = engine.answer("How much money did Lumora raise?")
    words = [len(h.chunk.text.split()) for h in answer.hits]
    # The fixture's articles are short: two of them hold fewer words than two full passages, so the answer
    # read on, in retrieval's order, until the passages held them (or the candidates ran out).
    assert sum(words[:2]) < 450
    assert len(answer.hits) > 2
    assert [h.chunk.id for h in answer.hits[:2]] == [
        h.chunk.id for h in engine.retriever.retrieve("How much money did Lumora raise?", k=2)]
    assert sum(words[:-1]) < 450
    assert sum(words) >= 450 or len(answer.hits) == engine.retriever.collection.count()


def test_an_outlet_the_question_names_and_the_answer_does_not_cite_is_noted(engine: ChatEngine) -> None:
    answer = engine.answer("How much did the Harbor Bridge repair cost, according to the Coastal Courier and The Age?")
    assert answer.text == f"**82 million dollars** [1]\n\n{BRIDGE_FIRST} [1]"
    assert answer.notes == ["The answer cites nothing from The Age, though 1 passage from it was retrieved."]
    assert engine.answer("How much did the Harbor Bridge repair cost, per the Coastal Courier?").notes == []


def test_the_latest_on_a_story_lists_its_articles_newest_first(answers_engine: ChatEngine) -> None:
    # The words asking for recency are when, not what: no sentence has to say "latest".
    assert profile_question("What is the latest on the Kestrel case?").terms == ("kestrel", "case")
    answer = answers_engine.answer("What is the latest on the Kestrel case?")
    assert answer.text == (
        "- Valley Dispatch · 1 Nov 2023: A verdict is expected within days, after a month of testimony from former "
        "Kestrel executives. [1]\n"
        "- Harbour Courier · 3 Oct 2023: Dorian Vance founded Kestrel in 2019 and built it into one of the largest "
        "exchanges in the region before it collapsed last year. [2]")
    assert [s.source for s in answer.sentences] == ["Valley Dispatch · 1 Nov 2023", "Harbour Courier · 3 Oct 2023"]
    plain = answers_engine.answer("What happened in the Kestrel case?")
    assert plain.sentences and not any(s.source for s in plain.sentences)


def test_who_is_someone_the_passages_name_is_answered_and_a_name_they_never_give_whole_is_not(
        answers_engine: ChatEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    # A fitted gate that covers nothing, as it may refuse "Who is X?" where X is named only in a long quote: the
    # passages naming X whole still cover the question.
    fitted = gate.load_gate()
    monkeypatch.setattr(gate, "load_gate", lambda: replace(fitted, fitted_on={**fitted.fitted_on, "threshold": 1.01}))
    assert answers_engine.answer("Why was Pavel Markov fired?").text == NOT_COVERED_TEXT
    answer = answers_engine.answer("Who is Pavel Markov?")
    assert answer.mode != NOT_COVERED and answer.text != NOT_COVERED_TEXT
    assert answer.short_answer is not None and answer.short_answer.text == "chief executive"
    assert answers_engine.answer("Who is Ingrid Markov?").text == NOT_COVERED_TEXT


def test_a_question_typed_in_lower_case_is_read_as_its_passages_write_its_names(answers_engine: ChatEngine) -> None:
    for question in ("Who is Pavel Markov?", "who is pavel markov?"):
        answer = answers_engine.answer(question)
        assert answer.short_answer is not None and answer.short_answer.text == "chief executive", question
