"""What a name names: a person (who a "who is the individual" question asks for), a team, the speaker of a
sentence or the outlet a report cites. Read from the name's words and from how the passages write it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from bot.answering.spans import Span, passage_names
from index.lexicon import HONORIFICS
from index.text import NAME, SPEECH_VERBS, STOPWORDS, bare_word, common_word, possessive

_SPEAKER_BEFORE = re.compile(rf"\b(?:{SPEECH_VERBS}|according to)\s+(?:the\s+)?$")
_SPEAKER_AFTER = re.compile(rf"^(?:,[^,.!?\n]{{1,80}},)?\s+{SPEECH_VERBS}\b")


def speaks(span: Span, sentence: str) -> bool:
    """Whether the sentence gives the name as the one who says what it reports ("…,” said David Thomas",
    "Reyes told reporters", "according to Gartner"): the source of the sentence, not what the sentence says."""
    return bool(_SPEAKER_BEFORE.search(sentence[max(0, span.start - 30):span.start])
                or _SPEAKER_AFTER.match(sentence[span.end:span.end + 100]))


# Where a publication is named as the source of a report: "told NBC News", "a report by the WSJ", "according to
# Calcalist", "Israeli publication Calcalist", "Calcalist reported" (a name before "said" is a speaker, not an outlet).
_SOURCE_BEFORE = re.compile(
    r"\b(?:told|according to|(?:reported|report|reports|reporting|story|article|interview|published)\s+"
    r"(?:by|from|in|with|to)|publication|newspaper|outlet|paper|magazine|website|broadcaster|tabloid)\s+(?:the\s+)?$",
    re.I)
_SOURCE_AFTER = re.compile(r"^(?:,[^,.!?\n]{1,80},)?\s+(?:(?:has|had|have)\s+)?(?:first\s+)?"
                           r"(?:reported|reports|wrote|published)\b")


def cited_as_source(name: str, texts: Iterable[str]) -> bool:
    """Whether the passages name `name` as the source of a report ("told NBC News", "a report by the WSJ",
    "Calcalist reported"): what a question for an outlet asks, where a university or a union is a subject."""
    return any(span.text == name and (_SOURCE_BEFORE.search(text[max(0, span.start - 40):span.start])
                                      or _SOURCE_AFTER.match(text[span.end:span.end + 100]))
               for text in texts for span in passage_names(text))


def split_owner(name: str) -> tuple[str | None, str]:
    """A name read as its owner and the thing owned: "Google’s Bard" -> ("Google", "Bard"); (None, name) when no
    word of it but the last is a possessive."""
    words = name.split()
    for i, word in enumerate(words[:-1]):
        if possessive(word):
            return " ".join([*words[:i], re.sub(r"['’]s?$", "", word)]), " ".join(words[i + 1:])
    return None, name


def owner_of(name: str, texts: Iterable[str]) -> str | None:
    """The name the passages most often write as the owner of `name` ("Valve's Steam Deck OLED", "Google’s Bard"):
    who makes a product, for a question asking for the company, not the product; None when none does."""
    owner, _ = split_owner(name)  # one name span may hold both: "Google’s Bard"
    if owner is not None:
        return owner
    pattern = re.compile(rf"\b({NAME})['’]s\s+(?:(?:new|latest|own|flagship|upcoming)\s+)?{re.escape(name)}(?![\w-])")
    owners: Counter[str] = Counter()
    for text in texts:
        for match in pattern.finditer(text):
            words = match.group(1).split()
            while len(words) > 1 and words[0].lower() in STOPWORDS:  # "But Valve's …" opens a sentence
                words = words[1:]
            owners[" ".join(words)] += 1
    return owners.most_common(1)[0][0] if owners else None


# An article or a possessive before a name: "the Steam Deck OLED", "a new Steam Deck", "its Digital Services Act".
_THING_BEFORE = re.compile(r"\b(?i:the|a|an|this|that|these|those|its|their|his|her|our)\s+(?:[a-z][\w-]*\s+)?$")


def written_as_thing(name: str, texts: Iterable[str]) -> bool:
    """Whether the passages write the name after an article more often than not ("the Steam Deck OLED", "a new
    Steam Deck", "the Digital Services Act"): a product's, a law's or a thing's name, where a company's takes none
    ("Valve says", "a refresh from Valve")."""
    pattern = re.compile(rf"(?<![\w’'-]){re.escape(name)}(?![\w’'-]|\s+[A-Z0-9])")
    mentions = after_article = 0
    for text in texts:
        for match in pattern.finditer(text):
            mentions += 1
            after_article += bool(_THING_BEFORE.search(text[max(0, match.start() - 30):match.start()]))
    return after_article > mentions / 2


def person_like(name: str) -> bool:
    """Whether a name reads as a person's: its first word past a title ("Judge Amit Mehta") is no everyday English
    word and no acronym ("Caroline Ellison", "Bankman-Fried"), where "Exchange Commission", "Market Street" or
    "NBA" are bodies, places, things."""
    words = name.split()
    while len(words) > 1 and words[0] in HONORIFICS:
        words = words[1:]
    first = words[0].strip(".’'") if words else ""
    return len(first) > 1 and not first.isupper() and not common_word(first)


def reads_as_person(name: str, texts: Iterable[str]) -> bool:
    """Whether a name reads as a person's, in itself (`person_like`; not "Alameda Research", whose last word names a
    body) and, for a lone word, as the passages write it: "the Browns", or "Alameda" in "Alameda Research" (an
    everyday word capitalised after it), name a team or a firm, unless a given name before it somewhere ("Brock
    Purdy") shows a person ("Trump Tower" is Trump's); so does it for a surname that is also an everyday word
    ("Swift" of "Taylor Swift")."""
    if " " in name:  # "Wilma Mankiller": the name itself shows its given name
        return person_like(name) and not _ends_as_a_thing(name) and not _team_of_a_place(name, texts) and not (
            _short_for_first_word(name, texts))
    if name.isupper() or _ends_as_a_thing(name):
        return False  # an acronym names a body, whatever name stands before it; "Labs" is Keep Labs
    given, as_thing = _how_written(name, texts)
    return given or (person_like(name) and not as_thing)


def _how_written(word: str, texts: Iterable[str]) -> tuple[bool, bool]:
    """Whether the passages write a given name before a lone word somewhere ("Brock Purdy"), and whether they
    write it as a thing's name ("the Browns", "Alameda Research") or a longer name's first word ("Bayern Munich"),
    read in one pass over their names."""
    as_thing = False
    for text in texts:
        for span in passage_names(text):
            words = span.text.split()
            for i in (i for i, each in enumerate(words) if each == word):
                if i > 0 and person_like(words[i - 1]):
                    return True, as_thing
                as_thing = as_thing or (i + 1 < len(words) and (i == 0 or common_word(words[i + 1].strip(".’'")))) or (
                    len(words) == 1 and _written_as_place_or_thing(text, span.start, span.end))
    return False, as_thing


def _written_as_place_or_thing(text: str, start: int, end: int) -> bool:
    """Whether a lone name follows a determiner ("the Browns", "his Senate seat") or "in"/"at" ("in Scotland", "at
    Wembley"): a thing or a place; a person's surname is written after neither ("in Kane's absence" is his)."""
    before = text[max(0, start - 8):start]
    return bool(_DETERMINED.search(before)) or (bool(_IN_OR_AT.search(before)) and text[end:end + 1] not in ("’", "'"))


_IN_OR_AT = re.compile(r"\b(?:in|at)\s+$")


# A determiner right before a name: "the Browns", "his Senate seat" write a thing; a person's name goes without
# ("the Trump administration" has "Donald Trump" elsewhere; "the embattled Menendez" is not read).
_DETERMINED = re.compile(r"\b(?i:the|a|an|his|her|its|their|our|my|your)\s+$")


def _ends_as_a_thing(name: str) -> bool:
    """Whether a name ends with a word that names a body ("Alameda Research", "Sequoia Capital", "Fidelity
    Management"): no surname, where an everyday surname ("Taylor Swift", "Sam Cane") is one."""
    return name.rsplit(" ", 1)[-1].lower().strip(".") in _BODY_WORDS


# The last words of bodies' names (general English designators, not one corpus's names).
_BODY_WORDS = frozenset({
    "research", "capital", "group", "partners", "holdings", "ventures", "management", "labs", "media", "foundation",
    "institute", "association", "systems", "technologies", "fund", "trust", "studios", "records", "pictures", "inc",
    "corp", "ltd", "llc", "plc", "commission", "council", "committee", "department", "ministry", "agency", "bank",
    "university", "college", "league", "federation", "union", "party", "exchange", "securities", "markets",
    "airlines", "motors", "energy", "pharmaceuticals", "entertainment", "investments", "advisors", "advisers",
    "united", "city", "town", "county", "athletic", "rovers", "wanderers", "albion", "fc",  # clubs' designators
})


def _short_for_first_word(name: str, texts: Iterable[str]) -> bool:
    """Whether the passages write a name's first word alone, not as a place, and never its last ("against Bayern"
    for "Bayern Munich"): a team or a firm goes by its first word, a person by the surname ("Lerager" for "Lukas
    Lerager"; "to Arizona" is a place, which may be a given name)."""
    words = name.split()
    first, last = words[0], words[-1]
    alone = False
    for text in texts:
        for span in passage_names(text):
            word = bare_word(span.text)
            if word == last:
                return False
            alone = alone or (word == first and not _PLACED.search(text[max(0, span.start - 8):span.start]))
    return alone


_PLACING = r"\b(?:in|at|to|from)\s+"  # the words a place is written after, where a person's name is not
_PLACED = re.compile(rf"{_PLACING}$")


def _team_of_a_place(name: str, texts: Iterable[str]) -> bool:
    """Whether a name is a place and a plural ("Kansas City Chiefs", "Arizona Diamondbacks"): a team, where a
    person's given name is rarely a place the passages put after "in", "at", "to" or "from"."""
    place, _, last = name.rpartition(" ")
    if not last.endswith("s") or possessive(last):
        return False
    pattern = re.compile(rf"{_PLACING}{re.escape(place)}(?![\w’'-]|\s+[A-Z])")
    return any(pattern.search(text) for text in texts)
