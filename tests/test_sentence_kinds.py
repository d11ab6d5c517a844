"""Sentence kinds (index/sentence_kinds.py): page furniture is told from prose by general signals."""

from __future__ import annotations

from index.sentence_kinds import (
    SentenceKind,
    blank_glued_openings,
    glued_openings,
    opening_keys,
    prose_spans,
    sentence_key,
    sentence_kind,
)


def test_a_photo_caption_is_told_by_its_credit_or_by_where_people_stand_in_the_picture() -> None:
    texts = ("Combination showing Sam Bankman-Fried (L) and Zhao Changpeng (R), founder of Binance.",
             "West Indies’ Shai Hope (right) celebrates with Jason Holder after hitting the winning runs.",
             "Fans gather outside the stadium. Photograph: Randy Brooks/AFP/Getty Images",
             "The defence ranks bottom five in rushing touchdowns allowed (right), the figures show.",
             "Richard Teng will be the exchange’s new chief executive, Zhao said on Tuesday.")
    assert [sentence_kind(t) for t in texts] == [SentenceKind.CAPTION] * 3 + [SentenceKind.PROSE] * 2


def test_a_call_to_action_is_a_link_line_and_the_same_verbs_in_a_story_are_prose() -> None:
    texts = ("Watch all the action from Rugby World Cup 2023 on the home of rugby, Stan Sport.",
             "Sign up for our free sport newsletter for all the latest news.",
             "Check out our guide to the best Apple Watches for 2023.",
             "Subscribe to Morning Kombat for a complete preview of UFC 295 from New York below.",
             "Visit SportsLine now to get detailed picks on every fight at UFC 295.",
             "Fans can watch all the action on Sunday at the stadium.",
             "Follow the money, prosecutors told the jury in their closing argument.",
             "Get it right, and you can easily take advantage of changes in the market.",
             "Visitors to New York can subscribe to the pass at the airport.")
    assert [sentence_kind(t, whole_block=False) for t in texts] == [SentenceKind.LINK] * 5 + [SentenceKind.PROSE] * 4


def test_a_newsletter_sign_up_box_is_a_link_line_and_a_story_about_sign_ups_is_prose() -> None:
    texts = ("skip past newsletter promotion Sign up to Football Daily Free daily newsletter Kick off your evenings "
             "with our take on the world of football Privacy Notice: Newsletters may contain info about charities.",
             "Stay ahead of the trend with our free weekly Lifestyle Edit newsletter Please enter a valid email "
             "address SIGN UP I would like to be emailed about offers, events and updates.",
             "If you want to receive The Interchange directly in your inbox every Sunday, head here to sign up!",
             "Sign up for Verge Deals to get deals on products we've tested sent to your inbox daily.",
             "Football email {{ #verifyErrors }} {{ message }} {{ /verifyErrors }} Something went wrong.",
             "If you sign up for the free plan with your email, users can access 10GB per month of data.",
             "More than two million readers signed up for the newsletter in its first year, the company said.",
             "Gmail will now sort promotions out of your inbox, Google said on Tuesday.")
    assert [sentence_kind(t, whole_block=False) for t in texts] == [SentenceKind.LINK] * 5 + [SentenceKind.PROSE] * 3


def test_where_to_play_an_episode_and_a_newsletter_s_own_introduction_are_link_lines() -> None:
    texts = ("He spoke about the trial in the latest episode of our podcast, which you can listen to below, or on "
             "Apple Podcasts or Spotify.",
             "Subscribe to the show wherever you get your podcasts.",
             "This is Hot Pod, The Verge’s newsletter about podcasting and the audio industry.",
             "We cover horror year-round, whether it’s the best horror movies you can stream at home or on Netflix.",
             "Critics said you can listen to the album in one sitting.",
             "This is a newsletter story, the editor said.",
             "Spotify dissolved Gimlet and Parcast, its two podcast studios.")
    assert [sentence_kind(t, whole_block=False) for t in texts] == [SentenceKind.LINK] * 3 + [SentenceKind.PROSE] * 4


def test_the_sentence_before_a_photo_credit_describes_the_picture() -> None:
    caption = ("Sam Bankman-Fried listens as Gary Wang testifies during the fraud trial at Federal Court in New York "
               "City, U.S., October 6, 2023.")
    story = ["Wang, 30, was technology chief for FTX.", "He spoke so fast that the judge stopped him twice.",
             "The jury heard from him for three days.", "Prosecutors called him their star witness."]
    text = f"{caption} Jane Rosenberg | Reuters\n\n{story[0]} {story[1]}\n\n{' '.join(story)} Jane Rosenberg | Reuters"
    # The sentence before the credit describes the picture; the story before it in the paragraph stays.
    assert [text[a:b] for a, b in prose_spans(text)] == story[:2] + story[:3]
    assert sentence_kind("Zhao arrives at court, in this courtroom sketch.") == SentenceKind.CAPTION


def test_a_story_s_own_credit_is_no_picture_s_and_the_sentence_before_it_stays() -> None:
    last = ("Corporate leaders should expect zero sympathy from new Fair Work Ombudsman Anna Booth, who believes "
            "boards are responsible.")
    text = f"Base metals sank amid fresh fears over property turmoil in China. {last} With Bloomberg/Reuters"
    assert [text[a:b] for a, b in prose_spans(text)] == [
        "Base metals sank amid fresh fears over property turmoil in China.", last]
    assert sentence_kind("With Bloomberg/Reuters") == SentenceKind.CAPTION


def test_a_widget_label_many_articles_glue_to_their_sentences_is_cut_off_and_names_and_speakers_stay() -> None:
    openers = ["The market fell on Tuesday after the report.", "Traders expect the central bank to hold rates.",
               "It was the worst week since March for the index.", "That debate has split the industry for years.",
               "Investors will watch the jobs figures due on Friday.", "Shares in the miner rose sharply on news."]
    articles = []
    for i, sentence in enumerate(openers):
        articles.append((f"a{i}", [f"Loading {sentence}",  # a page's widget left in the text, no full stop
                                   f"The European {('Union', 'Commission')[i % 2]} said it would act on the case.",
                                   f"He added: {openers[(i + 1) % 6]}",
                                   f"In an interview with {('Reuters', 'Bloomberg', 'CNN')[i % 3]}, she said no."]))
    keys = glued_openings(articles)
    assert keys == opening_keys("Loading")  # not "The European", "He added:", "In an interview with"
    # A word that also opens sentences of its own ("Loading the truck took …") is no widget's label.
    story = [(f"b{i}", ["Loading the truck took the crew most of the night."]) for i in range(4)]
    assert glued_openings(articles + story) == frozenset()
    text = ("Rates rose again this week. Loading That debate has split the industry for years. "
            "More than half of them agreed with it.")
    repeated = keys | {sentence_key("Something else entirely.")}
    assert [text[a:b] for a, b in prose_spans(text, repeated)] == [
        "Rates rose again this week.", "That debate has split the industry for years.",
        "More than half of them agreed with it."]
    assert [text[a:b] for a, b in prose_spans(text)][1] == "Loading That debate has split the industry for years."
    # The index's frozen keys are answered from memory, as a set of them is worked out; a caller's list is its own.
    kept = prose_spans(text, frozenset(repeated))
    kept.clear()
    assert prose_spans(text, frozenset(repeated)) == prose_spans(text, set(repeated)) == prose_spans(text, repeated)
    assert len(prose_spans(text, frozenset(repeated))) == 3
    blanked = blank_glued_openings(text, repeated)
    assert blanked == ("Rates rose again this week.         That debate has split the industry for years. "
                       "More than half of them agreed with it.")
    assert blank_glued_openings(text, frozenset()) == text


def test_a_question_quoted_whole_after_its_speaker_is_reported_speech() -> None:
    reported = "Instagram Head of Public Policy Karina Newton responded, “we’re not collecting user names right?”"
    assert sentence_kind(reported) == SentenceKind.PROSE
    assert sentence_kind("But one researcher asked, “What happens to kids who slip through the screener?”") == \
        SentenceKind.PROSE
    assert sentence_kind("So what does this mean for the kids who slip through the screener?") == SentenceKind.QUESTION
    assert sentence_kind("Is the “screener” really working?") == SentenceKind.QUESTION


def test_a_label_before_a_clause_is_prose_and_before_a_value_a_list_entry() -> None:
    texts = ("Price: $19.89 for adults at most cinemas.", "Where to watch: Netflix, from Friday.",
             "Taylor Swift: The Eras Tour tickets are $19.89 for adults.", "UPDATE: Samuel is officially ACTIVE.")
    assert [sentence_kind(t, whole_block=False) for t in texts] == [SentenceKind.LIST] * 2 + [SentenceKind.PROSE] * 2
