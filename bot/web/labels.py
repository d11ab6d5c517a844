"""Plain-text labels shared by the HTML views and the Markdown export: title, dates, answer modes, markers, links."""

from __future__ import annotations

import re

from bot.types import EXTRACTIVE, GENERATED, NOT_COVERED, AnswerSentence
from bot.views.evidence import dateline as dateline  # the web's labels are all read from this module
from bot.views.evidence import nice_day as nice_day

TITLE = "News chat"
MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")  # [1] or [1, 3] in an answer's text


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s); anything else (javascript:, data:) is never linked."""
    if url and re.match(r"https?://", url.strip(), re.IGNORECASE):
        return url.strip()
    return None


def mode_label(mode: str) -> str:
    """How an answer was made (its `mode`), in words."""
    if mode == NOT_COVERED:
        return "not covered by the index"
    if mode == GENERATED:
        return "generated answer, each sentence checked against its citations"
    if mode == EXTRACTIVE:
        return "extractive answer: verbatim sentences from the articles"
    return mode


def sentence_with_markers(sentence: AnswerSentence) -> str:
    """The sentence's text, its citations appended as ` [n]` when the text carries no marker of its own."""
    text = sentence.text.strip()
    if not MARKER.search(text):
        text += "".join(f" [{n}]" for n in sentence.citations)
    return text


def marker_numbers(marker: re.Match[str]) -> list[int]:
    """The passage numbers of one `[n]` / `[n, m]` marker, in order."""
    return [int(n) for n in re.split(r"\s*,\s*", marker.group(1))]
