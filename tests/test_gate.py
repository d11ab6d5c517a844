"""The coverage gate's own reading of a question against the passages: names side by side, and months."""

from __future__ import annotations

import datetime as dt

from bot.answering.facts import has_name, passage_facts
from bot.answering.gate import (
    GATE_SIGNALS,
    _month_start,
    _phrases_found,
    gate_signals,
    names_who_is_asked,
    subject_phrases,
    subject_share,
)
from bot.answering.question import profile_question
from bot.answering.sentences import CandidateSentence
from bot.retrieval.plan import plan_query
from bot.types import Hit
from index.documents import Chunk

FIGHT = ("Jai Opetaia has taken his frustrations out on a hapless Ellis Zorro, delivering a brutal first-round "
         "knockout in Riyadh.")
PRIZE = "The Nobel Prize in chemistry went to three scientists who built quantum dots, the committee said."
SERIES = ("The Arizona Diamondbacks have won Game 2 of the World Series. Pokémon premiered its first live-action TV "
          "series in Japan last month.")


def _hits(*texts: str) -> list[Hit]:
    return [Hit(Chunk(f"a{i}", 0, text, 0, len(text), "Report"), 1.0) for i, text in enumerate(texts)]


def _found(question: str, *texts: str) -> float:
    phrases = [p.lower().split() for p in subject_phrases(profile_question(question))]
    assert phrases, question
    return _phrases_found(phrases, _hits(*texts))


def test_names_a_keyword_question_puts_side_by_side_are_found_apart() -> None:
    # "Opetaia Zorro" is two people, each named in full by the passage ("Jai Opetaia", "Ellis Zorro").
    assert _found("Opetaia Zorro how did it end", FIGHT) == 1.0
    # A name of several words ending in an everyday word is one of them: "Milan" beside "Champions League".
    group = "Newcastle had 17 shots against AC Milan, and were out of the Champions League."
    assert _found("Newcastle total shots against Milan Champions League group", group) == 1.0


def test_one_name_of_several_words_is_not_split_into_the_passages_names() -> None:
    # "Series" and "Prize" are everyday words: "Japan Series" is not "Japan" beside the "World Series", and a
    # passage about the chemistry prize does not hold the "Nobel Peace Prize". Nor is "a TV series in Japan" the
    # Japan Series: a name's words come in its order.
    assert _found("Who won the 2023 Japan Series?", SERIES) == 0.0
    assert _found("Who won the Nobel Peace Prize?", PRIZE) == 0.0


def test_a_month_without_a_year_is_the_latest_one_the_articles_reach() -> None:
    november_2023 = int(dt.datetime(2023, 11, 18, tzinfo=dt.UTC).timestamp())
    january_2024 = int(dt.datetime(2024, 1, 9, tzinfo=dt.UTC).timestamp())
    cases = [("Who won in October?", november_2023, (2023, 10)), ("Who won in December?", november_2023, (2022, 12)),
             ("Who won in December?", january_2024, (2023, 12)), ("Who won in October 2021?", january_2024, None),
             ("Who won the 2021 race in October?", january_2024, (2021, 10)), ("Who won in 2021?", january_2024, None)]
    for question, newest, expected in cases:
        plan = plan_query(question, [], 2023)
        start = _month_start(profile_question(question, plan), newest)
        assert start == (None if expected is None else
                         int(dt.datetime(*expected, 1, tzinfo=dt.UTC).timestamp())), question


def test_a_passage_naming_someone_in_full_carries_their_initials() -> None:
    # The answer to "When was SBF convicted?" does not say "SBF": its passage names Sam Bankman-Fried.
    verdict = "Sam Bankman-Fried, the FTX founder, faces decades in prison. His conviction landed on Nov. 2."
    other = "SBF will take the stand on Thursday, his lawyers said."
    hits = _hits(verdict, other)
    profile = profile_question("When was SBF convicted?")
    best = [CandidateSentence(hit, 0, len(hit.chunk.text), hit.chunk.text) for hit in hits]
    assert subject_share(profile, best, None) == 1.0
    assert subject_share(profile, best[1:], None) == 0.5  # "SBF" but not "convicted"
    assert has_name("SBF", passage_facts(hits[0].chunk))
    assert not has_name("SBF", passage_facts(_hits("Sam Bankman was convicted.")[0].chunk))


def test_who_is_x_is_covered_by_passages_naming_x_whole_however_little_reads_like_it() -> None:
    def signals(names: float, phrases: float, subject: float) -> tuple[float, ...]:
        found = {"similarity": 0.17, "overlap": 1.0, "subject": subject, "names_found": names,
                 "phrases_found": phrases, "unknown_share": 0.0, "terms": 1.1, "phrases_top": phrases}
        return tuple(found[s] for s in GATE_SIGNALS)

    who = profile_question("Who is Paddy Cosgrave?")
    assert names_who_is_asked(who, signals(1.0, 1.0, 1.0))
    assert not names_who_is_asked(who, signals(1.0, 0.0, 1.0))  # "Paddy" and "Cosgrave", never together
    assert not names_who_is_asked(who, signals(0.5, 0.0, 0.5))  # no passage gives one of the names
    assert not names_who_is_asked(profile_question("Why did Paddy Cosgrave resign?"), signals(1.0, 1.0, 1.0))


def test_a_post_written_beside_a_name_is_no_part_of_it() -> None:
    # "Rogers Communications CEO" is the company's post: its passages write "Rogers Communications" and "CEO Tony
    # Staffieri", so the phrase the passages must hold is the company's name alone.
    question = "Who is the Rogers Communications CEO that Melinda Rogers-Hixon wrote to?"
    assert subject_phrases(profile_question(question)) == ["Rogers Communications"]
    assert _found(question, "Melinda Rogers-Hixon wrote to Tony Staffieri, CEO of Rogers Communications.") == 1.0
    assert subject_phrases(profile_question("What did Bank of England Governor Andrew Bailey say?")) == [
        "Bank of England", "Andrew Bailey"]
    # A title of a post that does not ask for a person on its own is a post all the same.
    assert subject_phrases(profile_question("What did Treasury Secretary Janet Yellen say about China?")) == [
        "Janet Yellen"]
    assert subject_phrases(profile_question("Why did NFL Commissioner Roger Goodell fine the Chiefs?")) == [
        "Roger Goodell"]


def test_a_word_the_corpus_spells_otherwise_is_no_unknown_word() -> None:
    # "digitalisation" stems to "digitalis", which extends the corpus's "digit" ("digital"); "zorblax" is unknown
    passage = "Carme Artigas, Spain's secretary of state for digital affairs, led the talks."
    hits = _hits(passage)
    best = [CandidateSentence(hit, 0, len(hit.chunk.text), hit.chunk.text) for hit in hits]
    idf = {t: 1.0 for t in ("carm", "artiga", "spanish", "secretari", "state", "digit", "affair", "led", "talk")}
    unknown = GATE_SIGNALS.index("unknown_share")
    asked = [profile_question(f"Which Spanish secretary for {word} led the talks?") for word in ("digitalisation",
                                                                                               "zorblax")]
    assert [p.terms for p in asked] == [("spanish", "secretari", "digitalis", "led", "talk"),
                                        ("spanish", "secretari", "zorblax", "led", "talk")]
    # every weight is 1.0 here: one unknown term of five
    assert [gate_signals(p, best, hits, idf)[unknown] for p in asked] == [0.0, 0.2]
    compound = profile_question("Which Spanish secretary for alphanumerics led the talks?")  # "alpha" + "numeric"
    assert gate_signals(compound, best, hits, {**idf, "alpha": 1.0})[unknown] == 0.2
