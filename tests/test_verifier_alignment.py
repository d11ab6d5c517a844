"""Claim alignment over whole passages: aliases, ordinals, scaled amounts, polarity (no embedding model needed)."""

from __future__ import annotations

import pytest

from bot.answering.alignment import missing_in_passages, polarity, words_of
from bot.answering.facts import passage_facts, text_facts
from index.documents import Chunk

DOC = (
    "Activists in London dumped paint outside the Russian embassy in the U.K. on Feb. 24. Moderna reported fourth "
    "quarter revenues of $5.1bn and has four programs. The company filed for approval of its Respiratory Syncytial "
    "Virus vaccine. The firm, which did not grow, will raise prices."
)


@pytest.mark.parametrize(
    ("claim", "missing"),
    [
        ("British activists poured paint outside the Russian embassy.", ()),  # demonym of "U.K."
        ("It happened on 24 February.", ()),  # "Feb." is February
        ("Moderna reported 4th quarter revenues of $5.1 billion.", ()),  # "4th" is "fourth", "bn" is "billion"
        ("The company filed for approval of its RSV vaccine.", ()),  # acronym of a name in the passage
        ("Moderna reported third quarter revenues.", ("third",)),
        ("Moderna guided for sales of $4bn.", ("4",)),  # "four programs" does not vouch for four billion
        ("American activists dumped paint.", ("American",)),
    ],
)
def test_names_and_numbers_in_any_form(claim: str, missing: tuple[str, ...]) -> None:
    assert missing_in_passages(claim, text_facts(DOC), DOC) == missing


@pytest.mark.parametrize(
    ("claim", "span", "flags"),
    [
        ("The firm did not raise prices.", "The firm will raise prices.", (1.0, 0.0, 0.0)),
        ("The firm didn't grow.", "The firm, which did not grow, will raise prices.", (0.0, 0.0, 0.0)),
        ("The firm will cut prices.", "The firm will raise prices.", (0.0, 1.0, 0.0)),
        ("Sales rose in the quarter.", "Sales fell in the quarter.", (0.0, 1.0, 0.0)),
        ("The firm may raise prices.", "The firm raised prices.", (0.0, 0.0, 1.0)),
        ("The firm raised prices.", "The firm raised prices.", (0.0, 0.0, 0.0)),
    ],
)
def test_polarity_against_the_closest_span(claim: str, span: str, flags: tuple[float, float, float]) -> None:
    assert polarity(words_of(claim), words_of(span)) == flags


def test_a_passage_that_names_someone_in_full_vouches_for_their_initials_and_not_for_other_names() -> None:
    passage = "Veev is shutting down, CEO Nishank Jain announced. Sam Bankman-Fried was convicted on Nov. 2."
    facts = passage_facts(Chunk("a", 0, passage, 0, len(passage), "Startups"))
    assert missing_in_passages("SBF was convicted on Nov. 2.", facts, passage) == ()
    assert missing_in_passages("CEO Nishank James announced it.", facts, passage) == ("James",)
