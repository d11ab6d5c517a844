"""Example questions come from the corpus itself, and the chat can answer each of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import ChatEngine
from bot.views.examples import ExampleQuestion, answerable_by, example_questions
from index.chunking import split_into_chunks
from index.documents import Article, Chunk
from index.embedding import Embedder
from index.loaders import load_articles
from index.rebuild import rebuild_index
from index.settings import Settings

UI_CORPUS = Path(__file__).resolve().parent / "fixtures" / "ui_corpus"


def _chunks(folder: Path) -> list[Chunk]:
    return [c for a in load_articles(folder).articles for c in split_into_chunks(a)]


def test_examples_of_the_ui_corpus() -> None:
    assert example_questions(_chunks(UI_CORPUS)) == [
        # Everyone is quoted once: the tie goes to the alphabetically first full name; the topic is the
        # most covered name in the headline of the article quoting him.
        ExampleQuestion("What did Amir Haddad say about Harbor Bridge?", "quotes"),
        # Harbor Bridge is taken: Port Elling is the next name that several outlets use.
        ExampleQuestion("How did different outlets report on Port Elling?", "compare"),
        # No name left that appears on two different days: the rest are topics, headline names first.
        ExampleQuestion("What do the articles say about Riverton Rockets?", "topic"),
        ExampleQuestion("What do the articles say about Dana Reyes?", "topic"),
    ]


def test_examples_skip_what_the_index_cannot_answer() -> None:
    asked: list[str] = []

    def answerable(question: str) -> bool:
        asked.append(question)
        return "Harbor Bridge" not in question and "Riverton" not in question

    questions = example_questions(_chunks(UI_CORPUS), answerable=answerable)
    assert [q.text for q in questions] == [
        "What did Nadia Ferreira say?",
        "How did different outlets report on Port Elling?",
        "What do the articles say about Lakeside Loons?",
        "What do the articles say about Mill Street?",
    ]
    # Refused candidates are tried once each, then the next one of the same kind is.
    assert asked[:5] == [
        "What did Amir Haddad say about Harbor Bridge?",
        "What did Dana Reyes say about Harbor Bridge?",
        "What did Helen Marsh say about Riverton Rockets?",
        "What did Nadia Ferreira say?",
        "How did different outlets report on Harbor Bridge?",
    ]


def test_examples_follow_the_corpus_not_a_list() -> None:
    def article(i: int, outlet: str, body: str, day: str) -> Article:
        return Article(f"a{i}", f"Zorblat Foundation story {i}", body, f"f{i}.txt", outlet=outlet, published_at=day)

    body = (
        "However, the Zorblat Foundation said on Monday that it would fund the new library. "
        "Librarian Jo Ann Pike welcomed it. "
        '"We want every child in Quillon to read," said director Maya Okonkwo. However, critics disagreed.'
    )
    articles = [
        article(1, "Daily One", body, "2024-03-01"),
        article(2, "Weekly Two", "The Zorblat Foundation opened its doors in Quillon this week. However, it rained.",
                "2024-03-09"),
    ]
    chunks = [c for a in articles for c in split_into_chunks(a)]
    questions = example_questions(chunks, limit=2)
    assert [q.text for q in questions] == [
        "What did Maya Okonkwo say about Zorblat Foundation?",
        "How did different outlets report on Quillon?",
    ]
    # "However" starts sentences (and is written in lower case elsewhere): never a subject; neither are outlets.
    assert not any("However" in q.text or "Daily One" in q.text for q in questions)
    topics = [q.text for q in example_questions(chunks, limit=4)[2:]]
    # "Librarian" is capitalised only because it starts a sentence: the name is Jo Ann Pike.
    assert "What do the articles say about Jo Ann Pike?" in topics


def test_no_examples_without_names() -> None:
    article = Article("x", "t", "the rain fell on the quiet town all night long.", "x.txt", outlet="Paper")
    assert example_questions(split_into_chunks(article)) == []


@pytest.fixture(scope="module")
def ui_engine(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> ChatEngine:
    settings = Settings(corpus=UI_CORPUS, store=tmp_path_factory.mktemp("ui-index"))
    rebuild_index(settings, embedder)
    return ChatEngine(settings, embedder)


def test_every_example_is_answered_from_the_corpus(ui_engine: ChatEngine) -> None:
    chunks = [s.chunk for s in ui_engine.retriever.collection.iter_all()]
    questions = example_questions(chunks, answerable=answerable_by(ui_engine))
    assert len(questions) == 4
    for question in questions:
        answer = ui_engine.answer(question.text)
        assert answer.covered, question.text
        assert answer.citations, question.text
    assert not answerable_by(ui_engine)("What is the boiling point of mercury?")
