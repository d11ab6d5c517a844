"""The nouns questions ask about and the title words of posts (bot/answering/focus.py)."""

from __future__ import annotations

from bot.answering.focus import title_word
from bot.answering.question import AnswerType, profile_question


def test_a_title_word_is_a_post_an_honorific_or_a_noun_asking_for_a_person() -> None:
    words = ["Treasury", "Secretary", "NFL", "Commissioner", "Meta", "CEO", "Prof.", "Judge", "striker", "Chiefs"]
    assert [w for w in words if title_word(w)] == ["Secretary", "Commissioner", "CEO", "Prof.", "Judge", "striker"]


def test_who_holds_a_post_asks_for_the_post_whatever_its_title() -> None:
    # "head" and "commissioner" are posts though no noun asking for a person; "incoming" says which holder.
    assert profile_question("Who is the incoming head of the Fair Work Ombudsman?").focus == "head"
    assert profile_question("Who is the NFL commissioner that fined the Chiefs?").focus == "commissioner"
    assert profile_question("Who is the individual that fined the Chiefs?").focus is None


def test_a_compound_noun_asks_for_the_kind_it_ends_with() -> None:
    question = "What was the Minnesota Wild's penalty kill success rate when the team fired coach Dean Evason?"
    assert (profile_question(question).answer_type, profile_question(question).focus) == (AnswerType.NUMBER, "rate")
    assert profile_question("What penalty did the league give?").focus is None
    tackle = profile_question("Which Chiefs defensive tackle recovered the fumble?")
    assert (tackle.focus, tackle.person) == ("tackle", True)
