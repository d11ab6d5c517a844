"""The noun a "which / what X" question asks about (its focus) and the kinds of answer such nouns call for: a date,
an amount, a place, an outlet, a person, a work or a body. General English, not one corpus's words."""

from __future__ import annotations

import re
from collections.abc import Collection

from index.lexicon import AUX, HONORIFICS, NUMBER_WORDS, ORDINAL_WORDS
from index.text import STOPWORDS, common_word, possessive

# Focus nouns of "which/what X" questions, by the answer they call for: general English, not one corpus's words.
DATE_NOUNS = {"day", "date", "year", "month", "time", "week", "season", "weekend", "decade", "night", "morning"}
NUMBER_NOUNS = {
    "percentage", "percent", "amount", "number", "price", "cost", "score", "rate", "fee", "sum", "salary", "age",
    "temperature", "size", "total", "margin", "figure", "valuation", "value", "budget", "fine", "sentence",
    "distance", "length", "height", "weight", "speed", "capacity", "share", "stake", "deficit", "tally", "count",
    "average", "attendance", "turnout", "population", "toll", "revenue", "profit",
}
# "What win-loss record did he finish with" asks for a tally ("2-7"); a search for "Powerball jackpot record" asks
# for the record itself.
TALLY_NOUNS = {"record"}
# Nouns of a series, asked for by which one ("which round", "which edition"): an ordinal ("the 243rd edition") or a
# number after the noun ("round seven", "Chapter 1") answers them, not an amount.
SERIES_NOUNS = {
    "round", "edition", "chapter", "stage", "lap", "leg", "quarter", "inning", "innings", "minute", "volume",
    "anniversary", "generation", "pick", "seed", "hole", "term", "iteration", "installment", "instalment",
}
PLACE_NOUNS = {
    "country", "city", "state", "place", "venue", "stadium", "location", "town", "region", "county", "nation",
    "continent", "island", "arena", "ground", "airport", "court", "site", "province", "capital", "street",
}
# "what X" asks for a name only when X names a kind of thing with a name; "what problems" asks for a statement.
NAMED_NOUNS = {
    "company", "firm", "team", "club", "player", "person", "man", "woman", "group", "organization", "organisation",
    "brand", "product", "app", "model", "film", "movie", "show", "series", "game", "song", "album", "book", "name",
    "character", "band", "artist", "singer", "actor", "actress", "director", "coach", "manager", "agency",
    "party", "candidate", "device", "phone", "car", "vehicle", "startup", "bank", "exchange", "platform", "service",
    "league", "tournament", "award", "prize", "role", "position", "title", "nickname", "school", "university",
    "entity",
}
# Nouns that ask for a person ("who is the individual", "which player"): an organisation does not answer them.
# Relatives: "his brother Jason Kelce" shares the surname the question gives, and is still its answer.
FAMILY_NOUNS = {
    "son", "daughter", "wife", "husband", "mother", "father", "brother", "sister", "partner", "girlfriend",
    "boyfriend", "fiancé", "fiancée", "fiance", "fiancee", "uncle", "aunt", "cousin", "nephew", "niece",
    "twin", "child", "children", "kid", "parent", "sibling", "grandson", "granddaughter", "stepson", "stepdaughter",
}
PERSON_NOUNS = {
    "individual", "person", "man", "woman", "people", "player", "coach", "manager", "director", "actor", "actress",
    "singer", "artist", "ceo", "founder", "executive", "politician", "judge", "lawyer", "journalist", "author",
    "athlete", "quarterback", "pitcher", "footballer", "celebrity", "star", "leader", "minister", "president",
    "senator", "candidate", "billionaire", "entrepreneur", "boxer", "golfer", "driver", "rapper", "musician",
    "prosecutor", "attorney", "spokesperson", "spokesman", "spokeswoman", "analyst", "reporter", "writer",
    "scientist", "researcher", "professor", "doctor", "officer", "defendant", "victim", "chef", "designer",
    "presenter", "comedian", "striker", "midfielder", "defender", "goalkeeper", "receiver", "chairman",
    "chairwoman", "governor", "mayor", "investor", "whistleblower", "economist", "referee", "novelist", "poet",
    "filmmaker", "activist", "astronaut", "member", "streamer", "youtuber", "influencer", "podcaster", "columnist",
    "commentator", "pundit", "editor", "photographer", "dancer", "guitarist", "drummer", "vocalist", "inventor",
    "teammate", "rookie", "captain", "skipper", "jockey", "cyclist", "swimmer",
    "sprinter", "linebacker", "cornerback", "kicker", "shortstop", "outfielder", "winger", "lawmaker", "tackle",
    "lineman", "guard", "fullback",
    "congressman", "congresswoman", "chancellor", "king", "queen", "prince", "princess", "pope", "surgeon",
    "physician", "nurse", "teacher", "pilot", "engineer", "banker", "trader", "strategist", "juror", "plaintiff",
    "cto", "cfo", "coo", "cmo", "chief", "boss", "witness", "suspect", *FAMILY_NOUNS,
}  # not "host", "chair": "who will host the World Cup?" asks for a country
# Nouns of a title written before a name ("Binance founder", "Friends star", "Treasury Secretary"), as patterns.
TITLES = (
    "founder", "co-?founder", "CEO", "chief executive", "chair(?:man|woman)?", "president", "director", "minister",
    "secretary", "senator", "governor", "chancellor", "commissioner", "coach", "manager", "star", "actor", "actress",
    "singer", "rapper", "player", "quarterback", "striker", "owner", "investor", "billionaire", "entrepreneur",
    "executive", "analyst", "judge", "lawyer", "spokes(?:man|woman|person)", "head", "leader", "prosecutor",
    "attorney", "economist", "author", "journalist", "reporter", "editor", "CFO", "CTO", "COO", "chief",
    "professor", "lecturer", "researcher", "scientist", "officer", "advis[eo]r", "curator",
)
# Person nouns that say only that a person is asked for ("the NFL player that …"), where "the Rogers CEO" names a
# post one person holds.
GENERIC_PERSON_NOUNS = {"individual", "person", "man", "woman", "people", "player", "member", "athlete", "star",
                        "celebrity", "figure"}
# Nouns that ask for the name of a work or a product: no person's name answers them.
WORK_NOUNS = {
    "title", "book", "memoir", "novel", "film", "movie", "show", "series", "song", "album", "app", "product",
    "device", "phone", "model", "game", "drug", "medicine", "vaccine", "experiment", "feature", "tool", "chatbot",
}
# Nouns that ask for a company or another body: its products and its people do not answer them.
ORGANIZATION_NOUNS = {
    "company", "firm", "startup", "bank", "organization", "organisation", "agency", "brand", "maker",
    "manufacturer", "retailer", "automaker", "carmaker", "chipmaker", "lender", "insurer", "airline",
    "corporation", "conglomerate",
}
OUTLET_NOUNS = {"outlet", "publication", "newspaper", "site", "website", "network", "magazine", "paper", "channel"}
KIND_NOUNS = (DATE_NOUNS | NUMBER_NOUNS | SERIES_NOUNS | PLACE_NOUNS | NAMED_NOUNS | PERSON_NOUNS | OUTLET_NOUNS
              | WORK_NOUNS)
COPULAS = {"is", "are", "was", "were"}
ARTICLE_WORDS = {"the", "a", "an", "that", "this", "those", "these", "its", "their", "his", "her"}


def kind_of(noun: str | None, nouns: Collection[str]) -> bool:
    """Whether a focus noun, singular or plural ("entities", "companies"), is one of `nouns`."""
    if noun is None:
        return False
    singular = re.sub(r"ies$", "y", noun) if noun.endswith("ies") else noun.removesuffix("s")
    return noun in nouns or singular in nouns


def title_word(word: str) -> bool:
    """Whether a word is a post's title word, written before a name ("CEO", "Secretary", "Judge", "striker"): a
    title of TITLES, an honorific or a noun that asks for a person."""
    return word in HONORIFICS or word.lower() in PERSON_NOUNS or TITLE_WORD.fullmatch(word) is not None


TITLE_WORD = re.compile("|".join(TITLES), re.I)  # fullmatch: one title of TITLES


def focus_noun(after: list[str]) -> str | None:
    """The noun right after "which"/"what" ("which judge", "what kind of company" -> "company"), past the words
    that qualify it ("which Alzheimer's drugs" -> "drugs", "which NFL quarterback" -> "quarterback"); `after`
    keeps its capitals, which tell a name qualifying the noun."""
    ends = next((i for i, w in enumerate(after[:5]) if w[-1:] in ",;:?!."), 4)  # the noun phrase ends there
    words = [w.strip("?,.!'’\"") for w in after[:ends + 1]]
    lowered = [w.lower() for w in words]
    # "what are the entities", "what is Jon Copley's new book"
    skipped = 0  # words of `after` read past
    if len(words) > 2 and lowered[0] in COPULAS and (lowered[1] in ARTICLE_WORDS or words[1][:1].isupper()):
        words, lowered, skipped = words[1:], lowered[1:], 1
    if not words or lowered[0] in AUX or (lowered[0] in STOPWORDS - ARTICLE_WORDS and not words[0][:1].isupper()):
        return None  # "which of …", "what did …"; but "which All Blacks captain" names its noun's team
    if len(words) >= 3 and lowered[1] == "of" and lowered[0] in ("kind", "type", "sort"):
        return lowered[2]
    if lowered[0] in ARTICLE_WORDS:
        words, skipped = words[1:], skipped + 1
    if len(words) >= 3 and words[0].lower() in ("title", "name") and words[1].lower() == "of":
        # "the title of Britney Spears' memoir" asks for the memoir's title
        inner = focus_noun(after[skipped + 2:])
        if kind_of(inner, SERIES_NOUNS):
            return "title"  # "the name of the podcast installment" asks for its title, not which one it was
        return inner if kind_of(inner, KIND_NOUNS) and not kind_of(inner, NUMBER_NOUNS | DATE_NOUNS) else \
            words[0].lower()
    while len(words) > 1 and (_modifier(words[0]) or kind_of(words[1].lower(), KIND_NOUNS)) \
            and words[1].lower() not in STOPWORDS:  # "football club": the noun a known kind names is the head
        if (owner := _owner_kind(words[0])) is not None:
            return owner  # "which Copenhagen player's goal" asks which player
        words = words[1:]
    if not words:
        return None
    noun = words[0].lower()
    return noun if kind_of(noun, KIND_NOUNS) else _compound_head(after[skipped:], noun) or noun


def _compound_head(after: list[str], noun: str) -> str | None:
    """The known kind a compound noun ends with, past the first word the reader stopped at ("penalty kill success
    rate when …" -> "rate"): English compounds put their head last."""
    words = [w.strip("?,.!'’\"") for w in after]
    start = next((i for i, w in enumerate(words) if w.lower() == noun), None)
    if start is None:
        return None
    for i in range(start + 1, min(start + _COMPOUND_WORDS, len(words))):
        if after[i - 1][-1:] in ",;:?!." or words[i].lower() in STOPWORDS:
            break
        ends = i + 1 == len(words) or words[i + 1].lower() in STOPWORDS or after[i][-1:] in ",;:?!."
        if ends and kind_of(words[i].lower(), KIND_NOUNS):
            return words[i].lower()
    return None


_COMPOUND_WORDS = 5


def names_the_focus(after_what: list[str], focus: str | None) -> bool:
    """Whether "what is …" gives the name of the thing its noun asks about, right before the noun ("what is
    Meta's Threads app"), where "what is Jon Copley's new book" asks for the book's name."""
    words = [w.strip("?,.!'’\"") for w in after_what]
    lowered = [w.lower() for w in words]
    if focus is None or len(words) < 3 or lowered[0] not in COPULAS or {"name", "title", "called"} & set(lowered):
        return False  # "what is the name of the AI-powered chatbot" asks for one
    at = next((i for i, w in enumerate(lowered) if w == focus), None)
    if at is None or at < 2:
        return False
    before = after_what[at - 1].strip("?,.!\"")
    return before[:1].isupper() and not possessive(before) and "-" not in before  # "AI-powered" qualifies


def _owner_kind(word: str) -> str | None:
    """The kind a common noun in the possessive names ("player's" -> "player"); None for a name's ("Alzheimer's"),
    which qualifies the noun after it."""
    if word[:1].isupper() or not possessive(word):
        return None
    noun = re.sub(r"['’]s?$", "", word).lower()
    return noun if kind_of(noun, KIND_NOUNS) else None


def _modifier(word: str) -> bool:
    """A word before the noun a question asks about: an owner ("Alzheimer's"), a count ("four"), which one ("new",
    "first", "largest"), a name ("NFL quarterback", "Oscar-winning actor") or a compound ("free-agent")."""
    lowered = word.lower()
    return (possessive(word) or word.isdigit() or lowered in NUMBER_WORDS or lowered in _QUANTIFIERS
            or lowered in WHICH_ONE or lowered in ORDINAL_WORDS or word[:1].isupper() or "-" in word
            or _superlative(lowered))


def _superlative(word: str) -> bool:
    """Whether a lower-case word is a superlative ("the largest fine", "the biggest deal", "the earliest date"):
    "-est" after an everyday adjective ("large", "big", "early"), where "protest" or "contest" has none."""
    if word in ("best", "worst", "most", "least", "maximum", "minimum"):
        return True
    if len(word) < 6 or not word.endswith("est"):
        return False
    bases = {word[:-3], word[:-2], word[:-4] + "y"} | ({word[:-4]} if word[-4] == word[-5] else set())
    return any(common_word(base) and base not in STOPWORDS for base in bases)


_QUANTIFIERS = {"one", "several", "many", "few", "both", "all"}
# Adjectives that say which one of a kind, before its noun ("which new model", "the latest book").
WHICH_ONE = {"new", "latest", "newest", "upcoming", "next", "former", "current", "original", "official", "recent",
             "interim", "acting", "incoming", "outgoing"}
