"""The analysis behind the news-discourse views: evidence, timeline, outlet comparison, quotes, search scope."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.retrieval.filters import Filters
from bot.retrieval.retriever import Retriever
from bot.types import Answer, Citation, Hit
from bot.views.evidence import Evidence, gather_evidence
from bot.views.quotes import find_quotes, quotes_in
from bot.views.scope import describe_scope, month_span, profile_fields
from index.chunking import split_into_chunks
from index.documents import Chunk, timestamp_of
from index.embedding import Embedder
from index.lexical import chunk_fields
from index.loaders import load_articles
from index.rebuild import RebuildReport
from index.settings import Settings

UI_CORPUS = Path(__file__).resolve().parent / "fixtures" / "ui_corpus"
REOPENS = "Harbor Bridge reopens to traffic after repair"
AUDIT = "Council orders audit of Harbor Bridge repair"
CLOSES = "Harbor Bridge closes for cable replacement"
FERRIES = "Emergency ferries end as bridge traffic returns"
ROCKETS = "Riverton Rockets win the championship"


@pytest.fixture(scope="module")
def chunks() -> dict[str, Chunk]:
    """The first chunk of each UI fixture article, by title (each article is one chunk)."""
    articles = load_articles(UI_CORPUS).articles
    return {a.title: split_into_chunks(a)[0] for a in articles}


def _speakers(text: str) -> list[tuple[str, str | None]]:
    return [(text[s:e], who) for s, e, who in find_quotes(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"We found rust in half of the cables," said chief engineer Tomas Lind.',
         [("We found rust in half of the cables,", "Tomas Lind")]),
        ("“This is not acceptable at all,” Haddad told reporters. Councillor Amir Haddad left.",
         [("This is not acceptable at all,", "Amir Haddad")]),
        ('Apple said in a statement: "We have always followed the law here."',
         [("We have always followed the law here.", "Apple")]),
        ('"The numbers do not add up here," according to analyst Jane Doe.',
         [("The numbers do not add up here,", "Jane Doe")]),
        ("“There is no need for an explanation,” said Bayern’s midfielder Thomas Müller.",
         [("There is no need for an explanation,", "Thomas Müller")]),
        ('Sam Bankman-Fried, the FTX founder, told the jury: "I made a lot of mistakes along the way."',
         [("I made a lot of mistakes along the way.", "Sam Bankman-Fried")]),
        ('"It was a great night for the whole team," he said.', [("It was a great night for the whole team,", None)]),
        ('She called the plan "woke" and left.', []),  # scare quotes are not statements
        ("“I hadn’t been there in a decade, honestly,” Jabr told TechCrunch. “I would get nasty comments all "
         "day,” she recalled.",
         [("I hadn’t been there in a decade, honestly,", "Jabr"), ("I would get nasty comments all day,", "Jabr")]),
        ("“I hadn’t been there in a decade, honestly,” Jabr said.\n“I would get nasty comments all day.”",
         [("I hadn’t been there in a decade, honestly,", "Jabr"), ("I would get nasty comments all day.", None)]),
    ],
)
def test_find_quotes_names_the_speaker_only_when_the_text_does(
    text: str, expected: list[tuple[str, str | None]]
) -> None:
    assert _speakers(text) == expected


def test_quotes_in_evidence_expand_surnames_and_point_at_the_quote(chunks: dict[str, Chunk]) -> None:
    evidence = [Evidence(1, chunks[REOPENS], True, 0, 10), Evidence(2, chunks[AUDIT], False, 0, 0)]
    quotes = quotes_in(evidence)
    assert [(q.speaker, q.n) for q in quotes] == [("Dana Reyes", 1), ("Amir Haddad", 2)]
    first = quotes[0]
    assert first.text == "This bridge carries our city's economy, and today it is safer than the day it first opened,"
    assert first.chunk.text[first.start : first.end] == first.text


def test_quotes_named_first_and_repeats_kept_once_with_their_speaker() -> None:
    text = ('"What was he telling his advisers all along?" the filing asks.\n\n'
            '"We will appeal this ruling at once," a spokesperson said.\n\n'
            '"What was he telling his advisers all along?" prosecutor Dana Wu said in court.')
    chunk = Chunk("x", 0, text, 0, len(text), title="Trial", outlet="Courier")
    quotes = quotes_in([Evidence(1, chunk, True, 0, 5)])
    assert [(q.text, q.speaker) for q in quotes] == [
        ("What was he telling his advisers all along?", "Dana Wu"),
        ("We will appeal this ruling at once,", None),
    ]


def test_gather_evidence_keeps_citation_numbers_and_numbers_the_rest_after(chunks: dict[str, Chunk]) -> None:
    reopens, audit, closes = chunks[REOPENS], chunks[AUDIT], chunks[CLOSES]
    answer = Answer(
        question="q",
        citations=[Citation(1, reopens, "The Harbor", 0, 10), Citation(2, reopens, "Crews", 140, 145)],
        hits=[Hit(audit, 0.9), Hit(reopens, 0.8), Hit(closes, 0.7)],
    )
    evidence = gather_evidence(answer)
    assert [(e.n, e.chunk.title, e.cited, e.start, e.end) for e in evidence] == [
        (1, REOPENS, True, 0, 10),
        (2, REOPENS, True, 140, 145),
        (3, AUDIT, False, 0, 0),
        (4, CLOSES, False, 0, 0),
    ]


def test_profile_and_scope_descriptions(chunks: dict[str, Chunk]) -> None:
    profile = profile_fields(chunk_fields(list(chunks.values())))
    assert profile.outlets == ("Bay Tribune", "Coastal Courier", "Metro Daily", "Sporting News", "TechBeat")
    assert profile.categories == ("local", "politics", "sports", "technology")
    assert (profile.first_day, profile.last_day) == (date(2023, 9, 12), date(2023, 12, 2))
    assert (profile.articles, profile.chunks) == (6, 6)
    assert describe_scope(Filters(), profile) == "searched all 5 outlets, Sep–Dec 2023"
    oct_to_nov = Filters(
        outlets=("Bay Tribune", "Metro Daily", "TechBeat"),
        date_from=timestamp_of("2023-10-01"),
        date_to=timestamp_of("2023-11-30T23:59:59"),
    )
    assert describe_scope(oct_to_nov, profile) == (
        "searched 3 of 5 outlets (Bay Tribune, Metro Daily, TechBeat), Oct–Nov 2023"
    )
    assert describe_scope(Filters(categories=("sports",)), profile) == (
        "searched all 5 outlets, category sports, Sep–Dec 2023"
    )
    many = Filters(outlets=("A", "B", "C", "D", "E"))
    assert describe_scope(many, profile).startswith("searched 5 of 5 outlets (A, B, C and 2 more)")
    unnamed = replace(profile, outlets=(), first_day=None, last_day=None)  # like the undated, unsourced sample
    assert describe_scope(Filters(), unnamed) == "searched all 6 articles"
    assert describe_scope(Filters(), replace(unnamed, articles=1)) == "searched the only article"


def test_month_span() -> None:
    assert month_span(date(2023, 10, 2), date(2023, 10, 30)) == "Oct 2023"
    assert month_span(date(2023, 10, 2), date(2023, 11, 3)) == "Oct–Nov 2023"
    assert month_span(date(2022, 12, 2), date(2023, 1, 3)) == "Dec 2022–Jan 2023"
    assert month_span(None, date(2023, 1, 3)) == "until Jan 2023"
    assert month_span(date(2023, 1, 3), None) == "since Jan 2023"
    assert month_span(None, None) == ""


def test_profile_from_the_loaded_index_matches_its_stored_chunks(
    embedder: Embedder, fixture_index: tuple[Settings, RebuildReport]
) -> None:
    settings, _ = fixture_index
    retriever = Retriever(settings, embedder)
    from_chunks = profile_fields(chunk_fields([s.chunk for s in retriever.collection.iter_all()]))
    assert profile_fields(retriever.chunk_fields) == from_chunks
    assert (from_chunks.articles, from_chunks.chunks) == (7, 7)
