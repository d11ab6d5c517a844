"""The checkable facts of a passage and the names they vouch for (bot/answering/facts.py)."""

from __future__ import annotations

from bot.answering.facts import has_name, names_by_surname, names_share, passage_facts
from bot.answering.lead import names_all
from bot.answering.question import profile_question
from index.documents import Chunk

DERBY = Chunk("derby", 0, "Many fans saw Chelsea draw 4-4 with Manchester City, and the manager smiled.", 0, 76,
              "Chelsea 4-4 City")


def test_a_name_a_question_shortens_is_vouched_for_only_when_asked_and_only_by_a_capitalised_word() -> None:
    facts = passage_facts(DERBY)
    assert [has_name(n, facts) for n in ("Chelsea", "Man", "City", "SBF")] == [True, False, True, False]
    assert [has_name(n, facts, shortened=True) for n in ("Man", "Chel", "Ma", "Sma", "MAN")] == [
        True, True, False, False, False]  # "Many" opens the sentence and "manager" is lower-case: neither counts
    assert names_share(("Chelsea", "Man", "City"), facts) == 2 / 3
    assert names_share(("Chelsea", "Man", "City"), facts, shortened=True) == 1.0
    # The short answer reads the passage as naming everything "Man City" names; the verifier still does not.
    assert names_all(profile_question("What was the final score of Chelsea vs Man City?"), DERBY)


def test_a_surname_stands_for_its_person_when_the_story_writes_the_name_whole() -> None:
    text = "Kalmus stopped flying, cutting his personal emissions by about 90%, Kalmus said."
    passage = Chunk("a", 1, text, 0, len(text), "Story")
    story = ["NASA scientist Peter Kalmus wants to be arrested", text]
    question = "How much did Peter Kalmus cut his emissions?"
    assert names_by_surname(["Peter", "Kalmus"], question, passage, story)
    assert not names_by_surname(["Peter", "Kalmus"], question, passage, [text])  # the story never says "Peter"
    once = "Torres is projected for $15.3M, more than Kalmus."  # a passage about someone else, naming him once
    assert not names_by_surname(["Peter", "Kalmus"], question, Chunk("a", 2, once, 0, len(once), "Story"),
                                [*story, once])
    # An everyday word is no surname: "Tour" does not stand for the Eras Tour.
    tour = "The Tour film was shot in California; the Tour sold out."
    assert not names_by_surname(["Eras", "Tour"], "Where was the Eras Tour film shot?",
                                Chunk("b", 1, tour, 0, len(tour), "Story"), ["Taylor Swift's Eras Tour", tour])



def test_a_surname_the_question_writes_as_an_owner_stands_for_its_person_too() -> None:
    text = "Opetaia's next fight could be on February 17, Opetaia's promoter said."
    passage = Chunk("c", 1, text, 0, len(text), "Story")
    story = ["Jai Opetaia knocks out Ellis Zorro", text]
    assert names_by_surname(["Jai", "Opetaia"], "When is Jai Opetaia's next fight?", passage, story)
    assert names_by_surname(["Conor", "O'Brien"], "Where did Conor O'Brien play?",
                            Chunk("d", 1, "O'Brien scored. O'Brien left.", 0, 29, "Story"),
                            ["Conor O'Brien signs", "O'Brien scored. O'Brien left."])
