"""What a name names (bot/answering/name_kinds.py): a person, as the name and the passages write it."""

from __future__ import annotations

from bot.answering.name_kinds import reads_as_person


def test_a_lone_word_reads_as_a_person_unless_the_passages_write_it_as_a_firm_or_team() -> None:
    texts = ["Funds went to Alameda Research, then to Alameda.", "He faced the Browns and beat the Cowboys.",
             "Brock Purdy threw four touchdowns; Purdy was calm.", "Trump Tower was valued by Donald Trump.",
             "Prosecutors said Vance knew."]
    names = ("Alameda", "Browns", "Cowboys", "Purdy", "Trump", "Vance", "Wilma Mankiller")
    assert [reads_as_person(n, texts) for n in names] == [False, False, False, True, True, True, True]
    # a determiner right before it writes a thing ("his Senate seat"); one word between reads nothing
    texts = ["He used his Senate seat to aid Egypt.", "The embattled Menendez grilled them.", "Beto scored."]
    assert [reads_as_person(n, texts) for n in ("Senate", "Menendez", "Beto")] == [False, True, True]


def test_a_surname_that_is_an_everyday_word_reads_as_a_person_after_a_given_name() -> None:
    texts = ["Taylor Swift attended the game.", "Swift waved."]
    assert [reads_as_person("Swift", t) for t in (texts, texts[1:], ["The Swift Current team won."])] == [
        True, False, False]
    assert reads_as_person("NBA", ["Adam Silver NBA"]) is False  # an acronym names a body whatever precedes it
    texts = ["The series heads to Arizona for Game 3.", "Merrill Kelly pitched for the Arizona Diamondbacks."]
    names = ("Arizona Diamondbacks", "Merrill Kelly", "Sam Jones", "Arizona Smith")
    assert [reads_as_person(n, texts) for n in names] == [False, True, True, True]  # a place's team is no person


def test_a_name_ending_in_a_word_that_names_a_body_is_no_person() -> None:
    texts = ["Funds went to Alameda Research and Sequoia Capital.", "Taylor Swift sang.", "Sam Cane was sent off."]
    names = ("Alameda Research", "Sequoia Capital", "Taylor Swift", "Sam Cane", "Caroline Ellison")
    assert [reads_as_person(n, texts) for n in names] == [False, False, True, True, True]


def test_a_lone_name_written_after_in_or_at_is_a_place() -> None:
    texts = ["England beat Scotland 2-0 at Wembley, and in Kane's absence Toone scored in Scotland.",
             "Denzel Washington was in Washington.", "The final was played in Leuven"]
    assert [reads_as_person(n, texts) for n in ("Scotland", "Wembley", "Kane", "Toone", "Washington", "Leuven")] == [
        False, False, True, True, True, False]  # a place that ends the text is still after "in"


def test_a_name_that_goes_by_its_first_word_or_ends_in_a_clubs_designator_is_no_person() -> None:
    texts = ["Bayern Munich coasted through, and United lost against Bayern at Old Trafford.",
             "Lukas Lerager scored; Lerager then celebrated. Manchester United were out.", "Kingsley Coman scored."]
    names = ("Bayern Munich", "Bayern", "Manchester United", "Lukas Lerager", "Lerager", "Kingsley Coman")
    assert [reads_as_person(n, texts) for n in names] == [False, False, False, True, True, True]


def test_a_lone_body_word_is_no_person() -> None:
    # "Keep Labs": the sentence-initial "Keep" is read as everyday English, leaving "Labs", a body's last word.
    texts = ["Keep Labs built a lockable storage container.", "Lerager scored twice."]
    assert [n for n in ("Labs", "Capital", "Lerager", "LABS") if reads_as_person(n, texts)] == ["Lerager"]
