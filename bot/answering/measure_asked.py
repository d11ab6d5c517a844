"""What an amount question measures, as its words say: a score, a record, a percentage, how often, an age, a
unit, a duration, money, a quantity or a count (`measures.measure_fit` then weighs each amount by it)."""

from __future__ import annotations

import re

from index.lexicon import MEASURE_UNIT

_MONEY = re.compile(r"\b(?:cost|costs|pay|paid|pays|price|priced|worth|spend|spent|fine[ds]?|raised?|sell|sold|"
                    r"valued?|valuation|revenue|salary|fee|dollars|pounds|euros|budget|deal|sums?|invest(?:s|ed|ing|"
                    r"ment)?|funding|loan|prize|jackpot|bail|settlement|earn(?:s|ed|ings)?|donat(?:ed|ion)|deposit|bonus|"
                    r"refund)\b|[$£€]",
                    re.I)
# A unit of measure the question asks the amount in: "in square feet", "how many miles" (money and time aside).
_ASKED_UNIT = re.compile(rf"\b(?:in|how many|how much)\s+({MEASURE_UNIT})", re.I)
# A duration asked for: "how long", a time unit counted ("how many years", "in weeks") or time measured ("how much
# added time"). A time word elsewhere frames the amount ("sends each year", "losses in the year to September",
# "surviving 100 days").
_TIME = re.compile(r"\bhow long\b|\b(?:how many|in)\s+(?:years|months|weeks|days|hours|minutes)\b|"
                   r"\bhow much\s+(?:[a-z-]+\s+)?time\b", re.I)

_DURATION_NOUNS = {"sentence", "duration"}  # "what prison sentence": a time served, not "seven counts"


def measure_asked(text: str, focus: str | None) -> str | None:
    """What an amount question measures: a score ("final score"), a record ("what win-loss record"), a percentage
    (or how likely: "a 20 percent chance"), how often, an age ("how old", "at what age"), a unit it names ("in
    square feet", "how many miles", "rushing yards"), time ("how long", "how many years", "what sentence"), money
    ("what did X pay"), a quantity ("how much", never a duration) or a count ("how many", "what attendance")."""
    if re.search(r"\bscore\b", text, re.I):
        return "score"
    if focus == "record":
        return "record"
    if focus in ("percentage", "percent", "share", "proportion") or re.search(r"\bhow (?:likely|probable)\b", text,
                                                                               re.I):
        return "percent"
    if re.search(r"\bhow often\b", text, re.I):
        return "frequency"
    if focus == "age" or re.search(r"\bhow old\b", text, re.I):
        return "age"
    unit = _ASKED_UNIT.search(text)
    if unit:
        return re.sub(r"\s+", " ", unit.group(1).lower())
    if focus and unit_word(focus):
        return focus  # a search counting in a unit: "rushing yards"
    if _TIME.search(text) or focus in _DURATION_NOUNS:
        return "time"
    if _MONEY.search(text):
        return "money"
    if re.search(r"\bhow much\b", text, re.I):
        return "quantity"
    return "count" if re.search(r"\bhow many\b", text, re.I) or focus in _HEADCOUNTS else None


_HEADCOUNTS = {"attendance", "population", "toll"}  # how many came, live, died: a count


_UNIT = re.compile(MEASURE_UNIT)


def unit_word(word: str) -> bool:
    """Whether a word is a unit of measure ("yards", "miles", "km")."""
    return bool(_UNIT.fullmatch(word))
