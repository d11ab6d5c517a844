"""How well a short answer sits in its sentence: near the question's words, introduced as what the question asks
for, of the measure it asks in, and not only what may be or another name's amount."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answering.measures import in_play, measure_fit, only_possible, others_amount, season_record
from bot.answering.name_kinds import speaks
from bot.answering.question import AnswerType, QuestionProfile
from bot.answering.span_fit import name_fit
from bot.answering.spans import TOKEN, Span, date_detail
from index.lexicon import TITLES_IN_FULL
from index.text import SPEECH_VERBS, analyze

# An amount in brackets after another name than the question's weighs this share ("Santos (down 0.4 per cent)").
OTHERS_AMOUNT = 0.2
# Asks for the score at the end; "the score at the end of the first half" asks for one during play.
_FINAL = re.compile(r"\b(?:final|full[- ]time)\b", re.I)
_ASKS_SPEAKER = re.compile(rf"\b(?:{SPEECH_VERBS}|quot(?:e|es|ed|ing)|according)\b", re.I)
# A date right after a verb of saying ("said Tuesday", "announced on Friday") dates the saying.
_SAID_ON = re.compile(rf"\b{SPEECH_VERBS}\s+(?:on\s+)?$")
_ASKS_SAYING = re.compile(rf"\b(?:{SPEECH_VERBS}|announce|announcement|say|tell|reveal(?:ed)?|unveil(?:ed)?|"
                          r"confirm(?:ed)?)\b", re.I)


def closeness(span: Span, sentence: str, near: list[int], profile: QuestionProfile) -> float:
    """Answers sit near the words of the question in the sentence ("… Judge Amit Mehta, presiding over …"),
    name what the question's focus word names ("which judge" -> "Judge Arthur Engoron"), and a date answer
    says the day rather than the weekday."""
    fit = 0.5
    if near:
        distance = min(min(abs(p - span.start), abs(p - span.end)) for p in near)
        fit = 1.0 / (1.0 + distance / 80.0)
    focus = profile.focus
    # "12 charges" counts what "how many charges" asks; "the Merseyside club" does not name which club
    counts = profile.answer_type == AnswerType.NUMBER and focus is not None and _counts(span, sentence, focus)
    named = profile.answer_type == AnswerType.NAME and bool(_NAMED_AS.search(sentence[:span.start]))
    if named or (focus and (focus in span.text.lower() or counts or introduced_as(span, sentence, focus))):
        fit *= 1.5
    if speaks(span, sentence) and not _ASKS_SPEAKER.search(profile.text):
        fit *= 0.5  # "…,” said David Thomas" names who says it; the question asks what is said
    if profile.answer_type in (AnswerType.NUMBER, AnswerType.DATE) and only_possible(span, sentence, profile.text):
        return 0.0  # "faces up to 50 years" does not say how many years he got
    if profile.answer_type in (AnswerType.NUMBER, AnswerType.DATE) and profile.names and others_amount(
            span, sentence, profile.names, profile.text):
        fit *= OTHERS_AMOUNT  # "Santos (down 0.4 per cent)" is not what Ampol's shares did
    if profile.answer_type == AnswerType.DATE:
        fit *= date_detail(span.text)
        if _SAID_ON.search(sentence[max(0, span.start - 30):span.start]) and not _ASKS_SAYING.search(profile.text):
            fit *= 0.5  # "Epic announced Friday that the season would return …": when it was said, not done
    if profile.answer_type == AnswerType.NUMBER:
        fit *= measure_fit(span.text, profile.measure)
        if profile.measure == "score" and (season_record(span, sentence) or (
                _FINAL.search(profile.text) and in_play(span, sentence))):
            return 0.0  # "Michigan (12-0)", "17-17 with 6:08 left in the third quarter": not the final score
    if profile.answer_type in (AnswerType.NAME, AnswerType.PLACE):
        fit *= name_fit(span, sentence, profile.answer_type == AnswerType.PLACE, profile.focus)
    return fit


_OR_MORE = re.compile(r"\s*(?:\+|(?:or|and) (?:more|so|fewer|less|over)\b|plus\b|more\b|total\b)", re.I)


def _counts(span: Span, sentence: str, focus: str) -> bool:
    """Whether an amount counts what the question counts ("12 charges", "500 or more tackles" for "how many
    charges", "how many tackles")."""
    rest = sentence[span.end:span.end + 40]
    bound = _OR_MORE.match(rest)
    after = rest[bound.end() if bound else 0:].split()
    return bool(after) and analyze([after[0]])[0] == analyze([focus])[0]


# A name a sentence introduces as a name: "materials … called MXenes", "an experiment – ‘Dream Track’", "known as".
_NAMED_AS = re.compile(r"\b(?:called|named|dubbed|titled|nicknamed|branded|known as)\s*[‘“'\"]?$", re.I)


# A noun phrase set after a name: "Thane Rehn, a prosecutor for the government", "Calcalist, the Israeli daily".
_APPOSITIVE = re.compile(r",\s+(?:a|an|the)\s+((?:[\w’'-]+\s+){0,2}[\w’'-]+)")


def introduced_as(span: Span, sentence: str, focus: str) -> bool:
    """Whether the sentence introduces the name as what the question asks for ("publication Calcalist",
    "quarterback Brock Purdy", "Thane Rehn, a prosecutor for the government" for "which publication", "which
    quarterback", "which prosecutor")."""
    wanted = analyze([focus.replace("-", "")])[0][:1]
    before = sentence[max(0, span.start - 40):span.start].split()[-2:]
    after = _APPOSITIVE.match(sentence, span.end)
    words = [TITLES_IN_FULL.get(w.rstrip("."), w) for w in before] + (after.group(1).split() if after else [])
    # "co-founder" is the "cofounder" asked for, written with a hyphen
    return bool(wanted) and wanted in [analyze([w.replace("-", "")])[0][:1] for w in words]


def term_positions(sentence: str, terms: Sequence[str]) -> list[int]:
    """Where the sentence writes the question's terms (word starts)."""
    words = list(TOKEN.finditer(sentence))
    if not words or not terms:
        return []
    wanted = set(terms)
    analysed = analyze([w.group() for w in words])
    return [w.start() for w, t in zip(words, analysed) if t and t[0] in wanted]
