"""What the passages say someone is (bot/answering/roles.py), the lead of "Who is X?"."""

from __future__ import annotations

import pytest

from bot.answering.compose import Composition, compose
from bot.answering.question import AnswerType, described_name, profile_question
from bot.answering.roles import best_role, roles_in
from bot.answering.sentences import CandidateSentence, answer_spans
from bot.types import Hit
from index.documents import Chunk


@pytest.mark.parametrize(
    ("name", "sentence", "roles"),
    [
        ("Changpeng Zhao", "Changpeng Zhao, also known as “CZ,” the founder and CEO of Binance, is stepping down.",
         ["the founder and CEO of Binance"]),
        ("CZ", "Changpeng Zhao, also known as “CZ,” the founder and CEO of Binance, is stepping down.",
         ["the founder and CEO of Binance"]),
        ("Changpeng Zhao", "When Binance founder Changpeng Zhao pleaded guilty, the price fell.", ["Binance founder"]),
        ("Sam Bankman-Fried", "Former FTX CEO Sam Bankman-Fried was convicted.", ["former FTX CEO"]),
        ("Caroline Ellison", "It came from Alameda Research’s former CEO Caroline Ellison, who testified.",
         ["Alameda Research’s former CEO"]),
        ("Matthew Perry", "Matthew Perry, the actor best known for Friends, died on Oct. 28.",
         ["the actor best known for Friends"]),
        ("Matthew Perry", "Friends star Matthew Perry died.", ["Friends star"]),
        ("Taylor Swift", "Singer Taylor Swift was at the game.", ["singer"]),
        ("Elon Musk", "CEO Elon Musk said.", ["CEO"]),
        ("Mercedes Sotos-Prieto", "“Meals matter,” explained Mercedes Sotos-Prieto, assistant professor at the "
         "Department of Preventive Medicine, Public Health and Microbiology.",
         ["assistant professor at the Department of Preventive Medicine"]),
        ("Sam Altman", "Sam Altman, CEO of OpenAI, returned.", ["CEO of OpenAI"]),
        ("Apple", "Apple, Google and Microsoft, owner of Bing, were sued.", []),
        ("Sam Bankman-Fried", "I have never seen Sam Bankman-Fried so still.", []),
        ("Sam Altman", "OpenAI said Sam Altman will return, the company said.", []),
    ],
)
def test_roles_in_appositives_and_titles(name: str, sentence: str, roles: list[str]) -> None:
    assert [r.text for r in roles_in(name, sentence)] == roles


def test_the_best_role_is_the_one_the_sentences_give_most_weight_to_article_aside() -> None:
    sentences = [("Changpeng Zhao, the CEO of Binance, said.", 1.0), ("Binance founder Changpeng Zhao said.", 0.9),
                 ("Nothing here about Changpeng Zhao.", 0.8), ("When Changpeng Zhao, a CEO of Binance, spoke", 0.6)]
    assert best_role("Changpeng Zhao", sentences) == ("the CEO of Binance", [0, 3])
    assert best_role("Sam Altman", sentences) is None


def test_a_role_written_two_ways_counts_once_in_its_fuller_form() -> None:
    sentences = [("Binance founder Changpeng Zhao said.", 1.0), ("Changpeng Zhao, the CEO of Binance, said.", 0.9),
                 ("Changpeng Zhao, the founder and CEO of Binance, said.", 0.5)]
    assert best_role("Changpeng Zhao", sentences) == ("the founder and CEO of Binance", [0, 1, 2])


@pytest.mark.parametrize(
    ("question", "name"),
    [("Who is Changpeng Zhao?", "Changpeng Zhao"), ("who was CZ", "CZ"), ("Who's Sam Bankman-Fried?", ""),
     ("Who was Person of the Year?", ""), ("Who is Time's Person of the Year?", ""), ("Who is CEO of OpenAI?", ""),
     ("Who is President Biden?", ""), ("who is sam altman", ""), ("Who won the Davis Cup?", ""),
     ("What is Binance?", "Binance"), ("What is the Verge?", ""), ("What is Jon Copley's new book?", ""),
     ("Who is Sam Bankman-Fried and what was he convicted of?", "Sam Bankman-Fried"),
     ("Who is Sam Altman and Greg Brockman?", ""), ("Who is Sam and what did he do?", "Sam")],
)
def test_a_who_is_question_about_a_name_asks_what_they_are(question: str, name: str) -> None:
    assert described_name(question) == name  # "Who's" is read as "Who is" by profile_question, not here
    profile = profile_question(question)
    expected = name or ("Sam Bankman-Fried" if question.startswith("Who's") else "")
    assert profile.described == expected
    if question.lower().startswith("who"):  # a who-question asks for a name unless it names someone alone
        assert (profile.answer_type == AnswerType.DESCRIPTION) == bool(expected)


def _composed(question: str, texts: list[str], scores: tuple[float, ...]) -> Composition:
    """The answer composed from one-sentence passages scored as given, best first."""
    hits = [Hit(Chunk(f"a{i}", 0, t, 0, len(t), "Report"), 1.0) for i, t in enumerate(texts)]
    scored = [CandidateSentence(h, 0, len(t), t, score=s) for h, t, s in zip(hits, texts, scores)]
    return compose(profile_question(question), scored, hits)


def test_who_is_leads_with_the_role_and_the_sentence_that_gives_it() -> None:
    texts = ["I have never seen Sam Bankman-Fried so still as during the opening statement.",
             "Sam Bankman-Fried, the founder of failed cryptocurrency exchange FTX, is on trial for fraud."]
    composed = _composed("Who is Sam Bankman-Fried?", texts, (1.0, 0.8))
    assert composed.lead is not None
    assert composed.lead.text == "the founder of failed cryptocurrency exchange FTX"
    assert [c.text for c in composed.sentences] == [texts[1], texts[0]]  # the role's sentence first


def test_a_sentence_answers_who_is_by_the_role_it_gives() -> None:
    # The role is the sentence's answer, so the scoring that picks which sentences to read favours sentences giving one.
    profile = profile_question("Who is Changpeng Zhao?")
    sentence = "Less than three weeks later, Binance founder Changpeng Zhao pleaded guilty."
    assert [(s.text, sentence[s.start:s.end]) for s in answer_spans(profile, sentence)] == [
        ("Binance founder", "Binance founder")]
    assert answer_spans(profile, "Changpeng Zhao pleaded guilty on Nov. 21.") == ()
    # a role written small for the lead still answers where the sentence writes it with a capital
    opening = "Former Binance CEO Changpeng Zhao pleaded guilty."
    assert [(s.text, opening[s.start:s.end]) for s in answer_spans(profile, opening)] == [
        ("former Binance CEO", "Former Binance CEO")]


def test_the_sentence_writing_the_role_as_shown_comes_first() -> None:
    texts = ["Less than three weeks later, Binance founder Changpeng Zhao pleaded guilty to violations.",
             "Changpeng Zhao, the founder and CEO of Binance, is stepping down."]
    composed = _composed("Who is Changpeng Zhao?", texts, (1.0, 0.9))
    assert composed.lead is not None
    assert composed.lead.text == "the founder and CEO of Binance"
    assert [c.text for c in composed.lead.sentences] == [texts[1], texts[0]]
    assert [c.text for c in composed.sentences] == [texts[1], texts[0]]
