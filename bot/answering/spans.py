"""Short answers inside sentences: the names, dates and amounts a sentence states, and the fullest form of a name.

A name is a run of capitalised words (with the short joiners names use: "Bank of England", "Tour de France"),
not counting a common word capitalised only because it opens the sentence. A date is a day, month, weekday or
year as newsrooms write them; an amount is a number with its currency, scale and unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.answering.question import AnswerType
from index.lexicon import ABBREVIATED_TITLES, COUNT_WORD, MEASURE_UNIT, ORDINAL_WORDS, SHORT_TITLES
from index.text import (
    CALENDAR_WORDS,
    DATE_WORDS,
    MONTH_PATTERN,
    NAME_PARTICLES,
    STOPWORDS,
    WEEKDAY_PATTERN,
    analyze,
    bare_word,
    common_word,
    opens_clause,
)

_CAP = rf"(?:{'|'.join(sorted(ABBREVIATED_TITLES))}|St)\.|(?:[A-Z][\w’'&.\-]*[\w’'])|[A-Z]\.?"
_JOIN = rf"(?:of|{NAME_PARTICLES}|y)"
_GAP = r"[^\S\n]+"  # a name never runs over a line break (a heading's last word and the text's first)
NAME_RUN = re.compile(rf"(?<![\w’'\-$£€¥])(?:{_CAP})(?:{_GAP}(?:{_JOIN}{_GAP}){{0,2}}(?:{_CAP}))*")
DATE_SPAN = re.compile(
    rf"\b(?:{WEEKDAY_PATTERN},?\s+)?{MONTH_PATTERN}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH_PATTERN}(?:,?\s+\d{{4}})?\b"
    rf"|\b(?:(?:in|since|until|by|from)\s+)?{MONTH_PATTERN}(?:\s+\d{{4}}\b|(?=[\s,;.]))"
    rf"|\b{WEEKDAY_PATTERN}\b|\b(?:1[89]|20)\d\d\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
)
_SCALE = r"(?:thousand|million|billion|trillion|bn|mn|m|k|tn)\b"
MONEY_UNIT = r"(?:dollars?|pounds?|euros?|yen|yuan|rupees?|francs?)\b"
_PER_CENT = r"(?:%|\bper ?cent\b)"
PERCENT = re.compile(_PER_CENT, re.I)
_UNIT = rf"(?:{MONEY_UNIT}|{_PER_CENT}|points?\b|years?\b|months?\b|weeks?\b|days?\b|hours?\b|minutes?\b|" \
    rf"seconds?\b|people\b|votes?\b|goals?\b|runs?\b|games?\b|times\b|{MEASURE_UNIT})"
_NUMBER_WORD = rf"(?:{COUNT_WORD}|dozens|hundreds|thousands|millions)"
AMOUNT_SPAN = re.compile(
    rf"(?:[$£€¥](?:US|AU|A|C|NZ|HK)?\s?|\b(?:US|A|C|HK)\$\s?)\d(?:[\d,]*\d)?(?:\.\d+)?(?:\s?{_SCALE})?(?:\s?\([^)]{{1,20}}\))?"
    rf"|\b\d(?:[\d,]*\d)?(?:\.\d+)?(?:\s?{_SCALE})?(?:\s?-?\s?{_UNIT})"
    rf"|\b\d(?:[\d,]*\d)?(?:\.\d+)?\s?{_SCALE}"
    rf"|\b\d+(?:[-–]\d+)+\b"
    rf"|\b{_NUMBER_WORD}(?:[\s-]+{_NUMBER_WORD})*\s+{_UNIT}"
    rf"|\b{_NUMBER_WORD}(?:[\s-]+{_NUMBER_WORD})*\s+[a-z]{{3,}}s\b"  # "six charges": a count of something
    rf"|\b\d(?:[\d,]*\d)?(?:\.\d+)?\b",
    re.I,
)
_LEADING_ARTICLE = re.compile(r"^(?:The|A|An)\s+")


@dataclass(frozen=True)
class Span:
    """A short answer candidate: its text and where it sits in the sentence."""

    text: str
    start: int
    end: int


def name_spans(sentence: str) -> list[Span]:
    """Names in a sentence: runs of capitalised words, minus a common word that only opens the sentence."""
    return list(_name_spans(sentence))


_NON_SPACE = re.compile(r"\S+")


# The gate, the answer's spans and the composer each read the names of the same candidate sentences.
@lru_cache(maxsize=4096)
def _name_spans(sentence: str) -> tuple[Span, ...]:
    out: list[Span] = []
    for match in NAME_RUN.finditer(sentence):
        tokens = [(match.start() + m.start(), m.group()) for m in _NON_SPACE.finditer(match.group())]
        of = next((i for i, (_, w) in enumerate(tokens) if w == "of"), None)
        if of is not None and of >= 2:  # "Mira Murati of OpenAI" is two names; "Bank of England" is one
            out.extend(_name(sentence, tokens[:of]) + _name(sentence, tokens[of + 1:]))
        else:
            out.extend(_name(sentence, tokens))
    return tuple(out)


@lru_cache(maxsize=2048)
def passage_names(text: str) -> tuple[Span, ...]:
    """The names of a passage, read once: the lead's checks read the same few passages for every candidate."""
    return tuple(name_spans(text))


def _name(sentence: str, tokens: list[tuple[int, str]]) -> list[Span]:
    titled = False  # "Prof." says what, not who; and the word after it opens no sentence ("Gen. Mark Milley")
    while tokens and tokens[0][1] in SHORT_TITLES:
        tokens, titled = tokens[1:], True
    while tokens and ((not titled and _opening_common_word(sentence, *tokens[0])) or _names_a_kind(tokens[0][1])):
        tokens = tokens[1:]
    while tokens and (tokens[-1][1].lower().strip(".’'") in STOPWORDS | DATE_WORDS or _names_a_kind(tokens[-1][1])):
        tokens = tokens[:-1]
    if not tokens:
        return []
    start, end = tokens[0][0], tokens[-1][0] + len(tokens[-1][1])
    text = re.sub(r"(?:['’]s|['’])$", "", sentence[start:end]).rstrip(".")
    if len(text) < 2 or all(w.strip(".") in CALENDAR_WORDS or w.lower().strip(".") in DATE_WORDS
                            for w in text.split()) or _time_zone(sentence, start, text):
        return []
    return [Span(text, start, start + len(text))]


# A clock time before a short acronym: "1pm ET", "4:30 p.m. GMT", "10:00 PT".
_CLOCK_BEFORE = re.compile(r"\b\d{1,2}(?::\d\d\s?(?:[ap]\.?m\.?)?|\s?[ap]\.?m\.?)\s+$", re.I)


def _time_zone(sentence: str, start: int, text: str) -> bool:
    """Whether a capitalised word belongs to the clock time before it ("at 3 PM", "on sale at 1pm ET"): no name."""
    before = sentence[max(0, start - 16):start]
    if text in ("AM", "PM"):
        return bool(re.search(r"\d\s?$", before))
    return len(text) <= 4 and text.isupper() and bool(_CLOCK_BEFORE.search(before))


_COMPOUND = re.compile(r"-[a-z]+\W*$")  # "AI-driven", "Ad-supported": an adjective, where "Bankman-Fried" is a name
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s[.,;:]?")  # "APIs", "NFTs": a kind of thing, where "NASA" names one


def _names_a_kind(word: str) -> bool:
    """A capitalised word that says what kind of thing, not which: "AI-driven", "APIs"."""
    return bool(_COMPOUND.search(word) or _PLURAL_ACRONYM.fullmatch(word))


_CONTRACTION = re.compile(r"(?:['’](?:s|re|ll|ve|d|m)|n['’]t)$", re.I)  # "We’re", "It’s", "Don’t"


def _opening_common_word(sentence: str, start: int, word: str) -> bool:
    """An article, "I", a stop word (also contracted: "We’re", "It’s") or a common word capitalised only because it
    opens the sentence, or a date word. A stop word capitalised within a sentence is part of the name ("the All
    Blacks", "Made In Chelsea"); a joining "of" left at its edge is not."""
    bare = word.strip(".’'")
    base = _CONTRACTION.sub("", bare).lower()  # "Apple’s" keeps its owner: only a stop word's contraction goes
    opens = opens_clause(sentence, start)
    return (base in _NEVER_OPENS_A_NAME or (base in STOPWORDS and (opens or base != bare.lower() or bare.islower()))
            or bare.lower() in DATE_WORDS or (opens and common_word(bare)))


# "The Verge" is read as "Verge" wherever it stands, and "I" is capitalised wherever it stands.
_NEVER_OPENS_A_NAME = frozenset({"the", "a", "an", "i"})


TIME_SPAN = re.compile(r"\b(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?)\b", re.I)


_QUOTED = re.compile(r"[“\"‘]([A-Z0-9][^“”\"‘’.!?]{0,80}?)(?<!,)[”\"’](?![a-z])")  # “Dream on,” is speech


def appositive_title(sentence: str, noun: str) -> Span | None:
    """A title set off by commas after the noun that names its kind ("her forthcoming memoir, The Woman in Me,
    Britney …"): the whole phrase, small words included, where its words of four letters or more are capitalised."""
    match = re.search(rf"\b{re.escape(noun)}s?,\s+([A-Z][^,;:.!?“”\"]{{1,60}}?),", sentence, re.I)
    if match is None:
        return None
    return Span(match.group(1), match.start(1), match.end(1)) if _title_like(match.group(1)) else None


# The word after a noun of the kind, set off by a comma, a dash or a bracket ("a second drug, donanemab,"); a word
# right after the noun is as often a compound's ("app installs").
_INSTANCE_AFTER = re.compile(r"(?:,\s+|\s+[–—]\s+|\s+\()([a-z][a-z0-9-]{3,})(?=[,;:.)!?]|\s+[–—]|\s+[a-z])")


def kind_instances(sentence: str, noun: str) -> list[Span]:
    """Lower-case names set off after a noun of the kind a question asks for ("A second drug, donanemab, is expected",
    "the virus – mpox –"): drugs, compounds and species are often not capitalised. Only a word newswire does not use
    lower case (Punkt's model) counts, so "the drug, reportedly," names none."""
    wanted = analyze([noun])[0][:1]
    out: list[Span] = []
    for word in TOKEN.finditer(sentence):
        if not wanted or word.group()[:3].lower() != noun[:3].lower() or analyze([word.group()])[0][:1] != wanted:
            continue
        after = _INSTANCE_AFTER.match(sentence, word.end())
        if after and after.group(1) not in STOPWORDS and not common_word(after.group(1)):
            out.append(Span(after.group(1), after.start(1), after.end(1)))
    return out


def quoted_titles(sentence: str) -> list[Span]:
    """Titles in quotation marks, words of four letters or more all capitalised ("“Deep Sea: 10 Things You Should
    Know”", "‘Dream Track’"): a book's, a film's or a product's name, which may hold digits, colons and small words
    a run of capitalised words breaks at. Sentence-case quotes, and quotes closing on a comma, are speech."""
    return [Span(m.group(1).strip(), m.start(1), m.start(1) + len(m.group(1).strip()))
            for m in _QUOTED.finditer(sentence) if _title_like(m.group(1))]


# One capitalised word in quotation marks, American style with the sentence's stop inside ("“Thriller.”").
_QUOTED_WORD = re.compile(r"[“\"‘]([A-Z][\w’'-]+)[.,]?[”\"’](?![a-z])")


def quoted_words(sentence: str) -> list[Span]:
    """Single capitalised words in quotation marks ("Michael Jackson’s “Thriller.”"): a work's one-word name, read
    only for a question asking for a work, since "quoted_titles" takes two words or more to tell titles from
    speech."""
    return [Span(m.group(1), m.start(1), m.end(1)) for m in _QUOTED_WORD.finditer(sentence)]


def titles_first(titles: Sequence[Span], spans: Iterable[Span]) -> list[Span]:
    """The titles, then the spans outside them: a title replaces the names inside it ("The Woman", "Me")."""
    return [*titles, *(s for s in spans if not any(t.start <= s.start < t.end for t in titles))]


def _title_like(text: str) -> bool:
    """Two to ten words whose words of four letters or more are all capitalised, as titles are written."""
    words = re.findall(r"[A-Za-z][\w’'-]*", text)
    return len(words) >= 2 and len(text.split()) <= 10 and all(w[0].isupper() for w in words if len(w) >= 4)


def typed_spans(sentence: str, answer_type: AnswerType) -> list[Span]:
    """The spans of `sentence` that could answer a question expecting `answer_type`."""
    if answer_type == AnswerType.DATE:
        pattern = DATE_SPAN
    elif answer_type == AnswerType.NUMBER:
        pattern = AMOUNT_SPAN
    elif answer_type == AnswerType.NAME:
        return titles_first(quoted_titles(sentence), name_spans(sentence))
    elif answer_type in (AnswerType.PLACE, AnswerType.OUTLET):
        return name_spans(sentence)
    else:
        return []
    spans = [Span(m.group().strip(), m.start(), m.end()) for m in pattern.finditer(sentence) if m.group().strip()]
    # An age is written whole: "the 33-year-old tight end" (not "33-year").
    return [Span(f"{s.text}-old", s.start, s.end + 4) if sentence.startswith("-old", s.end) else s for s in spans]


def series_spans(sentence: str, noun: str) -> list[Span]:
    """Which one of a series a sentence names, for "which round / edition": an ordinal before the noun ("The 243rd
    edition", "the seventh round") or a number after it ("in round seven", "Chapter 1")."""
    return [Span(m.group(), m.start(), m.end()) for m in _series_pattern(noun).finditer(sentence)]


@lru_cache(maxsize=64)
def _series_pattern(noun: str) -> re.Pattern[str]:
    ordinal = rf"\d{{1,4}}(?:st|nd|rd|th)|{'|'.join(ORDINAL_WORDS)}|final|last|opening"
    count = rf"\d{{1,4}}|{COUNT_WORD}"
    word = re.escape(noun)
    return re.compile(rf"\b(?:(?:{ordinal})(?:[ \t]+[\w’'-]+){{0,2}}?[ \t]+{word}s?|{word}[ \t]+(?:{count}))\b", re.I)


def mentioned(span: str, text: str) -> bool:
    """Whether `text` already says `span` (ignoring case), e.g. a name the question itself gives."""
    words = [w for w in re.findall(r"\w+", span.lower()) if w not in STOPWORDS]
    have = set(re.findall(r"\w+", text.lower()))
    return bool(words) and all(w in have for w in words)


def shares_name(span: str, text: str) -> bool:
    """Whether a name shares a name word with `text` ("Mikel Arteta" with a question about "Arteta's" team, or
    typed lower-case, "ohtani"); a lower-case everyday word in `text` ("state") is not the name ("Ohio State"), nor
    is any word `text` writes lower-case while it capitalises names ("which bowl game" and "the Military Bowl")."""
    asked, cased = _asked_words(text)
    for word in _bare_words(span):
        if not word[:1].isupper() or word.lower() in STOPWORDS or word.lower() not in asked:
            continue
        if asked[word.lower()] or not (cased or common_word(word)):
            return True
    return False


@lru_cache(maxsize=256)
def _asked_words(text: str) -> tuple[Mapping[str, bool], bool]:
    """Each lower-cased word of `text` -> whether `text` capitalises it somewhere, and whether it capitalises any
    word but its first (cached: one question is asked about every name of every candidate sentence)."""
    asked: dict[str, bool] = {}
    words = _bare_words(text)
    for word in words:
        asked[word.lower()] = asked.get(word.lower(), False) or word[:1].isupper()
    return asked, any(w[:1].isupper() for w in words[1:])


TOKEN = re.compile(r"[\w’'-]+")  # a word with the apostrophes and hyphens names keep ("O'Brien", "Bankman-Fried")


def _bare_words(text: str) -> list[str]:
    """The words of `text` without possessives and the quotes around them ("Altman's" -> "Altman", "'Japan'")."""
    return [w for w in (bare_word(t.lstrip("'’-")) for t in TOKEN.findall(text)) if w]


DATE_DETAIL = (
    re.compile(rf"{MONTH_PATTERN}\s+\d{{1,2}}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH_PATTERN}|\d{{4}}-\d\d-\d\d"),
    re.compile(rf"{MONTH_PATTERN}\s+\d{{4}}|\b(?:1[89]|20)\d\d\b"),
)


def date_detail(span: str) -> float:
    """How precise a date is: a day (1.0), a month or year (0.6), a weekday or a bare month (0.3)."""
    if DATE_DETAIL[0].search(span):
        return 1.0
    return 0.6 if DATE_DETAIL[1].search(span) else 0.3
