"""Notes on the outlets a question names that its answer cites nothing from (bot/answering/outlet_notes.py)."""

from __future__ import annotations

from bot.answering.outlet_notes import outlet_notes
from bot.retrieval.plan import outlet_aliases, plan_query
from bot.types import Answer, Citation, Hit
from index.documents import Chunk

OUTLETS = ["TechCrunch", "The Verge", "Cnbc | World Business News Leader", "Fortune"]
TEXT = "OpenAI's board fired Sam Altman on Friday."


def hit(outlet: str, n: int = 0) -> Hit:
    return Hit(Chunk(outlet.lower()[:4], n, TEXT, 0, len(TEXT), "Altman fired", outlet=outlet), 1.0)


def answer_citing(*outlets: str) -> Answer:
    return Answer(question="q", citations=[Citation(i, hit(o).chunk, TEXT, 0, len(TEXT))
                                            for i, o in enumerate(outlets, start=1)])


def notes(question: str, answer: Answer, hits: list[Hit]) -> list[str]:
    return outlet_notes(plan_query(question, outlet_aliases(OUTLETS), 2023), answer, hits)


def test_a_named_outlet_the_answer_does_not_cite_gets_a_note_saying_whether_it_was_found() -> None:
    question = "How did The Verge, CNBC and TechCrunch cover the firing of Sam Altman?"
    hits = [hit("TechCrunch"), hit("Cnbc | World Business News Leader"), hit("Cnbc | World Business News Leader", 1)]
    assert notes(question, answer_citing("TechCrunch"), hits) == [
        "Nothing from The Verge was found for this question.",
        "The answer cites nothing from CNBC, though 2 passages from it were retrieved.",
    ]
    assert notes(question, answer_citing("TechCrunch", "Cnbc | World Business News Leader", "The Verge"), hits) == []


def test_no_note_without_a_named_outlet_or_without_an_answer() -> None:
    hits = [hit("TechCrunch")]
    assert notes("Why was Sam Altman fired?", answer_citing("TechCrunch"), hits) == []
    assert notes("What did Fortune say about Sam Altman?", Answer(question="q"), hits) == []
    assert notes("What did Fortune say about Sam Altman? Fortune again.", answer_citing("TechCrunch"), hits) == [
        "Nothing from Fortune was found for this question."]  # one note per outlet, however often it is named
