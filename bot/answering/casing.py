"""The capitals of a question typed in lower case, given back from the passages retrieved for it.

The answerer reads names by their capitals ("Scalable Capital", "Sotos-Prieto"): they are the question's subject,
which no answer may be, and what a passage must name to cover it. "who is leading scalable capital's latest
round?" has none, so the subject's own names compete as answers and "Who is X?" goes unread. Where the retrieved
passages write a word capitalised inside their sentences more often than in lower case, the question's word is
read that way, if general English does not use it ("scalable", "podzuweit"; "capital" and "research" stay as
they are, being as often a heading's or another name's word), or if it is a stop word the passages write
capitalised before a capitalised word ("all blacks").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from index.text import STOPWORDS, WORD, common_word, opens_clause

_TAIL = re.compile(r"(?:['’]s?)?[.\-’']*$")  # a possessive or the punctuation a word match keeps at its end


def _base(word: str) -> str:
    return word[:_TAIL.search(word).start()]  # type: ignore[union-attr]  # the pattern matches any word


def name_casing(texts: Iterable[str]) -> dict[str, str]:
    """Lower-case word -> the capitalised form the texts write it in, for the words they write capitalised
    inside a sentence more often than in lower case; a stop word only with the capitalised word after it, as a
    pair ("all blacks" -> "All Blacks"), and a pair of everyday words written capitalised together twice or
    more, more often than in lower case ("champions league" -> "Champions League")."""
    capitalised: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        before: tuple[str, int, bool] | None = None  # the word before, where it ends, whether capitalised inside
        for match in WORD.finditer(text):
            word = _base(match.group())
            key = word.lower()
            inside = not opens_clause(text, match.start())
            capital = word[:1].isupper() and inside
            if before is not None and text[before[1]:match.start()] == " ":
                pair = f"{before[0].lower()} {key}"
                if capital and before[2]:
                    capitalised[pair] += 1
                    forms.setdefault(pair, Counter())[f"{before[0]} {word}"] += 1
                elif word.islower() and before[0].islower():
                    lower[pair] += 1
            before = (word, match.start() + len(word), capital) if capital or word.islower() else None
            if key in STOPWORDS or len(key) < 2:
                continue
            if word.islower():
                lower[key] += 1
            elif capital:
                capitalised[key] += 1
                forms.setdefault(key, Counter())[word] += 1
    # An everyday word capitalised is as often a heading's or a name's part ("Center", "Ventures", "Fortune") as
    # the name asked about: only words general English does not use are given back their capitals, and pairs.
    return {key: forms[key].most_common(1)[0][0] for key, n in capitalised.items() if n > lower[key] and (
        not common_word(key) if " " not in key else key.split()[0] in STOPWORDS or n >= 2)}


def recased(text: str, casing: Mapping[str, str]) -> str:
    """`text` with each lower-case word `casing` knows written as the passages write it ("scalable capital's" ->
    "Scalable capital's", "all blacks" -> "All Blacks"); nothing changes in a text that has capitals of its own."""
    if not casing or not text.islower():
        return text
    for pair in (k for k in casing if " " in k):
        text = re.sub(rf"(?<![\w’'-]){re.escape(pair)}(?![\w-])", casing[pair], text)

    def one(match: re.Match[str]) -> str:
        word = match.group()
        bare = _base(word)
        written = casing.get(bare)
        return word if written is None else written + word[len(bare):]

    return WORD.sub(one, text)
