"""The short answer that opens an extractive answer (bot/answering/lead.py): how many names it gives, and names
written in lower case as one of the kind asked for."""

from __future__ import annotations

from bot.answering.closeness import introduced_as
from bot.answering.lead import _listed_together, choose_lead
from bot.answering.question import profile_question
from bot.answering.sentences import CandidateSentence, answer_spans
from bot.answering.spans import Span, kind_instances
from bot.retrieval.plan import plan_query
from bot.types import Hit
from index.documents import Chunk


def _lead(question: str, sentences: list[str]) -> str | None:
    """The lead `choose_lead` gives over sentences of one retrieved passage each, the first the best."""
    profile = profile_question(question)
    hits = [Hit(Chunk(f"a{i}", 0, s, 0, len(s), "Coverage"), 1.0) for i, s in enumerate(sentences)]
    cands = [CandidateSentence(hit, 0, len(s), s, score=1.0 - 0.01 * i, answers=answer_spans(profile, s))
             for i, (hit, s) in enumerate(zip(hits, sentences))]
    lead = choose_lead(profile, cands, hits)
    return lead.text if lead else None


def _lead_in_one_passage(question: str, sentences: list[str]) -> str | None:
    """The lead over sentences of one passage, each scored 0.2 below the one before it."""
    profile = profile_question(question)
    text = " ".join(sentences)
    hit = Hit(Chunk("a0", 0, text, 0, len(text), "Coverage"), 1.0)
    starts = [text.index(s) for s in sentences]
    cands = [CandidateSentence(hit, at, at + len(s), s, score=1.0 - 0.2 * i, answers=answer_spans(profile, s))
             for i, (at, s) in enumerate(zip(starts, sentences))]
    lead = choose_lead(profile, cands, [hit])
    return lead.text if lead else None


def test_a_question_asking_for_two_names_is_led_by_two_in_the_order_a_sentence_writes_them() -> None:
    sentences = ["Fans spotted Travis Kelce leaving the stadium with Taylor Swift on Sunday.",
                 "Travis Kelce and Taylor Swift were later seen at dinner, a witness told reporters."]
    assert [profile_question(q).several for q in ("Which two celebrities were seen together?",
                                                    "Which celebrities were seen together?",
                                                    "Which four teams made the playoff?",
                                                    "Who was seen with Kelce?")] == [2, 1, 4, 1]
    assert _lead("Which two celebrities were seen leaving the stadium together?", sentences) == (
        "Travis Kelce and Taylor Swift")
    assert _lead("Which celebrity was seen leaving the stadium?", sentences) == "Taylor Swift"  # one name: the nearer
    # A plural person noun asks for people: "which two individuals", "which players".
    assert profile_question("Which two individuals were seen?").person
    assert profile_question("Which players scored?").person


def test_a_further_name_needs_a_share_of_the_best_ones_votes_and_is_no_part_of_it() -> None:
    sentences = ["Travis Kelce caught two passes as Kelce's team won in Kansas City.",
                 "Travis Kelce thanked the fans.", "Travis Kelce said the team played well."]
    # "Kelce" is part of the winner; Kansas City has too small a share of the votes beside three sentences.
    assert _lead("Which two players starred in the win?", sentences) == "Travis Kelce"


def test_a_name_written_in_lower_case_as_one_of_the_kind_asked_for_answers() -> None:
    sentence = "A second drug, donanemab, is expected to follow soon for Alzheimer's patients in the UK."
    assert kind_instances(sentence, "drugs") == [Span("donanemab", 15, 24)]
    assert kind_instances("The virus – mpox – spread in May.", "virus") == [Span("mpox", 12, 16)]
    assert kind_instances("The drug maker said so, the drug, reportedly, worked.", "drugs") == []  # everyday words
    assert kind_instances("Most Android app installs are from Google Play.", "app") == []  # a compound
    assert _lead("Which Alzheimer's drugs might UK patients get?", [sentence]) == "donanemab"  # not the UK


def test_a_name_set_before_the_noun_asked_for_is_introduced_as_it() -> None:
    assert [profile_question(q).person for q in ("Which prosecutor gave the opening statement?",
                                                  "Which wide receiver leads the league?",
                                                  "Which streamer promoted the new season?",
                                                  "Which columnist wrote it?",
                                                  "Who will host the World Cup?")] == [True, True, True, True, False]
    sentence = "“It was built on lies,” began Thane Rehn, a prosecutor for the government, before FTX fell."
    assert _lead("Which prosecutor gave the government's opening statement?", [sentence]) == "Thane Rehn"
    rehn, ftx = (Span(n, sentence.index(n), sentence.index(n) + len(n)) for n in ("Thane Rehn", "FTX"))
    assert [introduced_as(rehn, sentence, "prosecutor"), introduced_as(ftx, sentence, "prosecutor")] == [
        True, False]
    shear = "OpenAI has appointed Emmett Shear, the co-founder of Twitch, as interim CEO."
    span = Span("Emmett Shear", shear.index("Emmett"), shear.index("Emmett") + 12)
    assert introduced_as(span, shear, "cofounder") and introduced_as(span, shear, "co-founder")
    senator = "Sen. Bob Menendez, charged with bribery, quizzed the bank executives."  # "Sen." is a senator
    assert introduced_as(Span("Bob Menendez", 5, 17), senator, "senator")
    assert not introduced_as(Span("Bob Menendez", 5, 17), senator, "general")


def test_a_rank_and_a_record_are_no_score() -> None:
    ranked = "No. 3 Washington beat No. 5 Oregon in the Pac-12 championship game, after a 10-3 mark in 2022."
    assert _lead("What was the score of the Pac-12 championship game?", [ranked]) is None  # no "3", no record
    assert _lead("What number was Washington ranked before the Pac-12 championship game?", [ranked]) == "3"
    assert _lead("Michigan Ohio State final score", ["Ohio State had one minute to score in the end."]) is None
    final = "No. 3 Washington beat No. 5 Oregon 34-31 in the Pac-12 championship game."
    assert _lead("What was the score of the Pac-12 championship game?", [final]) == "34-31"


def test_an_amount_written_as_another_names_does_not_answer_for_the_question_s_name() -> None:
    listed = "Woodside (down 0.8 per cent), Santos (down 0.4 per cent) and Ampol (down 1.2 per cent) dropped."
    assert _lead("How much did Ampol shares drop?", [listed]) == "1.2 per cent"
    both = "Woodside and Santos shed 0.8 per cent and 0.4 per cent, respectively, and Ampol dropped 2.8 per cent."
    assert _lead("How much did Ampol shares drop?", [both]) == "2.8 per cent"
    # "1.2 per cent" and "2 per cent" are two amounts, not one written two ways (as "Kelce" is "Travis Kelce").
    whole = "Ampol (down 1.2 per cent) dropped after the oil price fell."
    assert _lead("How much did Ampol shares drop?", [whole, "Ampol shares were down 2 per cent."]) == "1.2 per cent"


def test_a_further_name_is_one_the_passages_list_beside_a_name_already_chosen() -> None:
    sentences = ["The shake-up removed Ilya Sutskever (still at the company) and Helen Toner (gone) from the board.",
                 "The board's Preparedness Framework was retooled after Ilya Sutskever and Toner left the board."]
    assert _lead("Which two board members were removed in the shake-up?", sentences) == (
        "Ilya Sutskever and Helen Toner")
    alone = ["The shake-up removed Ilya Sutskever from the board, whose Preparedness Framework was retooled."]
    assert _lead("Which two board members were removed in the shake-up?", alone) == "Ilya Sutskever"
    assert [_listed_together("Taylor Swift", "Travis Kelce", ["fans saw Swift and Kelce leave"]),
            _listed_together("Travis Kelce", "Taylor Swift", ["Kelce, Swift"]),
            _listed_together("Taylor Swift", "Travis Kelce", ["Swift sang. Kelce caught a pass."])] == [
        True, True, False]


def test_a_relative_sharing_the_question_s_surname_answers_and_a_count_reads_past_or_more() -> None:
    profile = profile_question("What is the name of Travis Kelce's brother?")
    assert (profile.answer_type, profile.focus, profile.person) == ("name", "brother", True)
    sentence = "Travis Kelce spoke on the podcast he hosts with his brother Jason Kelce."
    assert [s.text for s in answer_spans(profile, sentence)] == ["Jason Kelce"]  # Travis Kelce is the subject
    assert [s.text for s in answer_spans(profile_question("Who is Travis Kelce's coach?"), sentence)] == []
    assert profile_question("What prosecutor gave the opening statement?").answer_type == "name"
    record = "He is the only player to have 20 or more interceptions and 500 or more tackles in that time."
    assert _lead("How many tackles has Jordan Poyer made?", [f"Jordan Poyer is a safety. {record}"]) == "500"


def test_who_is_the_role_of_asks_for_the_name_written_beside_that_role() -> None:
    assert [profile_question(q).focus for q in ("Who is the mother of Charlie Sheen's twin sons?",
                                                 "Who was the CEO at OpenAI in November?",
                                                 "Who is the player mentioned by the Times?",
                                                 "Who is the individual that founded FTX?",
                                                 "Who won the Davis Cup?")] == ["mother", "ceo", None, None, None]
    sentences = ["Sheen, who also has three daughters — one with a high school sweetheart and two with ex-wife Denise "
                 "Richards — called his sons “really cool, really smart and really funny.”",
                 "The boys' mother, Brooke Mueller, has struggled with drug addiction for several years."]
    # The better sentence names his ex-wife; the role the question asks for is written before the other name.
    assert _lead_in_one_passage("Who is the mother of Charlie Sheen's twin sons?", sentences) == "Brooke Mueller"
    assert _lead_in_one_passage("Who did Charlie Sheen marry?", sentences) == "Denise Richards"


def test_a_role_whose_holder_the_question_names_asks_for_the_name_beside_that_role() -> None:
    questions = ("Who is Beeper's CTO, according to TechCrunch?", "Who was OpenAI's interim CEO?",
                 "Who is the Rogers Communications CEO that Melinda Rogers-Hixon wrote to?",
                 "Who is the NFL player that won the Super Bowl?", "Who is Taylor Swift dating?")
    assert [profile_question(q).focus for q in questions] == ["cto", "ceo", "ceo", None, None]
    sentence = ("Founded in 2020, Beeper comes from former Y Combinator partner Eric Migicovsky and CTO Brad Murray, "
                "previously of Faire and Fitbit.")
    # The question writes the role as a name: the name after it is still no subject of the question's.
    assert [s.text for s in answer_spans(profile_question(questions[0]), sentence)] == [
        "Y Combinator", "Eric Migicovsky", "Brad Murray", "Faire", "Fitbit"]
    assert _lead_in_one_passage(questions[0], [sentence]) == "Brad Murray"


def test_a_work_asked_for_may_be_one_quoted_word() -> None:
    sentence = 'They pick a theme, a mashup from Connecticut that always includes Michael Jackson’s "Thriller."'
    assert _lead("Which song is always part of the mashup?", [sentence]) == "Thriller"
    assert _lead("Which state is the mashup from?", [sentence]) == "Connecticut"


def test_an_amount_written_with_and_without_a_hyphen_before_its_unit_is_one_answer() -> None:
    sentences = ["The C2’s 65-inch OLED screen has a 120 Hz refresh rate for gaming.",
                 "The C2 has gaming features, including a 120-Hz refresh rate and a 65-inch panel."]
    assert _lead("What is the refresh rate of the C2?", sentences) == "120 Hz"


def test_a_clause_s_person_named_by_surname_in_a_story_that_writes_the_name_whole_is_named() -> None:
    question = "When could Jai Opetaia's next fight be, after his KO of Zorro?"
    profile = profile_question(question, plan_query(question, [], 2023))
    assert profile.clause_names == (("Jai", "Opetaia"), ("KO", "Zorro"))
    texts = ["Jai Opetaia beat Ellis Zorro with a first-round KO in Riyadh on Sunday.",
             "After the KO of Zorro, Opetaia's next fight could be on the Fury-Usyk card on February 17. Opetaia "
             "wants his belt back."]
    hits = [Hit(Chunk("opetaia", n, t, 0, len(t), "Opetaia knocks out Zorro"), 1.0) for n, t in enumerate(texts)]
    sentences = [(hits[1], texts[1].split(". ")[0] + "."), (hits[0], texts[0])]
    cands = [CandidateSentence(hit, 0, len(s), s, score=1.0 - 0.1 * i, answers=answer_spans(profile, s))
             for i, (hit, s) in enumerate(sentences)]
    lead = choose_lead(profile, cands, hits)
    # "Opetaia's" passage answers the first clause too: its story names "Jai Opetaia" whole
    assert lead is not None and lead.text == "February 17"


def test_a_name_and_its_alias_are_one_answer_and_a_word_without_a_vowel_is_none() -> None:
    sentences = ["Streamer Ali Hassan promoted the game's return in a short video on Friday.",
                 "Ninja, aka Tyler Blevins, promoted the game's return with a giant replica of Durr Burger."]
    # "Ninja" and "Tyler Blevins" are one streamer: their votes count together, shown by the name
    assert _lead("Which streamer promoted the game's return?", sentences) == "Tyler Blevins"
    apart = [sentences[0], sentences[1].replace(", aka", " and")]  # two streamers
    assert _lead("Which streamer promoted the game's return?", apart) == "Ali Hassan"
    ws = "From the “Ws” in the replies, the game's community sounds very on board with the return."
    assert _lead("Which streamer cheered the game's return?", [ws]) is None


def test_the_holder_of_a_post_is_named_without_the_post_s_title_words() -> None:
    sentences = ["Her letter went to the board and to Chief Executive Officer Tony Staffieri last month.",
                 "Melinda Rogers-Hixon says the Rogers Communications CEO has frozen her out."]
    question = "Who is the Rogers Communications CEO that Melinda Rogers-Hixon wrote to?"
    assert _lead_in_one_passage(question, sentences) == "Tony Staffieri"
    assert _lead("Who is Beeper's CTO?", ["CTO Brad Murray built the app with CEO Eric Migicovsky."]) == "Brad Murray"


def test_a_record_asked_for_is_led_by_a_tally() -> None:
    sentences = ["Jones lost 40 players to injury in 2023 and finished the year with a 2-7 record.",
                 "The Wallabies were knocked out of the World Cup in the pool stage for the first time."]
    assert _lead("What win-loss record did Eddie Jones finish 2023 with?", sentences) == "2-7"
    assert _lead("How much does the authority believe Iran sends to Gaza each year?", [
        "Two weeks into the war, the authority received intelligence from two countries.",
        "As far as we know, the budget from Iran to Gaza is in the order of $100 million a year."]) == "$100 million"


def test_a_demonym_never_leads_a_name() -> None:
    sentences = ["The latest slip saw the Red Devils crash out as an English club conceded 15 goals.",
                 "Copenhagen took second place in the group after their win."]
    # "English" says where the club is from; the lead is the club the other sentence names.
    assert _lead("Which club grabbed the second place they were chasing in the group?", sentences) == "Copenhagen"


def test_what_an_acronym_stands_for_is_led_by_the_words_its_initials_spell() -> None:
    from bot.answering.lead import expansion_lead

    text = ("STEVE is an aurora-like glow that often accompanies the northern lights. The acronym stands for Strong "
            "Thermal Emission Velocity Enhancement. It is caused by hot streams of gas.")
    hit = Hit(Chunk("a0", 0, text, 0, len(text), "Coverage"), 1.0)
    spans = [(0, 72), (73, 141), (142, len(text))]
    cands = [CandidateSentence(hit, a, b, text[a:b], score=1.0 - 0.1 * i) for i, (a, b) in enumerate(spans)]
    for question in ("What does the acronym STEVE stand for?", "what does steve stand for"):
        lead = expansion_lead(profile_question(question), cands)
        assert lead is not None and lead.text == "Strong Thermal Emission Velocity Enhancement"
        assert [c.start for c in lead.sentences] == [73]
    # Another question, or a passage that never writes the acronym, gets no such lead.
    assert expansion_lead(profile_question("What is STEVE?"), cands) is None
    other = Hit(Chunk("a1", 0, text[73:141], 0, 68, "Coverage"), 1.0)
    assert expansion_lead(profile_question("What does STEVE stand for?"),
                          [CandidateSentence(other, 0, 68, text[73:141], score=1.0)]) is None
