"""bot/answering/casing.py: a question typed in lower case read with the capitals its passages give its words."""

from __future__ import annotations

from bot.answering.casing import name_casing, recased
from bot.answering.question import profile_question

PASSAGES = ["Scalable Capital, a Munich startup, raised €60 million. The round values Scalable Capital at $1.4 "
            "billion, said Scalable Capital’s co-CEO Erik Podzuweit. Venture capital is scarce this year.",
            "Sam Cane – the All Blacks captain – was sent off. It was all over for all of them."]


def test_uncommon_words_the_passages_write_capitalised_inside_sentences_and_stop_words_only_in_a_pair() -> None:
    assert name_casing(PASSAGES) == {"scalable": "Scalable", "munich": "Munich", "erik": "Erik",
                                     "podzuweit": "Podzuweit", "all blacks": "All Blacks",
                                     "scalable capital": "Scalable Capital"}
    # "Venture" and "Sam" open sentences; "capital" and "blacks" are everyday words, as often a heading's or
    # another name's part as the name asked about; "cane" is one too, and is only capitalised opening a clause.
    # Two everyday words are a name when written capitalised together twice or more, more often than not.
    league = ["Chelsea lost the Champions League final. A Champions League spot was at stake.",
              "The Europa League draw is on Monday; it is a league of its own."]
    assert name_casing(league) == {"champions league": "Champions League", "europa": "Europa", "monday": "Monday"}


def test_only_a_question_typed_in_lower_case_is_recased() -> None:
    casing = name_casing(PASSAGES)
    assert recased("who is leading scalable capital's latest round?", casing) == (
        "who is leading Scalable Capital's latest round?")
    assert recased("which all blacks captain was sent off?", casing) == "which All Blacks captain was sent off?"
    assert recased("Who leads scalable capital?", casing) == "Who leads scalable capital?"


def test_a_recased_question_names_its_subject_and_its_focus() -> None:
    casing = name_casing(PASSAGES)
    plain, cased = (profile_question("which all blacks captain was sent off?", casing=c) for c in (None, casing))
    assert (plain.names, plain.focus) == ((), None)
    assert (cased.names, cased.focus, cased.person) == (("Blacks",), "captain", True)
    assert profile_question("who is erik podzuweit?", casing=casing).described == "Erik Podzuweit"
