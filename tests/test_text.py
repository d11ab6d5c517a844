"""index/text.py: the sentence splits, term analysis, names, numbers and calendar words every layer shares."""

from __future__ import annotations

import re

from index.text import (
    CALENDAR_WORDS,
    DATE_WORDS,
    MONTHS,
    NAME,
    STOPWORDS,
    Number,
    acronym_phrases,
    analyze,
    bare_word,
    common_word,
    counted,
    date_forms,
    everyday_word,
    months_in,
    name_phrases,
    name_words,
    number_words_in,
    numbers_in,
    possessive,
    quick_sentence_spans,
    sentence_spans,
    split_spans,
    stem,
    word_variants,
)

TEXT = (
    "Mr. Smith said: “It is done.” Then he left. U.S. officials agreed on Oct. 3, 2023.\n\n"
    "New paragraph here\n- a bullet point"
)


def pieces(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[a:b] for a, b in spans]


def test_sentence_spans_respect_abbreviations_paragraphs_and_bullets() -> None:
    assert pieces(TEXT, sentence_spans(TEXT)) == [
        "Mr. Smith said: “It is done.”",
        "Then he left.",
        "U.S. officials agreed on Oct. 3, 2023.",
        "New paragraph here",
        "- a bullet point",
    ]
    assert sentence_spans("") == []
    news = ("Threads was the No. 3 app by U.S. downloads. Gov. Gavin Newsom and Sgt. Smith agreed. The vote was a "
            "no. Then they met.\n\nIt was No.\n\n4 later.")
    assert pieces(news, sentence_spans(news)) == [
        "Threads was the No. 3 app by U.S. downloads.", "Gov. Gavin Newsom and Sgt. Smith agreed.",
        "The vote was a no.", "Then they met.", "It was No.", "4 later."]  # a paragraph ends a sentence
    cut = ("As the team scrambled, U.S. Senator Elizabeth Warren (D-Mass.) shamed Apple on X. He moved to the U.S. "
           "He then left. iPhone sales rose. “Tomorrow?” he said. Ads (i.e. paid results) grew. It was done. "
           "after newsletter promotion. Wow! pic.twitter.com/1iYIIKBhtN")
    assert pieces(cut, sentence_spans(cut)) == [  # a cut inside a sentence: a lower-case word after an abbreviation
        "As the team scrambled, U.S. Senator Elizabeth Warren (D-Mass.) shamed Apple on X.", "He moved to the U.S.",
        "He then left.", "iPhone sales rose.", "“Tomorrow?” he said.", "Ads (i.e. paid results) grew.",
        "It was done.", "after newsletter promotion.", "Wow!", "pic.twitter.com/1iYIIKBhtN"]


def test_quick_spans_split_at_sentence_ends_and_lines() -> None:
    text = "Mr. Smith met U.S. officials. Talks ended!\nNext line “Quoted.” Then more"
    assert pieces(text, quick_sentence_spans(text)) == [
        "Mr. Smith met U.S. officials.", "Talks ended!", "Next line “Quoted.”", "Then more",
    ]
    assert quick_sentence_spans("no end here") == [(0, 11)]
    assert quick_sentence_spans("") == [(0, 0)]
    # The regex knows fewer abbreviations than Punkt: "Oct. 3" ends a sentence here.
    assert pieces(TEXT, quick_sentence_spans(TEXT))[2:4] == ["U.S. officials agreed on Oct.", "3, 2023."]


def test_split_spans_skips_blank_pieces() -> None:
    assert split_spans("a, b,, c ,", re.compile(",")) == [(0, 1), (2, 4), (6, 9)]


def test_analyze_lowercases_stems_and_drops_stopwords() -> None:
    assert analyze(["Mayor Reyes’ councillors were cutting ribbons at the Harbor Bridge", ""]) == [
        ["mayor", "rey", "councillor", "were", "cut", "ribbon", "harbor", "bridg"], [],
    ]
    assert stem("running") == "run" and stem("councillors") == "councillor"


def test_analyze_gives_the_terms_bm25s_gives() -> None:
    import bm25s

    from index.text import _stemmer

    texts = ["Mayor Reyes’ councillors were cutting ribbons at the Harbor Bridge", "",
             "Ünïcödé naïve café: 3.5% of $1.2bn, the U.S. co-op's İstanbul straße — it's THE 2023 run-off!",
             "the of and", "A b c dd ee 42 7"]
    expected = bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)
    assert analyze(texts) == [list(t) for t in expected]
    assert analyze(texts)[4] == ["dd", "ee", "42"]


def test_analyze_answers_from_memory_as_it_analyses_and_a_caller_cannot_change_what_it_keeps() -> None:
    bridge = "The harbor bridge reopened on Tuesday"
    texts = [bridge, "Councillors voted twice", bridge]
    first = analyze(texts)
    assert first == [["harbor", "bridg", "reopen", "tuesday"], ["councillor", "vote", "twice"],
                     ["harbor", "bridg", "reopen", "tuesday"]]
    first[0].append("changed")
    assert analyze(texts[:1]) == [["harbor", "bridg", "reopen", "tuesday"]]  # from memory, unchanged
    # A batch too large to keep (an index build's) is analysed the same way.
    many = [f"Bridge number {i + 10} reopened" for i in range(300)] + texts[1:2]
    analysed = analyze(many)
    assert analysed[-1] == ["councillor", "vote", "twice"] and analysed[7] == ["bridg", "number", "17", "reopen"]


def test_name_words_skip_stopwords_and_sentence_initial_common_words() -> None:
    assert name_words("Officials said Mayor Dana Reyes met FIFA in Port-Elling on Tuesday.") == [
        "Mayor", "Dana", "Reyes", "FIFA", "Port", "Elling", "Tuesday",
    ]
    assert name_words("Critics said the Harbor Bridge cost more. Reyes disagreed.") == ["Harbor", "Bridge", "Reyes"]
    assert common_word("Critics") and not common_word("Reyes")
    # Interjections open sentences of quoted speech, and Punkt's newswire rarely saw them in lower case.
    assert [common_word(w) for w in ("Yeah", "Wow", "OK")] == [True, True, False]  # "OK Go" is a band
    assert name_words("Yeah, Google manipulates search. Wow, Valve did it.") == ["Google", "Valve"]
    assert "the" in STOPWORDS and "mayor" not in STOPWORDS


def test_name_phrases_group_adjacent_names_in_order() -> None:
    text = "The Riverton Rockets’ coach, Helen Marsh, praised Sam Bankman-Fried and the Riverton Rockets."
    assert name_phrases(text) == ["Riverton Rockets", "Helen Marsh", "Sam Bankman-Fried"]
    assert name_phrases("no names at all") == []


def test_name_pattern_takes_initials_titles_and_particles() -> None:
    assert re.findall(NAME, "Ludwig van Beethoven wrote to Mr. Li and J. R. Tolkien") == [
        "Ludwig van Beethoven", "Mr. Li", "J. R. Tolkien",
    ]


def test_word_variants_drop_possessives_dots_and_split_hyphens() -> None:
    assert sorted(word_variants("Port-Elling’s")) == ["elling", "port", "port-elling", "port-elling’s"]
    assert sorted(word_variants("U.S.")) == ["u.s", "us"]


def test_numbers_as_written_as_values_and_scaled() -> None:
    assert numbers_in("It cost $82m, 1,250 jobs and 3.5 billion dollars; 19 - million more in 2023.") == [
        Number("82", 82.0, 82e6), Number("1250", 1250.0, None), Number("3.5", 3.5, 3.5e9),
        Number("19", 19.0, 19e6), Number("2023", 2023.0, None),
    ]
    assert numbers_in("v2 and 1.5.3") == [Number("1.5", 1.5, None)]  # no number inside a word
    assert number_words_in("Three of the twenty-one players and a dozen fans") == ["three", "dozen"]


def test_calendar_words_and_month_numbers() -> None:
    assert (MONTHS["january"], MONTHS["may"], MONTHS["sept"], MONTHS["sep"], MONTHS["dec"]) == (1, 5, 9, 9, 12)
    assert len(MONTHS) == 24  # 12 names, 11 distinct three-letter forms ("may" is both), "sept"
    assert "tuesday" in DATE_WORDS and "october" in DATE_WORDS and "oct" not in DATE_WORDS and len(DATE_WORDS) == 19
    assert {"Oct", "Sept", "October", "Tuesday"} <= CALENDAR_WORDS and len(CALENDAR_WORDS) == 31


def test_months_in_capitalised_and_lower_case_names_but_not_the_verbs() -> None:
    assert months_in("When in November did Chelsea say so, Nov. 4 or Sept 3?") == {9, 11}
    assert months_in("in october, or may be in march") == {10}  # lower-case "may" and "march" are verbs
    assert months_in("May 25, March 3") == {3, 5}
    assert months_in("The Decemberists played on Monday") == set()


def test_date_forms() -> None:
    assert date_forms("2023-10-04T09:30:00+00:00") == ["2023-10-04", "October 04 2023 Wednesday Oct", "4"]
    assert date_forms("yesterday") == ["yesterday"]
    assert date_forms(None) == []


def test_counted_puts_the_noun_in_the_number_it_takes() -> None:
    assert [counted(n, "article") for n in (0, 1, 2)] == ["0 articles", "1 article", "2 articles"]


def test_a_possessive_names_an_owner() -> None:
    words = ("Alzheimer's", "OpenAI’s", "Jones'", "Bankman-Fried", "J.", "its")
    assert [possessive(w) for w in words] == [True, True, True, False, False, False]
    assert [bare_word(w) for w in words[:3]] == ["Alzheimer", "OpenAI", "Jones"]


def test_acronym_phrases_read_capitalised_runs_their_tails_and_hyphenated_parts() -> None:
    assert acronym_phrases("The Respiratory Syncytial Virus and the European Central Bank.") == {
        "trsv": "The Respiratory Syncytial Virus", "rsv": "Respiratory Syncytial Virus", "sv": "Syncytial Virus",
        "ecb": "European Central Bank", "cb": "Central Bank"}
    assert set(acronym_phrases("Former CEO Sam Bankman-Fried was convicted.")) == {
        "fcsb", "fcsbf", "csb", "csbf", "sb", "sbf"}
    assert acronym_phrases("Former CEO Sam Bankman-Fried was convicted.")["sbf"] == "Sam Bankman-Fried"
    assert set(acronym_phrases("Report\nSam Bankman-Fried")) == {"sb", "sbf"}  # a title's last word starts no run
    assert acronym_phrases("Bankman-Fried was convicted.") == {}  # one name is no run


def test_a_prefixed_everyday_word_is_general_english_and_a_name_is_not() -> None:
    # Punkt's newswire never wrote "unaccounted" lower-case; its parts are everyday English all the same.
    words = ["unaccounted", "overpaid", "non-profit", "misreported", "Hapoalim", "kibbutz", "Disney", "whr"]
    assert [w for w in words if everyday_word(w)] == ["unaccounted", "overpaid", "non-profit", "misreported"]
    assert not common_word("unaccounted")


def test_a_word_of_the_embedder_s_vocabulary_newswire_never_capitalises_is_everyday() -> None:
    # Punkt's newswire never wrote "bounty" or "pot" at all; the embedder's vocabulary holds them, and newswire
    # never capitalised them inside a sentence, as it did "Ottawa", "Trump" and "Disney".
    words = ["bounty", "pot", "townspeople", "Ottawa", "Trump", "Disney", "Foxconn", "jab"]
    assert [w for w in words if everyday_word(w)] == ["bounty", "pot", "townspeople"]
    assert [w for w in words if not common_word(w)] == words


def test_a_match_or_a_case_goes_on_past_its_versus() -> None:
    text = "Matthew Stafford, Rams vs. Commanders ($7,200). Smith v. Jones was decided. Then they left."
    assert pieces(text, sentence_spans(text)) == [
        "Matthew Stafford, Rams vs. Commanders ($7,200).", "Smith v. Jones was decided.", "Then they left."]
