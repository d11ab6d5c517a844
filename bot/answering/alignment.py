"""Claim alignment over whole cited passages: aliases of names, ordinals and months, polarity and modality.

The verifier's signals beyond span similarity: which names and numbers of a claim no cited passage states in any
form (a surname, an acronym, a demonym, "Feb." for "February", "third" for "3rd"), which content words are new,
and whether the claim flips what the closest span says (a negation added or removed, an antonym swapped in, a
hedge added or dropped). The word lists are small and general on purpose: they catch the common edits without a
lexicon download, and a learned model (support.json) decides how much each signal weighs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.answering.facts import Facts, missing_facts
from index.lexicon import ORDINAL_WORDS, PLACE_ALIASES
from index.text import MONTHS, ORDINAL, WORD, acronym_phrases, name_phrases, numbers_in, stem

NEGATIONS = frozenset((
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot", "lack", "lacks",
    "lacked", "fail", "fails", "failed",
))
# Hedges and plans: "may", "plans to" claim less than "did"; one added or dropped changes what is claimed.
HEDGES = frozenset((
    "may", "might", "could", "possibly", "perhaps", "likely", "unlikely", "plans", "plan", "planned", "planning",
    "expected", "expects", "intends", "intend", "considering", "consider", "proposed", "potential", "potentially",
    "reportedly", "allegedly", "would", "should", "hopes", "aims",
))
# Common antonym pairs of news and business prose (no lexicon ships offline); compared by stem.
_ANTONYM_PAIRS = (
    "increase decrease", "increase decline", "increase drop", "increase fall", "increase reduction", "rise fall",
    "rise decline", "rise drop", "grow shrink", "growth decline", "gain loss", "profit loss", "win lose",
    "won lost", "victory defeat", "higher lower", "high low", "more less", "more fewer", "most least",
    "above below", "before after", "first last", "begin end", "start end", "start finish", "open close",
    "opened closed", "accept reject", "approve reject", "allow ban", "allow prohibit", "support oppose",
    "positive negative", "success failure", "succeed fail", "strong weak", "large small", "big small",
    "long short", "early late", "expand contract", "buy sell", "bought sold", "hire fire", "arrive depart",
    "enter exit", "agree disagree", "include exclude", "maximum minimum", "majority minority",
    "surplus deficit", "public private", "legal illegal", "guilty innocent", "true false", "easy difficult",
    "cheap expensive", "best worst", "better worse", "new old", "young old", "past future", "import export",
    "domestic foreign", "optimistic pessimistic", "boost cut", "raise lower", "raise cut", "add remove",
    "confirm deny", "impose lift", "up down", "upward downward", "rising falling", "strengthen weaken",
    "improve worsen", "love hate", "like dislike", "happy sad", "possible impossible", "likely unlikely",
    "increase cut", "higher reduced", "join leave", "same different", "always never", "all none",
    "inside outside", "north south", "east west", "left right", "men women", "male female", "remote office",
    "online offline", "upgrade downgrade", "bullish bearish", "employed unemployed", "internal external",
    "advantage disadvantage", "benefit harm", "safe dangerous", "full empty", "rich poor", "wet dry",
    "hot cold", "fast slow", "quickly slowly", "day night", "morning evening", "weekly monthly", "buyer seller",
    "lender borrower", "over under", "with without", "less more", "employer employee", "teacher student",
    "parent child", "winner loser", "rose fell", "rose dropped", "rose declined", "rose decreased", "fell increased",
    "fell grew", "fell gained", "grew shrank", "grew declined", "risen fallen",
)


def _antonyms() -> dict[str, set[str]]:
    table: dict[str, set[str]] = {}
    for pair in _ANTONYM_PAIRS:
        a, b = (stem(w) for w in pair.split())
        table.setdefault(a, set()).add(b)
        table.setdefault(b, set()).add(a)
    return table


ANTONYMS = _antonyms()


def words_of(text: str) -> list[str]:
    """Lower-case words of `text`, with "n't" read as "not"."""
    return [w.lower() for w in WORD.findall(re.sub(r"n['’]t\b", " not", text))]


def missing_in_passages(claim: str, facts: Facts, passage_text: str) -> tuple[str, ...]:
    """The numbers, dates and names of `claim` that the cited passages state in no form (see the module doc)."""
    found_acronyms = {w for w in facts.words if w.isalpha() and 2 <= len(w) <= 6}
    claim_acronyms: set[str] = set()
    for phrase in name_phrases(claim):  # "Respiratory Syncytial Virus" is supported by a passage's "RSV"
        words = phrase.split()
        if len(words) > 1 and "".join(w[0] for w in words).lower() in found_acronyms:
            claim_acronyms.update(w.lower() for w in words)
    passage_acronyms = acronym_phrases(passage_text)
    missing = []
    for item in missing_facts(claim, facts):
        bare = item.lower().replace(".", "")
        if bare in claim_acronyms or bare in passage_acronyms:
            continue
        if any(_has_form(alias, facts, passage_text) for alias in PLACE_ALIASES.get(bare, ())):
            continue
        if bare[:3] in MONTHS and _month_found(MONTHS[bare[:3]], facts):
            continue
        missing.append(item)
    for written, _, scaled in numbers_in(claim):  # "$4bn" is not supported by "$4.9bn" and "four programs"
        if scaled is not None and scaled not in facts.values and written not in missing:
            missing.append(written)
    for word in words_of(claim):
        if word not in ORDINAL_WORDS or word in facts.words or float(ORDINAL_WORDS[word]) in facts.values:
            continue
        if not any(int(n) == ORDINAL_WORDS[word] for n in ORDINAL.findall(passage_text)):
            missing.append(word)
    return tuple(dict.fromkeys(missing))


def _has_form(alias: str, facts: Facts, passage_text: str) -> bool:
    if " " in alias:
        return alias in passage_text.lower()
    return alias in facts.words or alias.replace(".", "") in facts.words


def _month_found(month: int, facts: Facts) -> bool:
    return any(MONTHS.get(w[:3]) == month for w in facts.words if w[:3] in MONTHS and w.isalpha())


def polarity(claim_words: Iterable[str], span_words: Iterable[str]) -> tuple[float, float, float]:
    """(negation flipped, antonym swapped in, hedge added or dropped) of a claim against its closest span."""
    claim, span = list(claim_words), list(span_words)
    negated = sum(w in NEGATIONS for w in claim) % 2 != sum(w in NEGATIONS for w in span) % 2
    claim_stems = {stem(w) for w in claim}
    span_stems = {stem(w) for w in span}
    swapped = any(s not in span_stems and ANTONYMS.get(s, set()) & span_stems for s in claim_stems)
    hedged = bool(HEDGES.intersection(claim)) != bool(HEDGES.intersection(span))
    return float(negated), float(swapped), float(hedged)
