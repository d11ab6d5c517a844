"""Closed lists of general English words the toolkit's readers share: number and ordinal words, scale words,
units of measure, the calendar's names, places and their demonyms, titles, interjections; and the embedder's
vocabulary of general English. Not one corpus's words."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}
# The number words as one regex alternation, "one" with them (NUMBER_WORDS leaves it out of facts: it is also a
# pronoun, "one of them").
COUNT_WORD = "|".join(("one", *NUMBER_WORDS))
# Words scaling the number before them: "82m", "21 million".
SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6, "mln": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12,
}


# The calendar's names, lower-cased (the text toolkit reads dates with them).
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december")
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}


# Units of measure (not money, not time): a question may ask for an amount in one ("in square feet").
MEASURE_UNIT = r"(?:square\s+(?:feet|foot|metres?|meters?|miles?|kilometres?|km)\b|sq\.?\s?ft\b|acres?\b|" \
    r"hectares?\b|miles?\b|km\b|kilometres?\b|feet\b|metres?\b|meters?\b|yards?\b|inch(?:es)?\b|cm\b|mm\b|" \
    r"kg\b|kilograms?\b|lbs?\b|tons?\b|tonnes?\b|degrees?\b|mph\b|km/h\b|[kMG]?Hz\b|[KMGT]B\b|mAh\b|" \
    r"[kMG]?W(?:h|hr)?\b|gigawatts?\b|megawatts?\b|fps\b)"


# Countries and blocs with their demonyms and short forms: "British" in a claim is supported by "U.K.".
PLACE_GROUPS = (
    ("uk", "britain", "british", "united kingdom", "briton", "britons", "england", "english"),
    ("us", "usa", "america", "american", "americans", "united states", "washington"),
    ("eu", "european union", "europe", "european", "brussels"),
    ("un", "united nations"), ("russia", "russian", "russians", "moscow", "kremlin"),
    ("ukraine", "ukrainian", "ukrainians", "kyiv", "kiev"), ("china", "chinese", "beijing"),
    ("france", "french", "paris"), ("germany", "german", "germans", "berlin"), ("japan", "japanese", "tokyo"),
    ("india", "indian", "indians"), ("israel", "israeli", "israelis"), ("canada", "canadian", "canadians"),
    ("australia", "australian", "australians"), ("italy", "italian"), ("spain", "spanish"), ("iran", "iranian"),
    ("mexico", "mexican"), ("brazil", "brazilian"), ("turkey", "turkish"), ("korea", "korean"),
    ("scotland", "scottish"), ("wales", "welsh"), ("ireland", "irish"), ("netherlands", "dutch"),
    ("saudi arabia", "saudi"), ("pakistan", "pakistani"), ("egypt", "egyptian"), ("palestine", "palestinian"),
)
PLACE_ALIASES: dict[str, set[str]] = {form: set(group) for group in PLACE_GROUPS for form in group}
# The demonyms of PLACE_GROUPS: what a person or a thing is from, never the name of a team, a body or a place.
DEMONYMS = frozenset({
    "british", "briton", "britons", "english", "american", "americans", "european", "russian", "russians",
    "ukrainian", "ukrainians", "chinese", "french", "german", "germans", "japanese", "indian", "indians", "israeli",
    "israelis", "canadian", "canadians", "australian", "australians", "italian", "spanish", "iranian", "mexican",
    "brazilian", "turkish", "korean", "scottish", "welsh", "irish", "dutch", "saudi", "pakistani", "egyptian",
    "palestinian",
})


# Short titles that abbreviate a post, with the post ("Sen. Bob Menendez" is the senator a question asks for).
TITLES_IN_FULL = {"Sen": "senator", "Rep": "representative", "Gov": "governor", "Gen": "general", "Capt": "captain",
                  "Dr": "doctor", "Prof": "professor"}
# Titles written short before a person's name ("Prof. Leo Leiderman", "Dr Anthony Fauci"): those, and the ones
# that name no post.
ABBREVIATED_TITLES = frozenset({"Mr", "Mrs", "Ms", *TITLES_IN_FULL})
# Of those, the ones British style writes without the dot ("Dr Anthony Fauci"), where "Gen Z" is no title.
DOTLESS_TITLES = frozenset({"Mr", "Mrs", "Ms", "Dr", "Prof"})
# The short titles as a text writes them: with the dot, or without it where British style drops it.
SHORT_TITLES = DOTLESS_TITLES | frozenset(f"{title}." for title in ABBREVIATED_TITLES)


# Titles written before a person's name ("Judge Amit Mehta", "Coach Helen Marsh"): a name's first word that says
# what the person is, not who.
HONORIFICS = SHORT_TITLES | frozenset({
    "Sir", "Dame", "Mayor", "President", "Coach", "Councillor", "Councilman", "Councilwoman", "Senator", "Governor",
    "Minister", "Judge", "Chancellor", "Captain", "General", "Chief", "Director", "Professor", "Sheriff", "Officer",
})

# The auxiliary verbs: a question opening with one asks yes or no; a text holding one after a label is a clause.
AUX = ("is", "are", "was", "were", "do", "does", "did", "can", "could", "has", "have", "had", "will", "would",
       "should", "shall", "may", "might", "must")

# Interjections: Punkt's newswire rarely saw them lower-case, yet they name nothing ("Yeah, Google …").
INTERJECTIONS = frozenset({
    "yeah", "yep", "yup", "nope", "nah", "wow", "oh", "ah", "aha", "uh", "um", "hmm", "okay", "hey", "alas",
    "oops", "ugh", "yikes", "meh", "huh", "whoa", "phew", "ouch",
})
# The embedder's tokenizer, shipped in the repository (index.embedding.TOKENIZER_DIR, which imports the text
# toolkit and so cannot be imported here).
_TOKENIZER_FILE = Path(__file__).parent / "minilm" / "tokenizer.json"


@lru_cache(maxsize=1)
def load_vocabulary() -> frozenset[str]:
    """The whole words of the embedder's word-piece vocabulary, read once (about 70 ms here)."""
    model = json.loads(_TOKENIZER_FILE.read_text(encoding="utf-8"))["model"]["vocab"]
    return frozenset(w for w in model if w.isalpha() and len(w) > 1)


def vocabulary_word(word: str) -> bool:
    """Whether a lower-case word is a whole word of the embedder's word-piece vocabulary (bert-base-uncased's
    22,000 words: general English, and names well known before 2018 such as "google")."""
    return word in load_vocabulary()
