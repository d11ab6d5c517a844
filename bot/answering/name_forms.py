"""A name's fuller form: the given name the passages write before a lone surname, the everyday word a sentence
start cut from a name, and which titles can tell a given name at all (not one written in Title Case)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from bot.answering.focus import title_word
from bot.answering.spans import passage_names
from index.text import STOPWORDS, common_word, opens_clause, possessive


def headline_case(text: str) -> bool:
    """Whether a line is written in Title Case: four words of four letters or more, and at most one in five of
    them lower-case ("Wullaert Fires Belgium to 3-2 Home Win over England")."""
    words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", text) if len(w) >= 4]
    return len(words) >= 4 and sum(w[0].islower() for w in words) * 5 <= len(words)


def fullest_form(short: str, texts: Iterable[str], articles: Sequence[str] | None = None, least: int = 1) -> str:
    """A surname completed with the given name the passages use most ("Bankman-Fried" -> "Sam Bankman-Fried");
    `short` itself when it is not a lone surname they complete. Only given names are added: "Google" never
    becomes "Google Play". With `articles` (each text's article), a form needs `least` articles writing it."""
    if len(short.split()) != 1 or short.isupper():
        return short
    forms: Counter[str] = Counter()
    writers: dict[str, set[str]] = {}
    for n, text in enumerate(texts):
        for span in passage_names(text):
            words = span.text.split()
            # A surname ends the name: in a run like "Sri Lanka Australia Sri Lanka" (a flattened table of
            # finals) no word is anyone's given name.
            if len(words) < 2 or words[-1] != short:
                continue
            given = [w for w in words[-3:-1]  # not "of", nor "OpenAI's" (whose thing it is), nor a sentence's "With"
                     if w[:1].isupper() and not w.isupper() and not possessive(w) and w.lower() not in STOPWORDS]
            if given and words[-2] == given[-1]:
                found = [" ".join([*given[-2:], short])] + ([" ".join([given[-1], short])] if len(given) > 1 else [])
                for form in found:
                    forms[form] += 1
                    writers.setdefault(form, set()).add(articles[n] if articles is not None else "")
    kept = [f for f in forms if len(writers[f]) >= least]
    if not kept:
        return short
    return max(kept, key=lambda f: (forms[f], -len(f)))


def uncut(short: str, texts: Iterable[str], kind: str | None = None) -> str:
    """A name of several words that lost its first word at a sentence start ("Angeles Dodgers": Punkt has seen
    "los" lower-case) with the everyday word the passages write first in it elsewhere, unless they also write it
    alone mid-sentence; a word inside a longer name is no such first word ("Policy" of "Head of Public Policy Karina
    Newton"). A person's title comes back only when it is the `kind` asked for ("Judge Arthur Engoron" for "which
    judge", not "Officer Tony Staffieri" for "the CEO")."""
    wanted = short.split()
    if len(wanted) < 2:
        return short
    before: Counter[str] = Counter()
    for text in texts:
        for span in passage_names(text):
            words = span.text.split()
            if words == wanted and not _cut_before(text, span.start):
                return short  # written alone where nothing was cut
            if words[1:] == wanted and common_word(words[0]) and (
                    not title_word(words[0]) or words[0].lower() == kind):
                before[words[0]] += 1
    return f"{before.most_common(1)[0][0]} {short}" if before else short


def _cut_before(text: str, start: int) -> bool:
    """Whether the word before `start` is an everyday word opening the sentence, which the name reader drops."""
    cut = re.search(r"(\S+)\s+$", text[:start])
    if cut is None:
        return False
    word = cut.group(1)
    return opens_clause(text, cut.start()) and common_word(word) and word.lower() not in STOPWORDS


_ALIAS_WORDS = r"(?:aka|a\.k\.a\.?|also known as|better known as|real name|whose real name is|born)"


def written_as_alias(one: str, other: str, texts: Iterable[str]) -> bool:
    """Whether the passages give one name as the other's alias ("Ninja, aka Tyler Blevins", "Diddy (real name
    Sean Combs)"): one person, written two ways."""
    # Asked for every pair of names that vote for a lead: most pairs share no passage, and compiling their
    # patterns (one pair's each) would cost more than the search.
    both = [text for text in texts if one in text and other in text]
    if not both:
        return False
    pairs = ((one, other), (other, one))
    patterns = [re.compile(rf"\b{re.escape(a)}[’']?\s*[,(]?\s*{_ALIAS_WORDS}\s+{re.escape(b)}\b") for a, b in pairs]
    return any(p.search(text) for text in both for p in patterns)
