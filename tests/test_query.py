"""Question understanding: outlets from the corpus's own list, dates and ranges, clauses."""

from __future__ import annotations

import datetime as dt

import numpy as np

from bot.answering.question import profile_question
from bot.retrieval.filters import chunk_in_ranges, chunk_on_dates, rows_matching
from bot.retrieval.plan import (
    asks_something,
    clause_spans,
    find_dates,
    find_outlets,
    outlet_aliases,
    plan_query,
    without_spans,
)
from index.documents import Chunk
from index.lexical import chunk_fields

SOURCES = ["The Verge", "TechCrunch", "The Age", "The Independent - Sports", "The Independent - Life and Style",
           "Cnbc | World Business News Leader", "Wired"]


def ts(year: int, month: int, day: int) -> int:
    """Unix time of midnight UTC on that day."""
    return int(dt.datetime(year, month, day, tzinfo=dt.UTC).timestamp())


def test_aliases_come_from_the_corpus_sources() -> None:
    aliases = dict(outlet_aliases(SOURCES))
    assert aliases["the verge"] == {"The Verge"}
    assert aliases["verge"] == {"The Verge"}
    assert aliases["cnbc"] == {"Cnbc | World Business News Leader"}
    assert aliases["the independent"] == {"The Independent - Sports", "The Independent - Life and Style"}
    assert aliases["independent"] == {"The Independent - Sports", "The Independent - Life and Style"}
    assert "age" not in aliases  # too short to stand without "The"


def test_find_outlets_longest_and_proper_names_only() -> None:
    aliases = outlet_aliases(SOURCES)
    question = "Did The Independent - Sports and CNBC agree, or was the wired network down, as Wired said?"
    found = [(question[m.start:m.end], sorted(m.outlets)) for m in find_outlets(question, aliases)]
    assert found == [
        ("The Independent - Sports", ["The Independent - Sports"]),
        ("CNBC", ["Cnbc | World Business News Leader"]),
        ("Wired", ["Wired"]),
    ]


def test_a_question_typed_in_lower_case_names_outlets_where_it_names_a_source() -> None:
    aliases = outlet_aliases(SOURCES)
    question = "according to the verge and cnbc's report, was the wired network on the verge of failing, as wired said?"
    found = [(question[m.start:m.end], sorted(m.outlets)) for m in find_outlets(question, aliases)]
    assert found == [("the verge", ["The Verge"]), ("cnbc", ["Cnbc | World Business News Leader"]),
                     ("wired", ["Wired"])]
    # With capitals of its own, a question names outlets by them alone.
    assert [m.start for m in find_outlets("Was it on the verge of failing, as the verge said?", aliases)] == []


def test_find_dates_days_months_and_open_ranges() -> None:
    q = "What did The Verge report on October 5, 2023, after 1st November and in December 2023, before 2023-09-30?"
    spans = [(q[m.start:m.end], m.dates) for m in find_dates(q, default_year=2023)]
    day = 86400
    assert spans == [
        ("October 5, 2023", (ts(2023, 10, 5) - day, ts(2023, 10, 6) + day - 1)),
        ("1st November", (ts(2023, 11, 2) + day, 2**40)),
        ("December 2023", (ts(2023, 12, 1), ts(2024, 1, 1) - 1)),
        ("2023-09-30", (0, ts(2023, 9, 29) - 1)),
    ]


def test_month_names_that_are_verbs_are_not_dates() -> None:
    assert find_dates("Which team may 2 players leave?", 2023) == []


def test_clause_spans() -> None:
    q = "Does the TechCrunch article say that prices rose sharply, while The Verge article says they fell?"
    assert [q[a:b] for a, b in clause_spans(q)] == [
        "Does the TechCrunch article say that prices rose sharply",
        "The Verge article says they fell?",
    ]


def test_a_sentence_ends_a_clause() -> None:
    # The question and the remark naming its sources are searched apart: before, the remark ran into the
    # question and the outlets' clause ("The Verge covered it too") was the only part ranked on its own.
    q = "Who did the agency name as its new chief? The Verge covered it too"
    assert [q[a:b] for a, b in clause_spans(q)] == ["Who did the agency name as its new chief?",
                                                    "The Verge covered it too"]
    plan = plan_query(q, outlet_aliases(SOURCES), 2023)
    # The remark only names a source ("covered it too" asks nothing): it scopes the question, it is not searched.
    assert [(s.text, sorted(s.outlets)) for s in plan.subqueries] == [
        ("Who did the agency name as its new chief?", ["The Verge"]),
    ]


def test_a_part_that_only_names_its_sources_or_dates_is_not_searched() -> None:
    q = ("Who is the founder known for backing a teen's AI startup, as well as for his dispute with the board, "
         "as reported by The Verge and TechCrunch on October 5, 2023?")
    plan = plan_query(q, outlet_aliases(SOURCES), 2023)
    assert [q[a:b] for a, b in clause_spans(q)][2] == "as reported by The Verge and TechCrunch on October 5, 2023?"
    assert [s.text for s in plan.subqueries] == [
        "Who is the founder known for backing a teen's AI startup",
        "as well as for his dispute with the board",
    ]
    assert plan.outlets == {"The Verge", "TechCrunch"} and len(plan.dates) == 1  # still the question's scope
    # What the ranker matches passages' words against: the question and its parts without their scope.
    assert plan.subject.split() == ["Who", "is", "the", "founder", "known", "for", "backing", "a", "teen's", "AI",
                                    "startup,", "as", "well", "as", "for", "his", "dispute", "with", "the", "board,",
                                    "as", "reported", "by", "and", "on", "?"]
    assert [s.subject for s in plan.subqueries] == [s.text for s in plan.subqueries]  # they name neither


def test_without_spans_blanks_each_span_once() -> None:
    blanked = without_spans("as reported by The Verge on May 5", [(15, 24), (28, 33), (15, 18)])
    assert blanked == "as reported by " + " " * 9 + " on " + " " * 5  # every offset stays
    assert asks_something("for his dispute with the board") and not asks_something("as reported by  and  ")


def test_plan_gives_each_outlet_its_clause() -> None:
    aliases = outlet_aliases(SOURCES)
    q = "Does the TechCrunch article say that prices rose sharply, while The Verge article says they fell?"
    plan = plan_query(q, aliases, 2023)
    assert plan.outlets == {"TechCrunch", "The Verge"}
    assert [(s.text, sorted(s.outlets)) for s in plan.subqueries] == [
        ("Does the TechCrunch article say that prices rose sharply", ["TechCrunch"]),
        ("The Verge article says they fell?", ["The Verge"]),
        ("TechCrunch article say that prices rose sharply", ["TechCrunch"]),
        ("The Verge article says they fell", ["The Verge"]),
    ]


def test_short_question_has_no_subqueries() -> None:
    plan = plan_query("How much did Lumora raise?", outlet_aliases(SOURCES), 2023)
    assert plan.subqueries == () and plan.outlets == frozenset() and plan.dates == ()


def test_the_outlets_and_dates_a_question_names_are_scope_not_subject() -> None:
    q = "What did The Verge report about Apple in October 2023?"
    plan = plan_query(q, outlet_aliases(SOURCES), 2023)
    assert [q[a:b] for a, b in plan.outlet_spans] == ["The Verge"]
    assert [q[a:b] for a, b in plan.date_spans] == ["October 2023"]
    profile = profile_question(q, plan)
    assert profile.terms == ("appl",) and profile.names == ("Apple",) and profile.cited_outlets == ("The Verge",)
    assert profile_question(q).terms == ("verg", "appl", "octob", "2023")  # without the plan, every word counts
    assert profile.years == ("2023",)  # still checked against the passages' years


def test_a_passage_is_on_the_dates_a_question_names_when_published_then_or_naming_a_day_in_them() -> None:
    (nov_4,) = [m.dates for m in find_dates("Which outlet reported on Nov. 4 that she would leave?", 2023)]
    (september,) = [m.dates for m in find_dates("How big were the losses in the year to September 2023?", 2023)]
    assert nov_4 is not None and september is not None

    def passage(text: str, published: str) -> Chunk:
        return Chunk("a", 0, text, 0, len(text), "Coach leaves", published_at=published)

    later = passage("On Nov. 4, the club released a statement; that same day The Athletic reported it.", "2023-11-20")
    that_day = passage("The club released a statement on Saturday.", "2023-11-04T18:00:00Z")
    results = passage("Pre-tax losses ballooned to almost £300m in the year to 3 September.", "2023-11-01")
    elsewhere = passage("Since November 4 the club has won every game; by December 4 it led the league.", "2023-12-05")
    assert [chunk_on_dates(c, [nov_4], 2023) for c in (later, that_day, results, elsewhere)] == [
        True, True, False, False]  # "since November 4" is no day; "December 4" is another one
    assert [chunk_on_dates(c, [september], 2023) for c in (later, that_day, results)] == [False, False, True]
    (after,) = [m.dates for m in find_dates("What did it say after October 22, 2023?", 2023)]
    preview = passage("The club will name its new coach on November 4, the chairman said.", "2023-10-01")
    assert after is not None and [chunk_on_dates(c, [after], 2023) for c in (preview, that_day)] == [False, True]


def test_the_index_fields_say_which_rows_are_of_the_named_outlets_and_dates_as_the_passages_do() -> None:
    november = [m.dates for m in find_dates("What happened in November 2023?", 2023) if m.dates]
    assert len(november) == 1
    chunks = [Chunk(f"a{i}", 0, "text", 0, 4, "t", outlet=outlet, published_at=published)
              for i, (outlet, published) in enumerate([("The Verge", "2023-11-04"), ("Wired", "2023-10-30"),
                                                        (None, "2023-11-30T23:00:00Z"), ("The Verge", None)])]
    fields = chunk_fields(chunks)
    rows = np.array([3, 0, 2])
    by_outlet, by_date = rows_matching(fields, rows, frozenset({"The Verge"}), november)
    assert by_outlet.tolist() == [True, True, False] and by_date.tolist() == [False, True, True]
    assert by_date.tolist() == [chunk_in_ranges(chunks[r], november) for r in rows]
    nothing = rows_matching(fields, rows, frozenset(), ())
    assert [m.tolist() for m in nothing] == [[False] * 3, [False] * 3]
