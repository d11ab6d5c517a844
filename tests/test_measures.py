"""How an amount fits what a question measures (bot/answering/measures.py)."""

from __future__ import annotations

from bot.answering.measures import (
    bracketed_owner,
    in_play,
    is_score,
    listed_for,
    measure_fit,
    only_possible,
    season_record,
)
from bot.answering.question import profile_question
from bot.answering.sentences import answer_spans
from bot.answering.spans import Span


def _span(sentence: str, text: str) -> Span:
    start = sentence.index(text)
    return Span(text, start, start + len(text))


def test_each_measure_wants_its_kind_of_amount() -> None:
    assert [measure_fit(a, "score") for a in ("4–4", "30-24", "30")] == [1.0, 1.0, 0.3]
    assert [measure_fit(a, "money") for a in ("$1.3bn", "300 pounds", "1,000 people")] == [1.0, 1.0, 0.3]
    assert [measure_fit(a, "time") for a in ("50 years", "$50")] == [1.0, 0.4]
    assert [measure_fit(a, "count") for a in ("12 charges", "$12", "12 years")] == [1.0, 0.5, 0.5]
    assert [measure_fit(a, "frequency") for a in ("100 times", "three years", "3")] == [1.0, 0.4, 0.4]
    assert [measure_fit(a, "record") for a in ("2-7", "24-1-0", "2", "$27")] == [1.0, 1.0, 0.3, 0.3]
    assert [measure_fit(a, "age") for a in ("73", "27-year-old")] == [1.0, 1.0]
    assert [measure_fit(a, "percent") for a in ("54%", "54 percent", "6.9 per cent", "ninety-five countries")] == [
        1.0, 1.0, 1.0, 0.4]
    assert [is_score(a) for a in ("4-4", "30 – 24", "2023", "4-4-2 formation")] == [True, True, False, False]


def test_a_score_in_brackets_or_during_play_is_no_final_score() -> None:
    record = "Michigan (12-0) beat Ohio State 30-24."
    assert [season_record(_span(record, s), record) for s in ("12-0", "30-24")] == [True, False]
    written = "Oregon State went 10-3 last year, an 8-1 start, and it beat Utah 21-7 after a 10-3 mark in 2022."
    assert [season_record(_span(written, s), written) for s in ("10-3", "8-1", "21-7")] == [True, True, False]
    assert season_record(Span("10-3", written.rindex("10-3"), written.rindex("10-3") + 4), written) is True
    tied = "Ohio State tied the score at 17-17 with 6:08 left in the third quarter, and won 30-24."
    assert in_play(_span(tied, "17-17"), tied) is True
    assert in_play(_span("They won 30-24 on Saturday.", "30-24"), "They won 30-24 on Saturday.") is False
    assert in_play(_span("Corum scored for a 7-0 lead.", "7-0"), "Corum scored for a 7-0 lead.") is True
    slipped = "Michigan State regressed to 5-7 in 2022."
    assert season_record(_span(slipped, "5-7"), slipped) is True


def test_what_may_be_does_not_answer_what_was_but_answers_what_may_be() -> None:
    sentence = "He faces up to 50 years in prison, and was ordered to pay $10 million."
    fifty, ten = _span(sentence, "50 years"), _span(sentence, "$10 million")
    assert only_possible(fifty, sentence, "How many years did he get?") is True
    assert only_possible(fifty, sentence, "How many years could he get?") is False
    assert only_possible(ten, sentence, "How much was he ordered to pay?") is False


def test_an_amount_in_brackets_or_in_a_list_closed_by_respectively_is_its_own_names() -> None:
    listed = "Woodside (down 0.8 per cent), Santos (down 0.4 per cent) and Ampol (down 1.2 per cent) dropped."
    assert [bracketed_owner(_span(listed, s), listed) for s in ("0.8 per cent", "1.2 per cent")] == [
        "Woodside", "Ampol"]
    assert bracketed_owner(_span("Ampol dropped 2.8 per cent.", "2.8"), "Ampol dropped 2.8 per cent.") is None
    both = "Woodside and Santos shed 0.8 per cent and 0.4 per cent, respectively, and Ampol dropped 2.8 per cent."
    assert [listed_for(_span(both, s), both) for s in ("0.8 per cent", "0.4 per cent", "2.8 per cent")] == [
        "Woodside and Santos shed ", "Woodside and Santos shed 0.8 per cent and ", None]


def test_a_day_of_a_month_is_no_amount() -> None:
    profile = profile_question("How big were ASOS's pre-tax losses?")
    sentence = "ASOS's pre-tax losses ballooned to almost £300m in the year to 3 September, from £31m."
    assert [s.text for s in answer_spans(profile, sentence)] == ["£300m", "£31m"]  # not the "3" of 3 September


def test_an_age_is_written_whole() -> None:
    profile = profile_question("How old is Travis Kelce?")
    sentence = "On Sunday the 33-year-old tight end caught a pass."
    assert [s.text for s in answer_spans(profile, sentence)] == ["33-year-old"]


def test_how_many_of_is_answered_by_the_part_not_the_whole_it_is_counted_from() -> None:
    sentence = "Klopp has lost one of his 17 encounters with Everton and three of the past 25 league derbies."
    part = profile_question("How many of his games against Everton has Klopp lost?")
    whole = profile_question("How many games against Everton has Klopp played?")
    assert [s.text for s in answer_spans(part, sentence)] == ["one", "three"]
    assert [s.text for s in answer_spans(whole, sentence)] == ["17", "25"]


def test_what_a_sum_is_raised_for_is_no_amount() -> None:
    assert [profile_question(q).answer_type.value for q in ("What do the Mombies raise money for?",
                                                            "What did the Mombies raise?")] == [
        "description", "number"]
