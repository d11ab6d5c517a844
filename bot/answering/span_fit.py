"""Whether a span can answer what the question asks: a place where something is, a date of the asked year and
month, an amount that is not a year, a day, a rank or a clock time (and an age when the age is asked), a name
that is not a line's label; and how well a name answers (`name_fit`)."""

from __future__ import annotations

import re

from bot.answering.focus import PLACE_NOUNS
from bot.answering.measures import is_money
from bot.answering.question import AnswerType, QuestionProfile
from bot.answering.spans import PERCENT, TIME_SPAN, Span, date_detail
from index.lexicon import SCALES
from index.text import MONTH_PATTERN, SPEECH_VERBS, YEAR, analyze, common_word, months_in, opens_clause

_LOCATIVE = re.compile(r"\b(?:in|at|from|near|inside|outside|across|to|into|throughout)\s+(?:the\s+)?$", re.I)
_TOLD_TO = re.compile(rf"\b{SPEECH_VERBS}\s+to\s+(?:the\s+)?$", re.I)  # "claimed to Yahoo News": whom, not where
_ARTICLE_BEFORE = re.compile(r"\b(?:a|an|the)\s+$", re.I)
# A place named before the kind of place something happens in: "an Oslo court", "the Manhattan federal court".
_PLACE_KIND_AFTER = re.compile(rf"\s+(?:[a-z]+\s+)?(?:{'|'.join(sorted(PLACE_NOUNS))})s?\b")


def name_fit(span: Span, sentence: str, place: bool, focus: str | None = None) -> float:
    """How well a name answers: a person or body does not follow "in", "at", "from"… (a place does), unless it
    carries the kind asked for ("at Kiel University" for "which university"); a single common word capitalised
    ("Partnership") is rarely the answer, and without a focus word ("which company") a "who" question is more
    often answered by a full name than by a lone word or an acronym."""
    stem = analyze([focus])[0] if focus else []
    kind = bool(stem) and analyze([span.text.split()[-1]])[0][-1:] == stem
    fit = 1.0 if place or kind else (0.25 if located(span, sentence) or widens_place(span, sentence) else 1.0)
    if not place and focus is None and " " not in span.text:
        fit *= 0.7
    quoted = span.start > 0 and sentence[span.start - 1] in "“\"‘"  # "“Thriller”" names a work
    if " " not in span.text and not span.text.isupper() and common_word(span.text) and not quoted:
        fit *= 0.3
    if " " not in span.text and span.text.isascii() and not span.text.isupper() and not re.search(
            r"[aeiouy\d]", span.text, re.I):
        fit = 0.0  # no vowel and not an acronym: "the “Ws” in the replies", not a name
    return fit


def fits_question(span: Span, sentence: str, profile: QuestionProfile) -> bool:
    """Whether a span of the asked type can answer beyond what the question says: a place is where something is
    ("in Paris", not "Taylor Swift"); a date gives the year or the month asked for, agrees with the question's
    years and months and, when the question names the month, gives the day; an amount is not a bare year, and a
    duration when the question asks how long."""
    if profile.answer_type == AnswerType.PLACE:
        return located(span, sentence)
    if profile.answer_type == AnswerType.DATE:
        years, months = set(YEAR.findall(span.text)), months_in(span.text)
        if (profile.focus == "year" and not years) or (profile.focus == "month" and not months):
            return False  # "in what year" is not answered by "30 October"
        if profile.years and years and not years & set(profile.years):
            return False
        if profile.months:
            return bool(months & set(profile.months)) and date_detail(span.text) == 1.0
        return True
    if profile.answer_type == AnswerType.NUMBER:  # "how many years" is not answered by "seven counts"
        return _fits_amount(span, sentence, profile)
    return True


def _fits_amount(span: Span, sentence: str, profile: QuestionProfile) -> bool:
    """An amount: someone's age only when the age is asked; never a year, a day ("3 September", "October 26"), a
    clock time or a number a word joins ("Under-21"); a rank ("No. 3") only when a rank is asked; a duration for
    "how long" and never for money or a count; a per cent for "what share" or "how likely", never for a count; money
    written as money, or as a number alone or with its scale."""
    if profile.measure == "age":
        return gives_age(span, sentence)
    if _AGE_AFTER_NAME.search(sentence[max(0, span.start - 40):span.start]) and span.text.isdigit() \
            and sentence.startswith(",", span.end):
        return False  # "Kalmus, 49, thinks …" gives his age, no amount of anything else
    if YEAR.fullmatch(span.text) or _MONTH_AFTER.match(sentence, span.end) or _MONTH_BEFORE.search(
            sentence[max(0, span.start - 12):span.start]) or _joined_by_colon_or_slash(span, sentence) \
            or _NAMED_BEFORE.search(sentence[max(0, span.start - 2):span.start]):
        return False
    if _RANK_BEFORE.search(sentence[max(0, span.start - 8):span.start]) and not _ASKS_RANK.search(profile.text):
        return False
    if profile.measure != "score" and _numbers_a_name(span, sentence, profile.measure == "money"):
        return False
    if _bounded_otherwise(span, sentence, profile.text):
        return False
    if profile.measure == "time":
        return bool(TIME_SPAN.search(span.text))
    if profile.measure in _NOT_TIME and TIME_SPAN.search(span.text) and not is_money(span.text):
        return False  # "two weeks" is no salary, no count of goals
    if profile.measure == "money" and not is_money(span.text) and (PERCENT.search(span.text) or not _bare_or_scaled(
            span.text)):
        return False  # nor is "a 21.8-percent target share", nor "seven catches"; "300 million" may be
    if profile.measure == "count" and PERCENT.search(span.text):
        return False  # "about 45% of our audience" is no attendance
    return profile.measure != "percent" or bool(PERCENT.search(span.text))


def _bare_or_scaled(amount: str) -> bool:
    """Whether an amount is a number alone or with a scale word ("4,000", "300 million", "19.3bn"), no count of
    things ("seven catches", "101 yards")."""
    word = re.search(r"[A-Za-z]+$", amount)
    return word is None or word.group().lower() in SCALES


_NOT_TIME = frozenset({"money", "count", "percent", "score", "record"})  # no duration answers ("how much longer" may)


# The bound a question asks for, and the bound written before an amount: "a minimum $10 deposit" answers "what
# minimum deposit", "a bonus of up to $1,000" does not (it is the most one may get).
_ASKS_LEAST = re.compile(r"\b(?:minimum|at least|lowest|least|smallest|fewest)\b", re.I)
_ASKS_MOST = re.compile(r"\b(?:maximum|at most|up to|highest|largest|biggest)\b", re.I)
_UPPER_BEFORE = re.compile(
    r"\b(?:up to|as (?:much|many|high) as|at most|no more than|maximum(?: of)?|max\.?|capped at)\s+$", re.I)
_LOWER_BEFORE = re.compile(
    r"\b(?:at least|as (?:little|few|low) as|no (?:less|fewer) than|minimum(?: of)?|min\.?|starting at)\s+$", re.I)


def _bounded_otherwise(span: Span, sentence: str, question: str) -> bool:
    """Whether an amount is written as the other bound than the one asked: a maximum ("up to $1,000") for a
    question asking the least, a minimum ("at least 10") for one asking the most."""
    before = sentence[max(0, span.start - 24):span.start]
    if _ASKS_LEAST.search(question) and not _ASKS_MOST.search(question):
        return bool(_UPPER_BEFORE.search(before))
    if _ASKS_MOST.search(question) and not _ASKS_LEAST.search(question):
        return bool(_LOWER_BEFORE.search(before))
    return False


_AGE_AFTER_NAME = re.compile(r"\b[A-Z][\w’'-]+,[ \t]$")
_AGE_BEFORE = re.compile(r"\b(?:aged|age|ages|age of)\s+$", re.I)  # "aged 73", "at the age of 73"
_OLD_AFTER = re.compile(r"(?:[- ]years?)?[- ]old\b")  # "73 years old", "73-year-old"
_RANK_BEFORE = re.compile(r"(?:\bNo\.|#)\s?$")  # "No. 3 Washington" ranks a team: no amount of anything
_ASKS_RANK = re.compile(r"\b(?:rank(?:ed|ing)?|seed(?:ed)?|No\.)", re.I)
_MONTH_AFTER = re.compile(rf"\s+(?:of\s+)?{MONTH_PATTERN}(?!\w)")  # "3 September" is a day, no amount
_MONTH_BEFORE = re.compile(rf"(?<!\w){MONTH_PATTERN}\s+$")  # "October 26" too
_NAMED_BEFORE = re.compile(r"[A-Za-z]-$")  # "Under-21", "COVID-19", "F-35", "top-10": a name's or a rank's number


_LABEL_WORD = re.compile(r"\b(?:[A-Z][a-z]+|[A-Z]{2,})[ \t]$")  # "Week 13", "Game 7", "Windows 11", "NGC 1433"


def _numbers_a_name(span: Span, sentence: str, money: bool = False) -> bool:
    """Whether a bare number follows a capitalised word inside a clause, as the number in a name does ("Week 13",
    "Game 7", "NGC 1433"), where "Nearly 50 people" opens a sentence with an amount; for money, not after a word
    in capitals ("USD 500")."""
    word = _LABEL_WORD.search(sentence[max(0, span.start - 24):span.start])
    return word is not None and span.text.replace(",", "").isdigit() and not (money and word.group().isupper()) \
        and not opens_clause(sentence, span.start - len(word.group()))


def _joined_by_colon_or_slash(span: Span, sentence: str) -> bool:
    """Whether a number is part of a clock time ("with 6:08 left", "at 7:30 p.m."), a split or a written date
    ("a 70/30 split", "10/12/2023"): when or in what ratio, not how much."""
    return bool(re.match(r"[:/]\d", sentence[span.end:span.end + 2]) or re.search(r"\d[:/]$", sentence[:span.start]))


def gives_age(span: Span, sentence: str) -> bool:
    """Whether an amount is someone's age: after a name between commas ("Andrew Sutch, 73, is stepping down"),
    written as one ("the 55-year-old actor", "73 years old") or after "aged" ("aged 73", "at the age of 73")."""
    if _OLD_AFTER.match(sentence, span.end) or span.text.endswith("-year-old"):
        return True
    if not re.fullmatch(r"\d{1,3}", span.text):
        return False
    before = sentence[max(0, span.start - 40):span.start]
    return bool((_AGE_AFTER_NAME.search(before) and sentence.startswith(",", span.end)) or _AGE_BEFORE.search(before))


def labels_line(span: Span, sentence: str) -> bool:
    """Whether a name opens its sentence as a label, before a colon: who speaks in an interview ("Mulligan: One of
    my favorite …") or what the line is about ("Taylor Swift: The Eras Tour tickets are …"), no name the line
    reports as a work, a body, a place or an amount."""
    return not sentence[:span.start].strip() and sentence.startswith(":", span.end)


def in_kicker(span: Span, sentence: str) -> bool:
    """Whether a name in capitals is part of the kicker or the dateline in capitals that opens a line ("FIRST ON
    FOX: Chairman …", "CANBERRA - An Australian pleaded …", "LONDON (Reuters) —"): a label of the story or where
    it was filed, no name it reports."""
    return span.text.isupper() and _KICKER.fullmatch(sentence[:span.start]) is not None and (
        sentence.startswith(":", span.end) or _DATELINE_END.match(sentence, span.end) is not None)


_KICKER = re.compile(r"\s*(?:[A-Z]+\s+)*(?:[A-Z]+\s*\()?")  # the capitals before the name ("CANBERRA (" of "AP")
_DATELINE_END = re.compile(r"\)?(?:,\s+[A-Z][\w.]*)?\s*(?:\([A-Z][\w ]*\)\s*)?[-–—]\s")  # "LONDON, Ont. (AP) — "


def located(span: Span, sentence: str) -> bool:
    """Whether a name follows "in", "at", "from"… (where something is, or comes from), or names the place of the
    court, stadium or city after it ("an Oslo court rejected …")."""
    before = sentence[max(0, span.start - 30):span.start]
    if _LOCATIVE.search(before[-14:]):
        return not _TOLD_TO.search(before)
    return bool(_ARTICLE_BEFORE.search(before[-6:]) and _PLACE_KIND_AFTER.match(sentence, span.end))


# A place before a comma: "in Boca Raton, Florida".
_PLACE_BEFORE = re.compile(r"([A-Z][\w’'.-]*(?:[ \t]+[A-Z][\w’'.-]*){0,3}),[ \t]$")


def widens_place(span: Span, sentence: str) -> bool:
    """Whether a name follows a place and a comma and ends a phrase ("in Boca Raton, Florida —"): the wider place
    it lies in, no person, body or work (and a less exact answer to "where" than the place before it). "At SoFi
    Stadium, Taylor Swift sang" opens a clause with her."""
    place = _PLACE_BEFORE.search(sentence[max(0, span.start - 40):span.start])
    if place is None or not re.match(r"\s*(?:[,.;:—–)]|$)", sentence[span.end:]):
        return False
    start = span.start - len(place.group(0))
    return located(Span(place.group(1), start, start + len(place.group(1))), sentence)
