"""The checkable facts of a text (words, stems, numbers, names, dates) and which facts of a claim are missing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from index.documents import Chunk

_WORD = re.compile(r"[^\W\d_][\w’'.-]*")


_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s*(?:-\s*)?([A-Za-z]+))?")


_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6, "mln": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12,
}


_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}


_OPENERS = ':;"“‘(—–-'


DATE_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}


@dataclass
class _Facts:
    words: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)
    values: set[float] = field(default_factory=set)

    def update(self, other: _Facts) -> None:
        self.words |= other.words
        self.stems |= other.stems
        self.numbers |= other.numbers
        self.values |= other.values


# --- numbers, dates and names -----------------------------------------------------------------------------------


def passage_facts(chunk: Chunk) -> _Facts:
    """The words, stems and numbers a sentence citing this passage may use: its text, title, outlet and date."""
    parts = [chunk.title, chunk.outlet or "", chunk.text, *date_forms(chunk.published_at)]
    return text_facts("\n".join(parts))


def text_facts(text: str) -> _Facts:
    """Lower-cased words, their stems, and the numbers (as written and as values) of `text`."""
    facts = _Facts()
    for match in _WORD.finditer(text):
        for word in _word_variants(match.group()):
            facts.words.add(word)
            facts.stems.add(_stem(word))
            if word in _NUMBER_WORDS:
                facts.values.add(float(_NUMBER_WORDS[word]))
    for written, value, scaled in _numbers(text):
        facts.numbers.add(written)
        facts.values.add(value)
        if scaled is not None:
            facts.values.add(scaled)
    return facts


def date_forms(published_at: str | None) -> list[str]:
    """How a sentence may write the article's publication date (year, month, day, weekday)."""
    if not published_at:
        return []
    try:
        moment = datetime.fromisoformat(published_at)
    except ValueError:
        return [published_at]
    return [published_at[:10], moment.strftime("%B %d %Y %A %b"), str(moment.day)]


def missing_facts(claim: str, facts: _Facts) -> tuple[str, ...]:
    """Numbers, dates and names of `claim` that `facts` (its cited passages) do not contain."""
    missing: list[str] = []
    for written, value, scaled in _numbers(claim):
        if written in facts.numbers or value in facts.values or (scaled is not None and scaled in facts.values):
            continue
        missing.append(written)
    for word in claim_number_words(claim):
        if float(_NUMBER_WORDS[word]) not in facts.values and word not in facts.words:
            missing.append(word)
    missing.extend(name for name in claim_names(claim) if not has_name(name, facts))
    return tuple(dict.fromkeys(missing))


def has_name(name: str, facts: _Facts) -> bool:
    """Whether `facts` mention `name` (ignoring case, possessives, dots and inflection)."""
    return any(v in facts.words or _stem(v) in facts.stems for v in _word_variants(name))


def passages_facts(chunks: Sequence[Chunk]) -> _Facts:
    """The facts of several passages together."""
    facts = _Facts()
    for chunk in chunks:
        facts.update(passage_facts(chunk))
    return facts


def claim_names(claim: str) -> list[str]:
    """Capitalised words of a sentence that name something (a sentence-initial common word is not a name)."""
    names: list[str] = []
    for match in _WORD.finditer(claim):
        word = match.group().rstrip(".-’'")
        for part in re.split(r"[-–]", word):
            part = re.sub(r"(?:['’]s|['’])$", "", part)
            if len(part) < 2 or not part[0].isupper():
                continue
            before = claim[:match.start()].rstrip()
            initial = not before or before[-1] in _OPENERS or before[-1] in ".!?"
            if part.lower() in STOPWORDS or (initial and part == word and _common_word(part)):
                continue
            names.append(part)
    return names


def claim_number_words(claim: str) -> list[str]:
    """Spelled-out numbers of a sentence ("three", "twenty"), which must match like digits."""
    return [w.lower() for w in _WORD.findall(claim) if w.lower() in _NUMBER_WORDS]


def _numbers(text: str) -> list[tuple[str, float, float | None]]:
    out: list[tuple[str, float, float | None]] = []
    for match in _NUMBER.finditer(text):
        whole, decimals, unit = match.groups()
        written = whole.replace(",", "") + (f".{decimals}" if decimals else "")
        value = float(written)
        scale = _SCALES.get((unit or "").lower())
        out.append((written, value, value * scale if scale else None))
    return out


def _word_variants(word: str) -> list[str]:
    """A word lower-cased, with and without possessive, dots and hyphen-joined parts."""
    low = word.lower().rstrip(".-’'")
    base = re.sub(r"(?:['’]s|['’])$", "", low)
    variants = {low, base, base.replace(".", "")}
    variants.update(p for p in re.split(r"[-–]", base) if p)
    return [v for v in variants if v]


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))  # type: ignore[attr-defined]


@lru_cache(maxsize=65536)
def _common_word(word: str) -> bool:
    """True when Punkt's English model has seen the word lower-case (so a capital may only open a sentence)."""
    from nltk.tokenize.punkt import _ORTHO_LC

    from index.chunking import _punkt

    params = _punkt()._params  # type: ignore[attr-defined]
    return bool(params.ortho_context.get(word.lower(), 0) & _ORTHO_LC)


STOPWORDS = {
    "a", "an", "the", "and", "or", "but", "if", "then", "so", "as", "at", "by", "for", "from", "in", "into", "of",
    "on", "onto", "to", "with", "without", "about", "after", "before", "during", "while", "since", "until", "over",
    "under", "between", "among", "through", "this", "that", "these", "those", "it", "its", "he", "she", "they",
    "we", "you", "his", "her", "their", "our", "your", "my", "me", "him", "them", "us", "who", "whom", "whose",
    "which", "what", "when", "where", "why", "how", "is", "are", "was", "were", "be", "been", "being", "has",
    "have", "had", "do", "does", "did", "not", "no", "yes", "also", "both", "either", "neither", "all", "any",
    "some", "each", "every", "there", "here", "however", "meanwhile", "according", "overall", "yet", "still",
    "although", "though", "because", "despite", "instead", "whereas", "moreover", "furthermore", "i",
}
