"""Composing the extractive answer (bot/answering/compose.py): which parts of a question it reports unaddressed."""

from __future__ import annotations

from bot.answering.compose import Composition, compose
from bot.answering.question import profile_question
from bot.answering.sentences import CandidateSentence
from bot.retrieval.plan import QueryPlan, outlet_aliases, plan_query
from bot.types import Hit
from index.documents import Chunk

FERRY = "Ferry fares fell by a fifth this winter, the operator said."


def compose_one(question: str, plan: QueryPlan, text: str, outlet: str) -> Composition:
    """The answer composed from one passage of `outlet` holding the one sentence `text`."""
    hit = Hit(Chunk("a", 0, text, 0, len(text), "Ferry fares fall", outlet=outlet), 1.0)
    return compose(profile_question(question, plan), [CandidateSentence(hit, 0, len(text), text, score=1.0)], [hit],
                   plan)


def test_the_parts_reported_unaddressed_are_the_question_s_own_clauses_each_once() -> None:
    # The text after each outlet's mention is searched too, but it repeats a clause: reporting it as a part of
    # its own gave the reader the same missing part twice.
    q = ("Does the TechCrunch article say that lunar telescope prices rose sharply, "
         "while The Verge article says ferry fares fell?")
    plan = plan_query(q, outlet_aliases(["The Verge", "TechCrunch"]), 2023)
    assert [(s.text, s.clause) for s in plan.subqueries] == [
        ("Does the TechCrunch article say that lunar telescope prices rose sharply", True),
        ("The Verge article says ferry fares fell?", True),
        ("TechCrunch article say that lunar telescope prices rose sharply", False),
        ("The Verge article says ferry fares fell", False),
    ]
    composed = compose_one(q, plan, FERRY, "The Verge")
    assert [c.text for c in composed.sentences] == [FERRY]
    assert composed.unaddressed == ["Does the TechCrunch article say that lunar telescope prices rose sharply"]


def test_a_part_is_addressed_by_its_words_not_by_the_outlet_it_names() -> None:
    # The outlet a part names is matched against the passages' outlet; a story rarely names its own outlet, so
    # counting "Sydney Morning Herald" among the words a sentence must carry reported the part as missing.
    q = ("Does the TechCrunch article say that lunar telescope prices rose sharply, "
         "while The Sydney Morning Herald story says ferry fares fell?")
    plan = plan_query(q, outlet_aliases(["The Sydney Morning Herald", "TechCrunch"]), 2023)
    assert [(" ".join(s.subject.split()), s.clause) for s in plan.subqueries if s.clause] == [
        ("Does the article say that lunar telescope prices rose sharply", True),
        ("story says ferry fares fell?", True),
    ]
    composed = compose_one(q, plan, FERRY, "The Sydney Morning Herald")
    assert [c.text for c in composed.sentences] == [FERRY]
    assert composed.unaddressed == ["Does the TechCrunch article say that lunar telescope prices rose sharply"]
    # The outlet still bounds the part: the same sentence from another outlet does not address it.
    elsewhere = compose_one(q, plan, FERRY, "TechCrunch")
    assert elsewhere.unaddressed == [
        "Does the TechCrunch article say that lunar telescope prices rose sharply",
        "The Sydney Morning Herald story says ferry fares fell?",
    ]


def test_a_why_answer_gives_the_cause_a_chosen_sentence_points_back_to() -> None:
    cause = "Earlier this year, the trade commission ruled that Apple had infringed two patents from Masimo."
    text = f"Apple Watch ban\n\n{cause} As a result, the commission said it would ban imports of the Apple Watch."
    consequence = text.index("As a result")
    hit = Hit(Chunk("a", 0, text, 0, len(text), "Apple Watch ban"), 1.0)
    chosen = CandidateSentence(hit, consequence, len(text), text[consequence:], score=1.0)
    composed = compose(profile_question("Why is Apple getting the watch banned?"), [chosen], [hit])
    assert [c.text for c in composed.sentences] == [cause, text[consequence:]]
    # What it points back to is no answer to a when-question, and a sentence not opening so stands alone.
    assert [c.text for c in compose(profile_question("When will the watch be banned?"), [chosen], [hit]).sentences] \
        == [text[consequence:]]
    alone = CandidateSentence(hit, text.index(cause), text.index(cause) + len(cause), cause, score=1.0)
    assert [c.text for c in compose(profile_question("Why is Apple getting the watch banned?"), [alone],
                                    [hit]).sentences] == [cause]


def test_a_why_answer_gives_the_sentence_after_that_explains_a_chosen_one() -> None:
    effect = "The company's EBITDA margins expanded from 25 per cent to 29 per cent on a YoY basis."
    why = "This has been mainly on account of lower fuel cost due to reduced share of imported coal."
    text = f"{effect} {why} The stock has gained around 48 per cent."
    hit = Hit(Chunk("a", 0, text, 0, len(text), "NTPC results"), 1.0)
    chosen = CandidateSentence(hit, 0, len(effect), effect, score=1.0)
    question = profile_question("Why did NTPC's margins expand?")
    assert [c.text for c in compose(question, [chosen], [hit]).sentences] == [effect, why]
    # A sentence after that says something else, or any question but why, gets nothing added.
    other = CandidateSentence(hit, text.index(why), text.index(why) + len(why), why, score=1.0)
    assert [c.text for c in compose(question, [other], [hit]).sentences] == [why]
    assert [c.text for c in compose(profile_question("How much did NTPC's margins expand?"), [chosen],
                                    [hit]).sentences] == [effect]
