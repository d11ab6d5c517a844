"""Markdown answers: list markers, headings and preambles are not claims; labels say what the check found."""

from __future__ import annotations

from bot.answering.markers import parse_answer
from bot.types import AnswerSentence, label_summary

MARKDOWN_ANSWER = """Here is what the articles say:

## Key points

1. The bridge reopened on Tuesday [1].
2. The Rockets won the title [2]. Berg saved 41 shots [2].

- **Cost:** 82 million dollars [1]
- Haddad called for an audit [1].

**Background**
Here's a concise summary:
The bridge cost 82 million dollars [1]. It was a long
repair of 14 months [1]."""


def test_markdown_answer_is_split_into_claims_and_layout() -> None:
    parsed = parse_answer(MARKDOWN_ANSWER, 2)
    assert [(s.claim, s.citations, s.is_claim) for s in parsed.sentences] == [
        ("Here is what the articles say:", (), False),
        ("Key points", (), False),
        ("The bridge reopened on Tuesday.", (1,), True),
        ("The Rockets won the title.", (2,), True),
        ("Berg saved 41 shots.", (2,), True),
        ("Cost: 82 million dollars", (1,), True),
        ("Haddad called for an audit.", (1,), True),
        ("Background", (), False),
        ("Here's a concise summary:", (), False),
        ("The bridge cost 82 million dollars.", (1,), True),
        ("It was a long repair of 14 months.", (1,), True),
    ]
    # The list numbers stay with their items, and the displayed text keeps the layout.
    assert [s.display for s in parsed.sentences][2:4] == [
        "1. The bridge reopened on Tuesday [1].", "2. The Rockets won the title [2].",
    ]
    assert parsed.text == MARKDOWN_ANSWER


def test_preamble_forms_are_not_claims_but_cited_or_plain_sentences_are() -> None:
    for text in ("Sure! The bridge reopened [1].", "Based on the provided articles, the bridge reopened [1].",
                 "According to the passages: the bridge reopened [1]."):
        first = parse_answer(text, 1).sentences[0]
        assert first.is_claim is (first.citations != ()), text
    parsed = parse_answer("Here's a concise summary:\nThe bridge reopened on Tuesday.", 1)
    assert [(s.claim, s.is_claim) for s in parsed.sentences] == [
        ("Here's a concise summary:", False), ("The bridge reopened on Tuesday.", True),
    ]


def test_labels_say_what_the_check_found() -> None:
    quoted = AnswerSentence("The bridge reopened on Tuesday.", True, (1,), ("It said the bridge reopened on "
                                                                            "Tuesday after repairs.",))
    paraphrase = AnswerSentence("Traffic is back on the bridge.", True, (1, 2), ("The bridge reopened.",))
    wrong = AnswerSentence("The bridge cost 95 million dollars.", False, (1,), note="“95” appears in none")
    heading = AnswerSentence("Key points", True, is_claim=False)
    assert [s.label for s in (quoted, paraphrase, wrong, heading)] == [
        "quoted", "supported by [1][2]", "not supported", "",
    ]
    assert paraphrase.to_json()["label"] == "supported by [1][2]"
    assert label_summary([quoted, paraphrase, wrong, heading]) == (
        "Checked against the cited passages: 1 quoted, 1 supported by its citations, 1 not supported "
        "(“supported” means the cited passage says so, not that it is true)."
    )
    assert label_summary([heading]) == ""
