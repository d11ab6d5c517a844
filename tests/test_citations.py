"""Citation markers and the sentence verifier, with the real embedding model."""

from __future__ import annotations

import pytest

from bot.answering.facts import missing_facts, passage_facts
from bot.answering.markers import parse_answer
from bot.answering.verifier import Verifier
from bot.engine import ChatEngine
from index.documents import Chunk
from index.embedding import Embedder
from index.rebuild import RebuildReport
from index.settings import Settings

BRIDGE = Chunk(
    article_id="bridge",
    n=0,
    text=(
        "The Harbor Bridge in Port Elling reopened to traffic on Tuesday after a 14-month repair that cost 82 "
        "million dollars. Engineers replaced all 212 steel cables and resurfaced the deck.\n\n"
        "Mayor Dana Reyes cut the ribbon at dawn. Critics on the city council argued that the repair ran 19 "
        "million dollars over budget. Councillor Amir Haddad called for an independent audit of the contract."
    ),
    start=0,
    end=0,
    title="Harbor Bridge reopens after 14-month repair",
    outlet="Coastal Courier",
    published_at="2023-10-04T09:30:00Z",
)
HOCKEY = Chunk(
    article_id="hockey",
    n=0,
    text=(
        "The Riverton Rockets won the national hockey championship on Saturday, beating the Lakeside Loons 3-1 "
        "in the final. Goalkeeper Tomas Berg saved 41 shots and was named the most valuable player.\n\n"
        "It is the club's first title since 1998."
    ),
    start=0,
    end=0,
    title="Riverton Rockets win the championship",
    outlet="Sporting News",
    published_at="2023-12-02T22:10:00+00:00",
)
PASSAGES = {1: BRIDGE, 2: HOCKEY}


@pytest.fixture(scope="module")
def verifier(embedder: Embedder) -> Verifier:
    return Verifier(embedder)


@pytest.mark.parametrize(
    ("text", "citations"),
    [
        ("It reopened [1]. The Rockets won [2].", [(1,), (2,)]),
        ("It reopened [1, 2]. The Rockets won [2][1].", [(1, 2), (2, 1)]),
        ("It reopened. [1] The Rockets won. [2]", [(1,), (2,)]),
        ("[1] It reopened. [2] The Rockets won.", [(1,), (2,)]),
        ("It reopened [1-2]. The Rockets won [passage 2].", [(1, 2), (2,)]),
        ("It reopened [^1]; crowds came [1; 2]. The Rockets won.", [(1, 2), ()]),
    ],
)
def test_marker_forms(text: str, citations: list[tuple[int, ...]]) -> None:
    parsed = parse_answer(text, 2)
    assert [s.citations for s in parsed.sentences] == citations
    assert parsed.dropped == ()


def test_out_of_range_markers_are_dropped_and_listed() -> None:
    parsed = parse_answer("The bridge reopened [1][7]. The audit was requested [0]. Cables were replaced [1, 9].", 2)
    assert parsed.text == "The bridge reopened [1]. The audit was requested. Cables were replaced [1]."
    assert [(s.claim, s.citations) for s in parsed.sentences] == [
        ("The bridge reopened.", (1,)),
        ("The audit was requested.", ()),
        ("Cables were replaced.", (1,)),
    ]
    assert parsed.dropped == (7, 0, 9)


def test_paragraphs_are_kept_in_the_displayed_text() -> None:
    parsed = parse_answer("First point [1].\n\nSecond point [2].\nThird point [2].", 2)
    assert parsed.text == "First point [1].\n\nSecond point [2].\nThird point [2]."


def test_names_numbers_and_dates_that_must_match() -> None:
    facts = passage_facts(BRIDGE)
    assert missing_facts("The repair cost 82,000,000 dollars and took fourteen months.", facts) == ()
    assert missing_facts("The repair took fifteen months.", facts) == ("fifteen",)
    assert missing_facts("The repair cost $82m and all 212 cables were replaced in October 2023.", facts) == ()
    assert missing_facts("Reyes' audit cost 21 million dollars, said Mayor Smith on 5 November.", facts) == (
        "21", "5", "Smith", "November",
    )


def test_paraphrase_is_supported_with_a_verbatim_quote(verifier: Verifier) -> None:
    [verdict] = verifier.verify([("The repair of the Harbor Bridge cost 82 million dollars.", (1,))], PASSAGES)
    assert verdict.supported and verdict.note == ""
    [match] = verdict.matches
    assert match.quote == (
        "The Harbor Bridge in Port Elling reopened to traffic on Tuesday after a 14-month repair that cost 82 "
        "million dollars."
    )
    assert BRIDGE.text[match.start:match.end] == match.quote


@pytest.mark.parametrize(
    ("claim", "note"),
    [
        ("The repair cost 95 million dollars.", "“95” appears in none of the cited passages [1]"),
        ("Mayor Dana Smith cut the ribbon at dawn.", "“Smith” appears in none of the cited passages [1]"),
        ("The bridge reopened to traffic on Friday.", "“Friday” appears in none of the cited passages [1]"),
        ("The bridge reopened in March 2021.", "“2021”, “March” appears in none of the cited passages [1]"),
        ("The club celebrated its first title in decades.", "“first” appears in none of the cited passages [1]"),
        # 212 is in the passage, but not as 212 million: an amount with its scale must match as one.
        ("The repair ran 212 million dollars over budget.", "“212” appears in none of the cited passages [1]"),
        ("The bridge did not reopen to traffic on Tuesday.",
         "the cited passages [1] say the opposite (a negation added or dropped)"),
        ("Critics argued the repair ran 19 million dollars under budget.",
         "the cited passages [1] say the opposite (an antonym)"),
    ],
)
def test_unsupported_sentences_say_why(verifier: Verifier, claim: str, note: str) -> None:
    [verdict] = verifier.verify([(claim, (1,))], PASSAGES)
    assert not verdict.supported
    assert verdict.note == note


def test_right_sentence_wrong_passage(verifier: Verifier) -> None:
    claim = "The club won its first title since 1998."
    right, wrong = verifier.verify([(claim, (2,)), (claim, (1,))], PASSAGES)
    assert right.supported and right.matches[0].quote == "It is the club's first title since 1998."
    assert not wrong.supported and wrong.note == "“1998”, “first” appears in none of the cited passages [1]"


def test_a_name_from_elsewhere_in_the_passage_is_weighed_not_decisive(verifier: Verifier) -> None:
    """Haddad is in the passage, but not where it says who cut the ribbon. On SummEdits news a name or number away
    from the closest span marks 26% of consistent summaries and 27% of inconsistent ones, so the fitted model gives
    it little weight and this swap passes: a known limit, measured, not a rule that flags combined facts."""
    [verdict] = verifier.verify([("Councillor Amir Haddad cut the ribbon at dawn.", (1,))], PASSAGES)
    assert verdict.signals is not None and verdict.signals.misplaced == 3.0 and verdict.signals.missing == 0.0
    assert verdict.supported


def test_sentence_without_citation_is_unsupported(verifier: Verifier) -> None:
    [verdict] = verifier.verify([("The Harbor Bridge reopened on Tuesday.", ())], PASSAGES)
    assert (verdict.supported, verdict.matches, verdict.note) == (False, (), "cites no passage")


def test_sentence_drawing_on_two_passages(verifier: Verifier) -> None:
    claim = "The Harbor Bridge reopened on Tuesday, and the Riverton Rockets won the hockey championship."
    [both] = verifier.verify([(claim, (1, 2))], PASSAGES)
    assert both.supported
    assert [m.n for m in both.matches] == [1, 2]
    [only_one] = verifier.verify([(claim, (1,))], PASSAGES)
    assert not only_one.supported
    assert only_one.note == "“Riverton”, “Rockets” appears in none of the cited passages [1]"


@pytest.mark.parametrize(
    "question",
    [
        "How much did the Harbor Bridge repair cost?",
        "What did Mayor Dana Reyes say about the bridge?",
        "Who won the hockey championship?",
        "Who set the Melbourne Marathon course record?",
        "How much ice did Swiss glaciers lose in 2023?",
    ],
)
def test_extractive_answers_always_verify(
    fixture_index: tuple[Settings, RebuildReport], embedder: Embedder, question: str
) -> None:
    engine = ChatEngine(fixture_index[0], embedder)
    answer = engine.answer(question)
    assert answer.sentences, answer.text
    by_n = {c.n: c for c in answer.citations}
    for sentence in answer.sentences:
        assert sentence.supported, sentence
        [n] = sentence.citations if not sentence.lead else sentence.citations[:1]
        passage = by_n[n].passage
        if sentence.lead:
            assert sentence.quotes == (sentence.text,) and sentence.text in passage
        else:
            assert sentence.quotes == (sentence.text,)
            assert sentence.text in [passage[a:b] for a, b in by_n[n].highlights]


def test_verbatim_quote_is_supported_without_the_model(embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    verifier = Verifier(embedder)
    monkeypatch.setattr(embedder, "embed_cached", lambda texts: calls.append(len(texts)))
    quote = "Engineers replaced all 212 steel cables and resurfaced the deck."
    [verdict] = verifier.verify([(quote, (2, 1))], PASSAGES)
    assert calls == []
    assert verdict.supported and verdict.note == ""
    [match] = verdict.matches
    assert (match.n, match.quote, match.similarity) == (1, quote, 1.0)
    assert BRIDGE.text[match.start:match.end] == quote


def test_verbatim_quote_from_an_uncited_passage_is_checked_normally(verifier: Verifier) -> None:
    [verdict] = verifier.verify([("Engineers replaced all 212 steel cables and resurfaced the deck.", (2,))], PASSAGES)
    assert not verdict.supported
    assert verdict.note == "“212” appears in none of the cited passages [2]"
