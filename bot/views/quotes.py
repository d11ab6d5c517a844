"""Quotes in the evidence and who said them."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.views.evidence import Evidence
from index.documents import Chunk
from index.lexicon import HONORIFICS
from index.sentence_kinds import furniture_spans
from index.text import CAPITALISED, NAME, SPEECH_VERBS, quick_sentence_spans

MIN_QUOTE_WORDS = 4
# Passages whose statements are kept in memory: every answer shows the Quotes of its passages, and the same
# passages come back question after question on a story (their sentence split was ~20% of the server's own work).
STATEMENTS_CACHE = 4096


# ---------------------------------------------------------------- quotes

QUOTE_PAIRS = re.compile(r"“([^”\n]+)”|\"([^\"\n]+)\"")


# `"…," said glaciologist Matthias Huss` / `"…," said the mayor, Dana Reyes`
_ROLE = rf"(?:(?:{NAME}[’']s|the|(?:[A-Z]\.){{2,}}|[a-z][\w'’\-]*),?[ \t]+)"


_AFTER_VERB_NAME = re.compile(rf"^[\s,]*{SPEECH_VERBS}[ \t]+{_ROLE}{{0,4}}({NAME})(?![’']s)")


# `"…," Reyes said` / `"…," prosecutor Dana Wu said`
_AFTER_NAME_VERB = re.compile(rf"^[\s,]*{_ROLE}{{0,3}}({NAME})[ \t]+(?:[a-z]+[ \t]+)?{SPEECH_VERBS}\b")


# `"…", according to Dana Reyes`
_AFTER_ACCORDING = re.compile(rf"^[\s,]*according[ \t]+to[ \t]+{_ROLE}{{0,3}}({NAME})(?![’']s)")


# `Coach Helen Marsh said the team had "…"` / `Reyes told reporters: "…"`
_BEFORE = re.compile(rf"(?<![\w’'\-])({NAME})(?:,[^,.!?\n]{{1,60}},)?[ \t]+{SPEECH_VERBS}\b[^.!?\"“”\n]{{0,80}}$")


# Capitalised words that begin sentences or are pronouns, never a speaker on their own.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


NOT_NAMES = _words(
    "The A An He She It They We I You This That These Those There Here His Her Their Its Our But And Or "
    "So Then When While If As In On At For From By With After Before Some Many Most Others Officials "
    "Critics Experts Analysts Sources Fans Residents People Everyone Nobody Someone I’m I'm Advertisement"
)


@dataclass(frozen=True)
class Quote:
    """A quoted statement in a passage: its words, who said it (when the text names them), and where."""

    text: str
    speaker: str | None
    n: int
    chunk: Chunk
    start: int  # span of the quoted words in chunk.text
    end: int


def find_quotes(text: str) -> list[tuple[int, int, str | None]]:
    """Quoted statements in `text`: (start, end) of the quoted words and the speaker the text names, if any."""
    out: list[tuple[int, int, str | None]] = []
    previous: tuple[int, str | None] = (-1, None)  # where the last statement's closing mark was, its speaker
    for match in QUOTE_PAIRS.finditer(text):
        group = 1 if match.group(1) is not None else 2
        start, end = match.span(group)
        if len(text[start:end].split()) < MIN_QUOTE_WORDS:
            continue  # scare quotes and titles, not statements
        speaker = _speaker(text, match.start(), match.end())
        last_end, last_speaker = previous
        if speaker is None and last_speaker and _continues(text[last_end : match.start()]):
            speaker = last_speaker
        out.append((start, end, speaker))
        previous = (match.end(), speaker)
    return out


def _continues(between: str) -> bool:
    """Whether a quote with no attribution of its own continues the previous one: same paragraph, close by."""
    return "\n" not in between and len(between) <= 80


def _speaker(text: str, open_at: int, close_at: int) -> str | None:
    after = text[close_at : close_at + 120]
    # Only the quote's own sentence: split with the opening mark and the first quoted character in view.
    window = max(0, open_at - 160)
    own_start = window + quick_sentence_spans(text[window : open_at + 2])[-1][0]
    before = text[own_start:open_at].rstrip(" :,\u00a0")
    for pattern in (_AFTER_VERB_NAME, _AFTER_NAME_VERB, _AFTER_ACCORDING):
        found = pattern.search(after)
        if found and (name := clean_name(found.group(1))):
            return _full_name(name, text)
    # The attribution nearest the quote wins ("He added that Janes said: ...").
    named = None
    pos = 0
    while found := _BEFORE.search(before, pos):
        named = clean_name(found.group(1)) or named
        pos = found.start(1) + 1
    return _full_name(named, text) if named else None


def clean_name(raw: str) -> str | None:
    """A person or organisation name from a run of capitalised words, or None when it names nobody."""
    tokens = raw.split()
    # Keep only what follows a possessive ("Bayern’s"), a shouted word ("CEO", "NEWS") or a
    # capitalised non-name ("As"): what precedes them is an employer, a heading or a sentence start.
    cut = 0
    for i, token in enumerate(tokens[:-1]):
        if token.endswith(("’s", "'s")) or token in NOT_NAMES or _shouted(token):
            cut = i + 1
    tokens = [t for t in tokens[cut:] if not t.endswith(("’s", "'s"))]
    while tokens and (tokens[0] in HONORIFICS or tokens[0] in NOT_NAMES):
        tokens = tokens[1:]
    if not tokens or tokens[-1] in NOT_NAMES:
        return None
    name = " ".join(tokens).rstrip(".,")
    return name if sum(ch.isalpha() for ch in name) >= 2 else None


def _shouted(token: str) -> bool:
    letters = [ch for ch in token if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _full_name(name: str, text: str) -> str:
    """Expand a surname ("Reyes") to the form the same text uses most ("Dana Reyes")."""
    if " " in name:
        return name
    forms: dict[str, int] = {}
    for found in re.finditer(rf"(?<![\w’'])((?:{CAPITALISED}[ \t]+){{1,2}}){re.escape(name)}\b", text):
        candidate = clean_name(found.group(0))
        if candidate and candidate != name and candidate.endswith(name):
            forms[candidate] = forms.get(candidate, 0) + 1
    if not forms:
        return name
    return max(forms, key=lambda form: (forms[form], len(form)))


@functools.lru_cache(maxsize=STATEMENTS_CACHE)
def _statements(text: str) -> tuple[tuple[int, int, str | None], ...]:
    found = find_quotes(text)
    if not found:
        return ()
    furniture = furniture_spans(text)  # a quote in a headline, caption or embedded post is not shown
    return tuple(q for q in found if not any(a <= q[0] < b for a, b in furniture))


def quotes_in(evidence: Sequence[Evidence]) -> list[Quote]:
    """Every quoted statement of the evidence's prose once, those with a named speaker first, in evidence order.

    A statement repeated in an article (overlapping passages, a pull quote) is kept once, with its speaker if
    any of its occurrences names one.
    """
    kept: dict[tuple[str, str], Quote] = {}
    for ev in evidence:
        for start, end, speaker in _statements(ev.chunk.text):
            quote = Quote(ev.chunk.text[start:end].strip(), speaker, ev.n, ev.chunk, start, end)
            key = (ev.chunk.article_id, " ".join(quote.text.lower().split()))
            if key not in kept or (speaker and not kept[key].speaker):
                kept[key] = quote if key not in kept else _with_speaker(kept[key], speaker)
    quotes = list(kept.values())
    return [q for q in quotes if q.speaker] + [q for q in quotes if not q.speaker]


def _with_speaker(quote: Quote, speaker: str | None) -> Quote:
    return Quote(quote.text, speaker, quote.n, quote.chunk, quote.start, quote.end)
