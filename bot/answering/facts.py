"""The checkable facts of a text (words, stems, numbers, names, dates) and which facts of a claim are missing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from index.documents import Chunk
from index.lexicon import NUMBER_WORDS
from index.text import (
    WORD,
    acronym_phrases,
    common_word,
    date_forms,
    name_words,
    number_words_in,
    numbers_in,
    stem,
    word_variants,
)


@dataclass
class Facts:
    """What a text can vouch for: its lower-cased words, their stems, its numbers as written and as values, and
    (for a passage) the initials of its names."""

    words: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)
    values: set[float] = field(default_factory=set)
    # The initials of its names ("sbf" for "Sam Bankman-Fried"): they vouch for a name written in capitals only,
    # and are kept apart from the words it writes (a claim's "Nishank James" is not the passage's "NJ").
    acronyms: set[str] = field(default_factory=set)
    # Its words written with a capital within a sentence, lower-cased: "Manchester" vouches for a question's
    # shortened "Man" ("Man City") where "many" or "manager" do not.
    capitalised: set[str] = field(default_factory=set)

    def update(self, other: Facts) -> None:
        self.words |= other.words
        self.stems |= other.stems
        self.numbers |= other.numbers
        self.values |= other.values
        self.acronyms |= other.acronyms
        self.capitalised |= other.capitalised


def passage_facts(chunk: Chunk) -> Facts:
    """The words, stems and numbers a sentence citing this passage may use: its text, title, outlet and date."""
    words, stems, numbers, values, acronyms, capitalised = _passage_facts(chunk)
    # copies: a caller may add
    return Facts(set(words), set(stems), set(numbers), set(values), set(acronyms), set(capitalised))


# A passage's facts are read by the gate, the composer and the verifier of every answer that retrieves it; ~35 KB
# each, so only the passages of the last few answers are kept.
@lru_cache(maxsize=256)
def _passage_facts(
    chunk: Chunk,
) -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[float], frozenset[str], frozenset[str]]:
    parts = [chunk.title, chunk.outlet or "", chunk.text, *date_forms(chunk.published_at)]
    facts = text_facts("\n".join(parts))
    return (frozenset(facts.words), frozenset(facts.stems), frozenset(facts.numbers), frozenset(facts.values),
            frozenset(acronym_phrases(f"{chunk.title}\n{chunk.text}")), _capitalised(chunk.text))


# A word written with a capital after a word of the same sentence: "Manchester" in "fans of Manchester City".
_WITHIN_CAPITALISED = re.compile(r"(?<=[\w,’'] )[A-Z][a-z]{3,}")


def _capitalised(text: str) -> frozenset[str]:
    """The words `text` writes with a capital within a sentence, lower-cased."""
    return frozenset(m.group().lower() for m in _WITHIN_CAPITALISED.finditer(text))


def text_facts(text: str) -> Facts:
    """Lower-cased words, their stems, and the numbers (as written and as values) of `text`."""
    facts = Facts()
    for token in dict.fromkeys(m.group() for m in WORD.finditer(text)):  # each distinct word once
        for word in word_variants(token):
            facts.words.add(word)
            facts.stems.add(stem(word))
            if word in NUMBER_WORDS:
                facts.values.add(float(NUMBER_WORDS[word]))
    for written, value, scaled in numbers_in(text):
        facts.numbers.add(written)
        facts.values.add(value)
        if scaled is not None:
            facts.values.add(scaled)
    return facts


def missing_facts(claim: str, facts: Facts) -> tuple[str, ...]:
    """Numbers, dates and names of `claim` that `facts` (its cited passages) do not contain."""
    missing: list[str] = []
    for written, value, scaled in numbers_in(claim):
        if written in facts.numbers or value in facts.values or (scaled is not None and scaled in facts.values):
            continue
        missing.append(written)
    for word in number_words_in(claim):
        if float(NUMBER_WORDS[word]) not in facts.values and word not in facts.words:
            missing.append(word)
    missing.extend(name for name in name_words(claim) if not has_name(name, facts))
    return tuple(dict.fromkeys(missing))


def has_name(name: str, facts: Facts, shortened: bool = False) -> bool:
    """Whether `facts` mention `name` (ignoring case, possessives, dots and inflection), or name in full what
    `name` abbreviates ("SBF"); with `shortened`, also a name word a name of theirs starts with ("Man" of "Man
    City", written "Manchester City"), as a reader's question shortens names and a passage does not."""
    if any(v in facts.words or stem(v) in facts.stems for v in word_variants(name)):
        return True
    if len(name) > 1 and name.isupper():
        return name.lower() in facts.acronyms
    low = name.lower()
    return shortened and len(low) >= 3 and name[0].isupper() and any(
        word.startswith(low) for word in facts.capitalised)


def names_share(names: Sequence[str], facts: Facts, shortened: bool = False) -> float:
    """Share of `names` that `facts` mention (1.0 when there are none); `shortened` as in `has_name`."""
    if not names:
        return 1.0
    return sum(has_name(name, facts, shortened) for name in names) / len(names)


def names_by_surname(names: Sequence[str], question: str, chunk: Chunk, article_texts: Sequence[str]) -> bool:
    """Whether a passage names all of `names` once a surname stands for its person: a story writes "Peter Kalmus"
    once and "Kalmus" after, so a passage of it that is about Kalmus (names him twice or more) names "Peter Kalmus"
    when another passage of the same story (`article_texts`) writes the name whole. An everyday word ("Eras Tour",
    "Man United") is no surname."""
    facts = passage_facts(chunk)
    missing = [n for n in names if not has_name(n, facts, True)]
    if not missing or len(missing) == len(names):
        return not missing
    for given in missing:
        # the word after the given name, without a possessive ("Jai Opetaia's next fight")
        after = re.search(rf"\b{re.escape(given)}\s+([A-Z][\w-]*(?:[’'](?!s\b)[\w-]+)*)", question)
        surname = after.group(1) if after else ""
        if not surname or common_word(surname) or len(re.findall(rf"\b{re.escape(surname)}\b", chunk.text)) < 2 \
                or not any(re.search(rf"\b{re.escape(given)}\s+{re.escape(surname)}\b", t) for t in article_texts):
            return False
    return True


def passages_facts(chunks: Sequence[Chunk]) -> Facts:
    """The facts of several passages together."""
    facts = Facts()
    for chunk in chunks:
        facts.update(passage_facts(chunk))
    return facts
