"""Question understanding: outlets from the corpus's own list, dates and ranges, clauses."""

from __future__ import annotations

import datetime as dt

from bot.answering.question import profile_question
from bot.retrieval.plan import clause_spans, find_dates, find_outlets, outlet_aliases, plan_query

SOURCES = ["The Verge", "TechCrunch", "The Age", "The Independent - Sports", "The Independent - Life and Style",
           "Cnbc | World Business News Leader", "Wired"]


def ts(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=dt.UTC).timestamp())


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
    assert [(s.text, sorted(s.outlets)) for s in plan.subqueries] == [
        ("Who did the agency name as its new chief?", ["The Verge"]),
        ("The Verge covered it too", ["The Verge"]),
    ]


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
