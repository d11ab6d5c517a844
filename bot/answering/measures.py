"""How well an amount answers what a question measures: money wants a currency, time a duration, a score two
sides, and a question about what happened is not answered by what may happen ("faces up to 50 years")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answering.spans import MONEY_UNIT, PERCENT, TIME_SPAN, Span, shares_name
from index.lexicon import COUNT_WORD

_MONEY_SPAN = re.compile(rf"[$£€¥]|\b(?:US|A|C|HK)\$|{MONEY_UNIT}", re.I)
_SIDE = r"\s?[-–]\s?\d{1,3}"  # a further side of a score or a record: "-4", "– 24"
_SCORE = re.compile(rf"\d{{1,3}}{_SIDE}")


_TIMES = re.compile(r"\b(?:times|twice|once)\b", re.I)
_TALLY = re.compile(rf"\d{{1,3}}(?:{_SIDE}){{1,2}}")


def is_money(span: str) -> bool:
    """Whether an amount is written as money, with a currency sign or word ("$7,200", "£30m", "500 euros")."""
    return bool(_MONEY_SPAN.search(span))


def is_score(span: str) -> bool:
    """Whether an amount is a score of two sides ("4-4", "30–24")."""
    return bool(_SCORE.fullmatch(span))


def is_tally(span: str) -> bool:
    """Whether an amount is a record of wins, losses and perhaps draws ("2-7", "24-1-0")."""
    return bool(_TALLY.fullmatch(span))


# A score during play, not at its end: "tied the score at 17-17 with 6:08 left in the third quarter".
_IN_PLAY = re.compile(r"\b(?:left in the|remaining in the|to play|at (?:the )?half(?:-?time)?|at the break|"
                      r"in the (?:first|second|third|fourth) (?:quarter|half|period|inning|set))\b", re.I)


_LEAD_AFTER = re.compile(r"\s+(?:lead|advantage|deficit)\b", re.I)  # "for a 7-0 lead": how it stood


def in_play(span: Span, sentence: str) -> bool:
    """Whether the sentence gives a score as it stood during play (a final score question is not answered by it)."""
    return bool(_IN_PLAY.search(sentence[max(0, span.start - 60):span.end + 60])) or bool(
        _LEAD_AFTER.match(sentence, span.end))


# Wins and losses over a season: "a 10-3 mark", "an 8-1 start", "went 10-3", "improved to 9-2", "a record of 5-7".
_RECORD_AFTER = re.compile(r"\s*(?:mark|record|season|campaign|start|finish)\b", re.I)
_RECORD_BEFORE = re.compile(r"\b(?:went|finished|record of|improved to|fell to|dropped to|moved to|slipped to|"
                            r"regressed to|climbed to|rose to|sits? at|stands? at)\s+$", re.I)


def season_record(span: Span, sentence: str) -> bool:
    """Whether two numbers are a team's record, not the score of a game: in brackets after its name ("Michigan
    (12-0) beat Ohio State (11-1)"), or written as one ("a 10-3 mark", "went 10-3", "improved to 9-2")."""
    return (sentence[max(0, span.start - 1):span.start] == "(" and sentence[span.end:span.end + 1] == ")") or bool(
        _RECORD_AFTER.match(sentence, span.end) or _RECORD_BEFORE.search(sentence[max(0, span.start - 20):span.start]))


# A name right before an opening bracket: "Santos (down 0.4 per cent)", "Michigan (12-0)".
_NAME_BEFORE_BRACKET = re.compile(r"([A-Z][\w’'&.-]*(?:\s+[A-Z][\w’'&.-]*)*)\s*\($")


def bracketed_owner(span: Span, sentence: str) -> str | None:
    """The name an amount in brackets belongs to ("Santos (down 0.4 per cent)" -> "Santos"), None when the amount
    is not in brackets after a name: in a list of names and amounts each amount is its own name's."""
    opened = sentence.rfind("(", 0, span.start)
    if opened < 0 or sentence.rfind(")", 0, span.start) > opened or ")" not in sentence[span.end:span.end + 40]:
        return None
    before = _NAME_BEFORE_BRACKET.search(sentence[max(0, opened - 60):opened + 1])
    return before.group(1) if before else None


_RESPECTIVELY = re.compile(r"(?:[^.;]|\.\d){0,60}?\brespectively\b")  # "0.4" is no full stop


def listed_for(span: Span, sentence: str) -> str | None:
    """The clause naming whom a list of amounts belongs to, for an amount of one closed by "respectively"
    ("Woodside and Santos shed 0.8 per cent and 0.4 per cent, respectively"); None for any other amount."""
    if not _RESPECTIVELY.match(sentence, span.end):
        return None
    before = sentence[:span.start]
    return before[max(before.rfind(";"), before.rfind("respectively")) + 1:]


def others_amount(span: Span, sentence: str, names: Sequence[str], question: str) -> bool:
    """Whether an amount is written as another name's than the question's (`names`, as `question` writes them): in
    brackets after it ("Santos (down 0.4 per cent)"), or in a list closed by "respectively" whose names are not
    the question's."""
    owner = bracketed_owner(span, sentence)
    if owner is not None:
        return not shares_name(owner, question)
    listed = listed_for(span, sentence)
    return listed is not None and not any(name.lower() in listed.lower() for name in names)


def measure_fit(span: str, measure: str | None) -> float:
    """How well an amount fits what the question measures: money wants a currency, time a duration, a score
    two numbers ("4-4"), a record two or three ("24-1-0"), a percentage a per cent, how often a count of times, a
    unit the question names that unit."""
    if measure == "score":
        return 1.0 if is_score(span) else 0.3
    if measure == "record":
        return 1.0 if is_tally(span) else 0.3
    if measure == "percent":
        return 1.0 if PERCENT.search(span) else 0.4
    if measure == "frequency":  # "how often": "100 times", "three times a week"
        return 1.0 if _TIMES.search(span) else 0.4
    if measure == "money":
        return 1.0 if is_money(span) else 0.3
    if measure == "time":
        return 1.0 if TIME_SPAN.search(span) else 0.4
    if measure == "quantity":  # "how much" is not answered by how long
        return 0.4 if TIME_SPAN.search(span) else 1.0
    if measure == "count":
        return 0.5 if is_money(span) or TIME_SPAN.search(span) else 1.0
    if measure == "age":  # only ages are let through (`span_fit.gives_age`); "age" is no unit to find in them
        return 1.0
    if measure is not None:  # a unit the question names: "10,996 square feet", not "three times"
        return 1.0 if measure in re.sub(r"\s+", " ", span.lower()) else 0.4
    return 1.0


# What may be, not what was: "faces up to 50 years", "could cost $2 billion", "is expected to open on May 1",
# "guidelines suggest 12 to 18 months", "each charge carries up to 20 years", "prosecutors sought 40 years".
_POSSIBLE_BEFORE = re.compile(
    r"\b(?:up to|as (?:much|many|long) as|maximum(?: of)?|faces?|facing|could|would|might|may|potential(?:ly)?|"
    r"possible|expected to|projected|forecasts?|estimated to|likely to|suggests?|suggested|carr(?:y|ies)|"
    r"seeks?|seeking|sought|recommends?|recommended|proposes?|proposed)\b[^.;:!?]{0,40}$", re.I)
_PAST_QUESTION = re.compile(r"\b(?:did|was|were|had)\b", re.I)
_ASKS_POSSIBLE = re.compile(r"\b(?:could|would|might|may|can|will|faces?|facing|up to|maximum|max|potential|"
                            r"possible|expected|projected|forecast|estimated?|likely)\b", re.I)


def only_possible(span: Span, sentence: str, question: str) -> bool:
    """Whether an amount or date is what may be ("He faces up to 50 years") where the question asks what was ("How
    many years did he get?"): no answer to it. A question asking what may be is answered by it."""
    return (bool(_PAST_QUESTION.search(question)) and not _ASKS_POSSIBLE.search(question)
            and bool(_POSSIBLE_BEFORE.search(sentence[max(0, span.start - 60):span.start])))


_COUNT = rf"(?:\d[\d,]*|{COUNT_WORD})"
# "one of his 17 encounters", "three of the past five games": a part, then the whole it is counted from.
_PARTITIVE = re.compile(rf"\b({_COUNT})\s+of\s+(?:his|her|their|its|the|our|your|these|those)\s+"
                        rf"(?:(?:past|last|first|next)\s+)?({_COUNT})\b", re.I)
_ASKS_PART = re.compile(r"\bhow many of\b", re.I)


def counted_parts(sentence: str, question: str) -> tuple[list[Span], set[int]]:
    """For "how many of his games has Klopp lost?": the parts a sentence counts out of a whole ("lost one of his 17
    encounters" -> "one"), which answer, and where the wholes ("17") start, which do not; nothing for another
    question: "how many games has he played" is answered by the whole."""
    if not _ASKS_PART.search(question):
        return [], set()
    found = list(_PARTITIVE.finditer(sentence))
    return [Span(m.group(1), m.start(1), m.end(1)) for m in found], {m.start(2) for m in found}
