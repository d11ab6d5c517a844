"""Citation markers in generated answers (`[1]`, `[1, 3]`, `[1-3]`, …) normalised; the answer split into sentences.

The split reads Markdown: a list item starts a sentence of its own and keeps its bullet or number ("1." is never a
sentence), and headings, bold-only lines and uncited preambles ("Here is what the articles say:") are kept in the
text but are not claims, so they are never checked or flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.text import sentence_spans

# `[1]`, `[1, 3]`, `[1-3]`, `[1; 2]`, `[^1]`, `[passage 2]`, `[Source 1, 2]`.
MARKER = re.compile(
    r"\[\s*(?:\^|(?:passages?|sources?|docs?|documents?)\s*)?(\d+(?:\s*(?:,|;|-|–|&|and)\s*\d+)*)\s*\]",
    re.IGNORECASE,
)


MAX_RANGE = 10  # "[1-3]" expands to 1, 2, 3; a wider range is read as its two ends


@dataclass(frozen=True)
class ParsedSentence:
    """One sentence of a generated answer: as displayed (with markers), as a claim (without), and its citations."""

    display: str
    claim: str
    citations: tuple[int, ...]
    is_claim: bool = True  # False for headings and preambles: shown, never checked

@dataclass(frozen=True)
class ParsedAnswer:
    """A generated answer split into sentences, with the out-of-range markers it dropped."""

    sentences: list[ParsedSentence]
    separators: list[str]  # whitespace before each sentence in the displayed text
    dropped: tuple[int, ...]

    @property
    def text(self) -> str:
        """The displayed answer: normalised markers, out-of-range ones removed."""
        return "".join(sep + s.display for sep, s in zip(self.separators, self.sentences)).strip()


def marker_numbers(group: str) -> list[int]:
    """The passage numbers inside one marker's brackets, in order ("1-3" → 1, 2, 3)."""
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|;|&|and)\s*", group.strip()):
        ends = [int(x) for x in re.split(r"\s*[-–]\s*", part) if x.strip().isdigit()]
        if len(ends) == 2 and 0 <= ends[1] - ends[0] <= MAX_RANGE:
            numbers.extend(range(ends[0], ends[1] + 1))
        else:
            numbers.extend(ends)
    return numbers


def normalize_markers(text: str, n_passages: int) -> tuple[str, list[int]]:
    """Rewrite every marker as `[a][b]` and drop numbers outside 1..n_passages; returns (text, dropped)."""
    dropped: list[int] = []

    def fix(match: re.Match[str]) -> str:
        numbers = marker_numbers(match.group(1))
        dropped.extend(n for n in numbers if not 1 <= n <= n_passages)
        kept = list(dict.fromkeys(n for n in numbers if 1 <= n <= n_passages))
        return "".join(f"[{n}]" for n in kept)

    fixed = MARKER.sub(fix, text)
    # A marker removed entirely leaves a space before the punctuation that followed it.
    fixed = re.sub(r"[ \t]+([.,;:!?])", r"\1", fixed) if dropped else fixed
    return fixed, dropped


_SINGLE = re.compile(r"\[(\d+)\]")


_LEADING_MARKERS = re.compile(r"^(\s*(?:\[\d+\]\s*)+)")


_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def parse_answer(text: str, n_passages: int) -> ParsedAnswer:
    """Split a generated answer into cited sentences; a marker opening a sentence belongs to the one before."""
    fixed, dropped = normalize_markers(text.strip(), n_passages)
    pieces: list[tuple[str, str]] = []  # (separator, sentence with markers)
    cursor = 0
    for start, end in markdown_sentence_spans(fixed):
        pieces.append((fixed[cursor:start], fixed[start:end]))
        cursor = end
    if pieces and cursor < len(fixed):
        sep, last = pieces[-1]
        pieces[-1] = (sep, last + fixed[cursor:].rstrip())
    # Markers written before their sentence throughout ("[1] The bridge…") stay where they are.
    leading_style = bool(pieces) and bool(_LEADING_MARKERS.match(pieces[0][1]))
    merged: list[tuple[str, str]] = []
    for sep, sentence in pieces:
        lead = _LEADING_MARKERS.match(sentence)
        if lead and merged and not leading_style:
            prev_sep, prev = merged[-1]
            merged[-1] = (prev_sep, prev.rstrip() + " " + lead.group(1).strip())
            sentence = sentence[lead.end():]
        if not re.search(r"\w", _SINGLE.sub("", sentence)):
            if merged and sentence.strip():
                prev_sep, prev = merged[-1]
                merged[-1] = (prev_sep, prev.rstrip() + " " + sentence.strip())
            continue
        merged.append((_separator(sep) if merged else "", sentence.strip()))
    sentences = []
    for _, display in merged:
        cited = tuple(dict.fromkeys(int(n) for n in _SINGLE.findall(display)))
        claim = claim_text(display)
        sentences.append(ParsedSentence(display, claim, cited, not _not_a_claim(display, claim, cited)))
    return ParsedAnswer(sentences, [sep for sep, _ in merged], tuple(dict.fromkeys(dropped)))


def claim_text(sentence: str) -> str:
    """A sentence without its markers, bullets, heading hashes, emphasis and doubled spaces."""
    text = _BULLET.sub("", _SINGLE.sub("", MARKER.sub("", sentence)))
    text = _EMPHASIS.sub("", _HEADING.sub("", text))
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" ([.,;:!?])", r"\1", text)


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*•+]|\d{1,3}[.)])[ \t]+")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)[^*_]+(?:\*\*|__)\s*:?\s*$")
# Openers of a reply's preamble: they announce the answer and claim nothing about the news.
_PREAMBLE = re.compile(
    r"^(?:sure|certainly|of course|okay|ok)\b[!.,]?|"
    r"^(?:here(?:'s|’s| is| are)|below (?:is|are)|in summary|to summari[sz]e|"
    r"based on (?:the )?(?:provided |retrieved |given )?(?:articles?|passages?|sources?|context|information)|"
    r"according to the (?:provided |retrieved )?(?:articles?|passages?|sources?))\b",
    re.IGNORECASE,
)


def markdown_sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a Markdown answer: a heading line is one span, a list item starts a new span with its
    bullet, and a line ending in ":" ends its span; the prose inside is split by `sentence_spans`."""
    spans: list[tuple[int, int]] = []
    for start, end in _markdown_blocks(text):
        block = text[start:end]
        if _HEADING.match(block):
            spans.append((start, end))
            continue
        item = _LIST_ITEM.match(block)
        inner = item.end() if item else 0
        parts = [(start + inner + a, start + inner + b) for a, b in sentence_spans(block[inner:])]
        if parts and item:
            parts[0] = (start, parts[0][1])  # the bullet or number stays with its item's first sentence
        spans.extend(parts or [(start, end)])
    return spans


def _markdown_blocks(text: str) -> list[tuple[int, int]]:
    """Lines grouped into blocks: a new block at a blank line, a heading, a list item, or after a line ending in
    ":" or a heading (a line wrapped inside a paragraph stays with it)."""
    blocks: list[tuple[int, int]] = []
    start = None
    previous = ""
    offset = 0
    for line in text.splitlines(keepends=True):
        content = line.strip()
        opens = bool(_HEADING.match(line) or _LIST_ITEM.match(line) or _HEADING.match(previous))
        opens = opens or bool(_BOLD_LINE.match(previous))
        opens = opens or previous.rstrip().endswith(":") or not previous.strip()
        if content and start is not None and opens:
            blocks.append((start, offset))
            start = None
        if content and start is None:
            start = offset + len(line) - len(line.lstrip())
        if not content and start is not None:
            blocks.append((start, offset))
            start = None
        previous = line
        offset += len(line)
    if start is not None:
        blocks.append((start, len(text)))
    return [(a, a + len(text[a:b].rstrip())) for a, b in blocks]


def _not_a_claim(display: str, claim: str, cited: tuple[int, ...]) -> bool:
    """A heading, a bold-only line, or an uncited preamble: part of the layout, not something the news says."""
    if _HEADING.match(display) or _BOLD_LINE.match(_SINGLE.sub("", display)):
        return True
    if cited:
        return False
    return claim.endswith(":") or (bool(_PREAMBLE.match(claim)) and len(claim.split()) <= 12)


def _separator(whitespace: str) -> str:
    if "\n\n" in whitespace:
        return "\n\n"
    return "\n" if "\n" in whitespace else " "
