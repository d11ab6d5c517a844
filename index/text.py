"""The text toolkit every layer shares: sentence spans, term analysis, words and names, numbers, calendar words.

Two sentence splits, because they cost differently: `sentence_spans` (Punkt English, accurate) splits what a
reader sees — chunks, answers, cited and compared sentences — and `quick_sentence_spans` (one regex) splits
where only term overlap or token pooling is weighed per candidate — the ranker's features and the sentence
vectors — since Punkt costs ~1 ms a passage.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

from index import lexicon
from index.cache import LRUCache
from index.lexicon import ABBREVIATED_TITLES, HONORIFICS, MONTH_NAMES, NUMBER_WORDS, SCALES, WEEKDAY_NAMES

Span = tuple[int, int]


# ---------------------------------------------------------------- sentences


@lru_cache(maxsize=1)
def _punkt() -> Any:
    import llama_index.core
    import nltk
    from nltk.tokenize import PunktTokenizer

    # llama-index ships the English Punkt model; pointing nltk at it keeps us offline.
    cache = os.path.join(os.path.dirname(llama_index.core.__file__), "_static", "nltk_cache")
    if cache not in nltk.data.path:
        nltk.data.path.insert(0, cache)
    tokenizer = PunktTokenizer("english")
    # The English model lacks abbreviations news writes before names and numbers ("Gov. Gavin Newsom", "Fig. 3"),
    # and split the sentence there.
    tokenizer._params.abbrev_types.update(_ABBREVIATIONS)
    return tokenizer


_ABBREVIATIONS = {"gov", "govs", "sgt", "adm", "cmdr", "det", "atty", "supt", "rev", "mt", "ft", "fig", "approx", "e.u"}
# "No." is a word too ("The vote was a no. Then …"): it joins the sentence only when a number follows ("the No. 3 app").
_NUMBER_SIGN = re.compile(r"\bNos?\.$")


def load_sentence_model() -> None:
    """Load the Punkt sentence model now rather than on first use (about 1 s here)."""
    _punkt()


# Punkt does not split at line breaks: a blank line, or a line opening a bullet, ends a sentence as well.
_BLOCK_BREAK = re.compile(r"\n\s*\n|\n(?=\s*[-*•])")

# The quick split: a sentence ends at . ! ? … or a closing quote followed by a capital, except after common
# abbreviations, and at every line break.
SENTENCE_END = re.compile(
    r"(?<=[.!?…”\"’])(?<!Mr\.)(?<!Ms\.)(?<!Dr\.)(?<!St\.)(?<!Mrs\.)(?<!Jr\.)(?<!U\.S\.)\s+(?=[\"“‘(\[]?[A-Z0-9])|\n+"
)


def split_spans(text: str, separator: re.Pattern[str]) -> list[Span]:
    """Spans of the non-blank pieces of `text` between matches of `separator`."""
    spans: list[Span] = []
    cursor = 0
    for match in separator.finditer(text):
        if text[cursor:match.start()].strip():
            spans.append((cursor, match.start()))
        cursor = match.end()
    if text[cursor:].strip():
        spans.append((cursor, len(text)))
    return spans


def sentence_spans(text: str) -> list[Span]:
    """Character spans of the sentences of `text` (Punkt English, also split at blank lines and bullets)."""
    return list(_punkt_spans(text))


# Passages are split again and again: by each step of an answer (the prose filter, the candidates, the quotes)
# and by every question that retrieves them again; Punkt is a few milliseconds a passage.
@lru_cache(maxsize=2048)  # ~2.5 KB a passage with its text: 5 MB when full
def _punkt_spans(text: str) -> tuple[Span, ...]:
    tokenizer = _punkt()
    spans: list[Span] = []
    for block_start, block_end in split_spans(text, _BLOCK_BREAK):
        block = text[block_start:block_end]
        pieces: list[Span] = []
        for start, end in tokenizer.span_tokenize(block):
            if pieces and _continues(block[pieces[-1][0]:pieces[-1][1]], block[start:end]):
                pieces[-1] = (pieces[-1][0], end)
            else:
                pieces.append((start, end))
        spans.extend((block_start + start, block_start + end) for start, end in pieces)
    return tuple(spans)


def _continues(before: str, piece: str) -> bool:
    """Whether Punkt cut a sentence at an abbreviation: "the No. | 3 app", "(D-Mass.) | shamed Apple", "i.e. | most
    people", "“Tomorrow?” | he said" (a sentence opens with no lower-case word; "iPhone" is a name), "U.S. |
    Senator Elizabeth Warren" (a title after an initialism) and "Rams vs. | Commanders"."""
    if _NUMBER_SIGN.search(before) and piece[:1].isdigit():
        return True
    if _LOWER_WORD.match(piece) and _CUT_END.search(before):
        return True
    if _VERSUS_END.search(before):
        return True  # "Rams vs. | Commanders": a match or a case goes on past its "vs."
    return bool(_INITIALISM_END.search(before)) and piece.split(maxsplit=1)[0] in HONORIFICS


_INITIALISM_END = re.compile(r"\b(?:[A-Z]\.){2,}$")
_VERSUS_END = re.compile(r"(?<![\w.])vs?\.$")
# Where Punkt cuts inside a sentence: after an abbreviation with a dot inside it ("i.e.", "(D-Mass.)", "D.J.", "et
# al.") or a quoted question or exclamation ("“Tomorrow?” he said"); before a lower-case word that is no link or
# handle ("pic.twitter.com/…" stays an embedded post of its own).
_CUT_END = re.compile(r"(?:\S\.\S*\.[)\]]?|\.[)\]]|\bal\.|[?!][”\"’')\]]*)$")
_LOWER_WORD = re.compile(r"[a-z]{2,}\b(?![./:@])")


def quick_sentence_spans(text: str) -> list[Span]:
    """Character spans of the sentences of `text` by the regex split (the whole text when it has none)."""
    return split_spans(text, SENTENCE_END) or [(0, len(text))]


# ---------------------------------------------------------------- terms


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


# Texts analysed lately: an answer analyses the same passages and sentences in several steps (ranker features,
# sentence scores, each clause's best sentence; ~38 calls a question); a few thousand entries hold the texts of
# the last questions, and the passages a conversation retrieves again.
_ANALYSED: LRUCache[str, tuple[str, ...]] = LRUCache(4096)
_CACHED_BATCH = 256  # an index build's batches are analysed once: they would only push out the answer's texts


def analyze(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stop-word-free, stemmed terms of each text (BM25's analysis, for documents and queries alike)."""
    if len(texts) > _CACHED_BATCH:
        return _analyze(texts)
    found = _ANALYSED.get_many(texts)
    missing = list(dict.fromkeys(t for t, terms in zip(texts, found) if terms is None))
    if missing:
        fresh = {t: tuple(terms) for t, terms in zip(missing, _analyze(missing))}
        _ANALYSED.put_many(fresh)
        found = [terms if terms is not None else fresh[t] for t, terms in zip(texts, found)]
    return [list(terms) for terms in found if terms is not None]


# bm25s.tokenize's analysis with its English stop words, its token pattern and the same Snowball stemmer, one
# word at a time through `stem`'s cache: bm25s builds its stop-word set again for every text and stems each
# batch's vocabulary anew (~0.9 ms a call, most of an answer's analysis); the terms are the same
# (tests/test_text.py compares them).
_TERM = re.compile(r"(?u)\b\w\w+\b")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def _analyze(texts: Sequence[str]) -> list[list[str]]:
    stop = _stop_words()
    return [[stem(t) for t in _TERM.findall(text.lower()) if t not in stop] for text in texts]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball English stem of one lower-case word (the stemmer `analyze` uses)."""
    return str(_stemmer().stemWord(word))


# ---------------------------------------------------------------- words and names

WORD = re.compile(r"[^\W\d_][\w’'.-]*")  # a word: a letter, then letters, digits, apostrophes, dots or hyphens

STOPWORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "if", "then", "so", "as", "at", "by", "for", "from", "in", "into", "of",
    "on", "onto", "to", "with", "without", "about", "after", "before", "during", "while", "since", "until", "over",
    "under", "between", "among", "through", "this", "that", "these", "those", "it", "its", "he", "she", "they",
    "we", "you", "his", "her", "their", "our", "your", "my", "me", "him", "them", "us", "who", "whom", "whose",
    "which", "what", "when", "where", "why", "how", "is", "are", "was", "were", "be", "been", "being", "has",
    "have", "had", "do", "does", "did", "not", "no", "yes", "also", "both", "either", "neither", "all", "any",
    "some", "each", "every", "there", "here", "however", "meanwhile", "according", "overall", "yet", "still",
    "although", "though", "because", "despite", "instead", "whereas", "moreover", "furthermore", "i",
})

_OPENERS = '.!?:;"“‘(—–-'  # after these (or at the start) a capital may open a sentence or clause, not a name
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_HYPHEN = re.compile(r"[-–]")

# A capitalised word, an initial or an abbreviated title; names never run across a sentence end or line.
CAPITALISED = (rf"(?:(?:{'|'.join(sorted(ABBREVIATED_TITLES))}|St|Jr)\.|[A-Z]\.|"
               r"[A-Z][\w\-]*(?:['’](?!s\b)[A-Za-z]+)?)")


# A run of up to four capitalised words or initials, with a lower-case particle between ("Ludwig van Beethoven").
# The lower-case words inside a name, up to two in a row ("Edwin van der Sar", "Ursula von der Leyen").
NAME_PARTICLES = "(?:de|du|del|della|van|von|der|den|da|di|al|bin|la|le)"
NAME = rf"{CAPITALISED}(?:[ \t]+(?:{NAME_PARTICLES}[ \t]+){{0,2}}{CAPITALISED}){{0,3}}"

# Verbs that report what someone said (the Quotes view's speakers, the speaker of an answer's sentence).
SPEECH_VERBS = (
    r"(?:said|says|say|told|tells|added|adds|wrote|writes|stated|states|explained|explains|noted|notes|"
    r"argued|argues|warned|warns|insisted|insists|claimed|claims|recalled|recalls|replied|asked|asks|"
    r"continued|declared|announced|tweeted|posted|admitted|admits|emphasized|emphasised|acknowledged|joked)"
)


def bare_word(word: str) -> str:
    """A word without trailing dots, hyphens and apostrophes, nor a possessive ("Altman's" -> "Altman")."""
    return _POSSESSIVE.sub("", word.rstrip(".-’'"))


def opens_clause(text: str, start: int) -> bool:
    """Whether a word at `start` opens a sentence or a clause, where a capital says nothing of a name."""
    before = text[max(0, start - 16):start].rstrip()  # the character before the spaces: no copy of the text
    return not before or before[-1] in _OPENERS


def possessive(word: str) -> bool:
    """Whether a word is a possessive ("Alzheimer's", "OpenAI’s", "Jones'"): it names an owner, not the thing."""
    return bool(_POSSESSIVE.search(word))


@lru_cache(maxsize=65536)  # every word of every passage an answer reads, over and over
def word_variants(word: str) -> tuple[str, ...]:
    """A word lower-cased, with and without possessive, dots and hyphen-joined parts."""
    low = word.lower().rstrip(".-’'")
    base = _POSSESSIVE.sub("", low)
    variants = {low, base, base.replace(".", "")}
    variants.update(p for p in _HYPHEN.split(base) if p)
    return tuple(v for v in variants if v)


@lru_cache(maxsize=65536)
def common_word(word: str) -> bool:
    """True when Punkt's English model has seen the word lower-case (so a capital may only open a sentence), or
    it is an interjection, which Punkt's newswire rarely saw in lower case ("Yeah, Google …" names Google only)."""
    from nltk.tokenize.punkt import _ORTHO_LC

    lowered = word.lower()
    return lowered in lexicon.INTERJECTIONS or bool(_punkt()._params.ortho_context.get(lowered, 0) & _ORTHO_LC)


def everyday_word(word: str) -> bool:
    """A common word, one made of a prefix and a common word ("unaccounted", "non-profit"), or a word of the
    embedder's vocabulary that Punkt's newswire never capitalised past a sentence's start ("bounty", "pot"): general
    English that newswire happened not to write lower-case. Not for reading names ("Overstock")."""
    from nltk.tokenize.punkt import _ORTHO_MID_UC, _ORTHO_UNK_UC

    lowered = word.lower()
    named = _punkt()._params.ortho_context.get(lowered, 0) & (_ORTHO_MID_UC | _ORTHO_UNK_UC)
    if common_word(lowered) or (lexicon.vocabulary_word(lowered) and not named):
        return True
    prefix = _PREFIX.match(lowered)
    return prefix is not None and common_word(lowered[prefix.end():])


# Prefixes of English derivation before a word of five letters or more (so "Disney" and "Unity" stay unknown).
_PREFIX = re.compile(r"(?:un|re|non|dis|mis|pre|over|under|out|anti|counter|semi|multi)-?(?=[a-z]{5,}$)")


def name_words(text: str) -> list[str]:
    """Capitalised words of a sentence that name something (a sentence-initial common word is not a name)."""
    names: list[str] = []
    for match in WORD.finditer(text):
        word = match.group().rstrip(".-’'")
        for part in _HYPHEN.split(word):
            part = _POSSESSIVE.sub("", part)
            if len(part) < 2 or not part[0].isupper():
                continue
            initial = opens_clause(text, match.start())
            if part.lower() in STOPWORDS or (initial and part == word and common_word(part)):
                continue
            names.append(part)
    return names


def name_phrases(text: str) -> list[str]:
    """The name words of `text` grouped into runs ("Dana Reyes"), once each, in order of appearance."""
    names = set(name_words(text))
    phrases: list[str] = []
    current: list[str] = []
    for token in re.findall(r"[\w’'.-]+|[^\w\s]", text):
        word = bare_word(token)
        if word in names or any(part in names for part in _HYPHEN.split(word)):
            current.append(word)
            continue
        if current:
            phrases.append(" ".join(current))
            current = []
    if current:
        phrases.append(" ".join(current))
    return list(dict.fromkeys(phrases))


@lru_cache(maxsize=256)  # a passage is checked against every sentence that cites it; read-only, as it is shared
def acronym_phrases(text: str) -> Mapping[str, str]:
    """Each run of capitalised words on one line, and each of its tails of two words or more, by lower-cased initials
    ("Respiratory Syncytial Virus" -> "rsv"; "Sam Bankman-Fried" -> "sb" and, by its parts, "sbf"); first run wins."""
    out: dict[str, str] = {}
    for run in _CAPITAL_RUN.finditer(text):
        words = re.findall(r"[A-Z][\w-]*", run.group())
        for i in range(len(words) - 1):  # the tails: "Former CEO Sam Bankman-Fried" gives "sbf"
            phrase = " ".join(words[i:])
            out.setdefault("".join(w[0] for w in words[i:]).lower(), phrase)
            out.setdefault("".join(p[0] for w in words[i:] for p in w.split("-") if p[:1].isupper()).lower(), phrase)
    return MappingProxyType(out)


_CAPITAL_RUN = re.compile(r"(?:\b[A-Z][\w-]*(?:[ \t]+(?:of|and|for|the|&)?[ \t]*)?){2,}")  # within a line


# ---------------------------------------------------------------- numbers

_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s*(?:-\s*)?([A-Za-z]+))?")


class Number(NamedTuple):
    """A number written in digits: as written (without thousands commas), its value, and its value times the
    scale word after it ("82m", "21 million"), if any."""

    written: str
    value: float
    scaled: float | None


def numbers_in(text: str) -> list[Number]:
    """The numbers written in digits in `text`, in order."""
    out: list[Number] = []
    for match in _NUMBER.finditer(text):
        whole, decimals, unit = match.groups()
        written = whole.replace(",", "") + (f".{decimals}" if decimals else "")
        value = float(written)
        scale = SCALES.get((unit or "").lower())
        out.append(Number(written, value, value * scale if scale else None))
    return out


def number_words_in(text: str) -> list[str]:
    """Spelled-out numbers of `text` ("three", "twenty"), lower-cased, in order."""
    return [w.lower() for w in WORD.findall(text) if w.lower() in NUMBER_WORDS]


# ---------------------------------------------------------------- calendar words and dates

# Month number of each way a month is written: the full name, its first three letters, and "sept".
MONTHS: dict[str, int] = {
    **{name: number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{name[:3]: number for number, name in enumerate(MONTH_NAMES, start=1)},
    "sept": 9,
}


# A month or weekday as a sentence writes it, capitalised ("October", "Oct.", "Sept", "Monday"): regex groups.
MONTH_PATTERN = "(?:" + "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True)) + r")\.?"
WEEKDAY_PATTERN = "(?:" + "|".join(w.capitalize() for w in WEEKDAY_NAMES) + ")"
YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")  # a year of the news: 1800-2099
ORDINAL = re.compile(r"\b(\d{1,4})(?:st|nd|rd|th)\b", re.I)  # "93rd" -> "93"

DATE_WORDS = frozenset(MONTH_NAMES + WEEKDAY_NAMES)  # full month and weekday names, lower-cased
CALENDAR_WORDS = frozenset(w.capitalize() for w in (*MONTHS, *WEEKDAY_NAMES))  # "March", "Mar", "Sept", "Monday"


_LOWER_MONTHS = "|".join(n for n in MONTH_NAMES if n not in ("may", "march"))  # "may" and "march" are also verbs
_MONTH_NAMED = re.compile(rf"\b{MONTH_PATTERN}(?!\w)|\b(?:{_LOWER_MONTHS})\b")


def months_in(text: str) -> set[int]:
    """The months a text names ("Nov. 4", "in October", "november"; "may" and "march" only capitalised)."""
    return {MONTHS[m.group().rstrip(".").lower()] for m in _MONTH_NAMED.finditer(text)}


def date_forms(published_at: str | None) -> list[str]:
    """How a sentence may write an ISO date: the date, "October 04 2023 Wednesday Oct", and the day alone."""
    if not published_at:
        return []
    try:
        moment = datetime.fromisoformat(published_at)
    except ValueError:
        return [published_at]
    return [published_at[:10], moment.strftime("%B %d %Y %A %b"), str(moment.day)]


def counted(count: int, noun: str) -> str:
    """A count with its noun in the number it takes: "1 article", "7 articles" (regular plurals only)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
