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


def test_a_kind_in_the_possessive_is_what_is_asked() -> None:
    # "which player's goal" asks which player; a name's possessive only qualifies the noun after it
    player = profile_question("Which Copenhagen player's goal against Galatasaray sealed United's elimination?")
    assert (player.answer_type, player.focus, player.person) == (AnswerType.NAME, "player", True)
    assert profile_question("Which FTX engineer's name was on the code commit?").focus == "engineer"
    assert profile_question("Which Alzheimer's drugs were approved in 2023?").focus == "drugs"


def test_the_name_of_one_of_a_series_asks_for_its_name() -> None:
    episode = profile_question("What was the name of the New Heights podcast installment about Swift?")
    assert (episode.answer_type, episode.focus, episode.work) == (AnswerType.NAME, "title", True)
    assert profile_question("Which installment of the series was the best?").answer_type == AnswerType.NUMBER
    assert profile_question("What is the title of Britney Spears' memoir?").focus == "memoir"


def test_a_question_word_opening_a_relative_clause_does_not_ask() -> None:
    average = profile_question("In situations where Denver trailed by eight points, what rushing average did "
                               "rookie Jaleel McLaughlin post?")
    assert (average.answer_type, average.focus) == (AnswerType.NUMBER, "average")
    assert profile_question("Where did he play, what did he say?").answer_type == AnswerType.PLACE
    assert profile_question("Which company, which was sued in May, paid the fine?").focus == "company"


def test_a_record_asked_for_is_a_tally_and_a_search_for_a_record_is_not() -> None:
    asked = profile_question("What win-loss record did Eddie Jones finish 2023 with as Wallabies coach?")
    assert (asked.answer_type, asked.focus, asked.measure) == (AnswerType.NUMBER, "record", "record")
    assert profile_question("Powerball jackpot October 2023 record").answer_type == AnswerType.DESCRIPTION


def test_a_keyword_query_asks_for_the_last_kind_it_names_past_its_frames() -> None:
    def asked(query: str) -> tuple[str, str | None]:
        profile = profile_question(query)
        return profile.answer_type.value, profile.focus

    assert asked("walmart plus annual membership price black friday") == ("number", "price")
    assert asked("chiefs jets sideline reporter oct 1 nbc") == ("description", None)  # a person noun reads none
    assert asked("louisville usc holiday bowl stadium san diego") == ("place", "stadium")
    assert asked("SBF conviction date") == ("date", "date")  # named last, as before
    # "past two games" and "week 12" frame the query; "team" inside one says whose
    assert asked("rhamondre stevenson yards past two games week 12") == ("number", "yards")  # a unit, not "games"
    assert asked("mlb team long interested in trading for gleyber torres") == ("description", None)
    assert asked("cole palmer transfer fee Man City to chelsea") == ("number", "fee")  # "City" is a name's
    assert asked("denny hamlin laps led 2023 nascar cup season") == ("description", None)  # the season is given
    assert asked("Mar-a-Lago $240 million valuation source") == ("name", "source")


def test_a_superlative_qualifies_the_noun_asked_for() -> None:
    asked = [profile_question(q) for q in (
        "What is the largest fixed-euro fine firms could face for breaching the AI rules?",
        "What was the highest price paid?",
        "Which protest drew the biggest crowd?",
    )]
    assert [(p.answer_type, p.focus) for p in asked] == [
        (AnswerType.NUMBER, "fine"), (AnswerType.NUMBER, "price"), (AnswerType.NAME, "protest")]


def test_an_ordinal_qualifies_the_noun_asked_for_and_a_deposit_is_money() -> None:
    asked = [profile_question(q) for q in (
        "What minimum first deposit does Caesars Sportsbook require for new users claiming its First Bet offer?",
        "What second album did she release?")]
    assert [(p.answer_type, p.focus, p.measure) for p in asked] == [
        (AnswerType.NUMBER, "deposit", "money"), (AnswerType.NAME, "album", None)]


def test_a_keyword_query_is_framed_from_its_preposition_and_counts_in_the_unit_it_names() -> None:
    def asked(query: str) -> tuple[str, str | None, str | None]:
        profile = profile_question(query)
        return profile.answer_type.value, profile.focus, profile.measure

    # what a preposition opens says where or against whom, not what is asked
    assert asked("michigan rushing yards win at penn state beaver stadium") == ("number", "yards", "yards")
    assert asked("newcastle total shots against milan champions league group") == ("number", "shots", None)
    assert asked("newcastle total against milan") == ("number", "total", None)  # a total of nothing named
    assert asked("cole palmer time spent at manchester city before chelsea move") == ("description", None, None)
    # not before a number, nor inside a name, nor before the name asked for, nor in the first three words
    assert asked("coinbase share value lost in 2022 percent crypto winter")[1] == "percent"
    assert asked("Five Nights at Freddy's movie streaming service") == ("name", "service", None)
    assert asked("ultrathin materials that pull CO2 from air name") == ("name", "name", None)
    assert asked("five nights at freddy's streaming service") == ("name", "service", None)


def test_what_an_amount_rose_or_fell_to_is_an_amount() -> None:
    drop = profile_question("Once the new terms took effect, what did her monthly earnings drop to at first?")
    assert (drop.answer_type, drop.measure) == (AnswerType.NUMBER, "money")
    assert profile_question("What did inflation fall to in October?").answer_type == AnswerType.NUMBER
    assert profile_question("What did the company cut to the bone?").answer_type == AnswerType.DESCRIPTION


def test_who_did_what_one_player_does_asks_for_a_person() -> None:
    asked = [profile_question(q).person for q in (
        "Who scored the only goal in Copenhagen's 1-0 win over Galatasaray?",
        "Who kicked the game-winning field goal for the Bears?", "Who won the game?", "Who scored first?")]
    assert asked == [True, True, False, False]  # a team wins, and may score first


def test_a_count_of_people_or_money_a_noun_names_asks_an_amount() -> None:
    questions = ["afrofuture 2022 festival attendance ghana", "What was the death toll of the quake?",
                 "What was Moderna's revenue in 2022?", "What is the population of Gaza?", "What was the turnout?"]
    assert [profile_question(q).answer_type for q in questions] == [AnswerType.NUMBER] * 5
