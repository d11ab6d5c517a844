"""What a question asks for: the expected type of answer, its focus word, and the names, years and numbers it
names (which an answer sentence must agree with)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.answering.casing import recased
from bot.answering.focus import (
    ARTICLE_WORDS,
    COPULAS,
    DATE_NOUNS,
    GENERIC_PERSON_NOUNS,
    KIND_NOUNS,
    NAMED_NOUNS,
    NUMBER_NOUNS,
    ORGANIZATION_NOUNS,
    OUTLET_NOUNS,
    PERSON_NOUNS,
    PLACE_NOUNS,
    SERIES_NOUNS,
    TALLY_NOUNS,
    WHICH_ONE,
    WORK_NOUNS,
    focus_noun,
    kind_of,
    names_the_focus,
    title_word,
)
from bot.answering.measure_asked import measure_asked, unit_word
from bot.retrieval.plan import QueryPlan
from index.lexicon import AUX, NUMBER_WORDS
from index.text import (
    DATE_WORDS,
    NAME,
    ORDINAL,
    SPEECH_VERBS,
    STOPWORDS,
    YEAR,
    analyze,
    everyday_word,
    months_in,
    name_words,
)


class AnswerType(StrEnum):
    """The kind of answer a question expects."""

    NAME = "name"  # a person, organisation, team, product: who, whom, which X
    PLACE = "place"
    DATE = "date"
    NUMBER = "number"  # how many, how much, a price, a score, a share
    OUTLET = "outlet"  # which publication reported it
    REASON = "reason"  # why, what caused
    YES_NO = "yes_no"
    DESCRIPTION = "description"  # what happened, how: a statement, no short answer


# Verbs whose "what" is an amount: what was paid, sold, scored, or what a figure rose or fell to.
_AMOUNT_VERBS = re.compile(
    r"\b(?:pay|paid|pays|cost|costs|price[ds]?|worth|valued?|raised?|earn(?:ed|s)?|sell|sold|spent|spend|fined|"
    r"charge[ds]?|bid|offer(?:ed)?|score[ds]?|(?:rise|rose|risen|fall|fell|fallen|drop(?:ped)?|climb(?:ed)?|"
    r"grow|grew|increase[ds]?|decrease[ds]?|jump(?:ed)?|plunge[ds]?|sink|sank|shrink|shrank|soar(?:ed)?)\s+to)\b",
    re.I,
)
# Words that make a question a question, or ask about the coverage rather than its subject ("how did outlets
# report on X"): left out of its terms.
_QUESTION_WORDS = STOPWORDS | {
    "much", "many", "whom", "whose", "outlet", "outlets", "report", "reported", "reports", "reporting", "article",
    "articles", "coverage", "covered", "cover", "story", "stories", "news", "media", "say", "said", "says",
    "according", "develop", "developed", "different", "find", "finds", "found", "show", "shows", "showed",
    "reveal", "revealed", "reveals",
}
_WH = re.compile(r"\b(who|whom|whose|what|which|when|where|why|how)\b", re.I)
# Words asking for the newest coverage ("What's the latest on …?"): when, not what, so no passage must say them.
_RECENCY_WORDS = frozenset({"latest", "newest", "recent", "recently", "lately", "currently"})
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_CONTRACTED_WH = re.compile(r"\b(who|what|which|when|where|why|how)(?:['’]s|s)\b", re.I)  # and "whats", typed fast


@dataclass(frozen=True)
class QuestionProfile:
    """A question as the answerer reads it."""

    text: str
    answer_type: AnswerType
    focus: str | None  # the noun of "which judge", "what company" (lower case), if any
    names: tuple[str, ...]  # names of the subject (outlets the question only cites as sources left out)
    years: tuple[str, ...]
    ordinals: tuple[str, ...]  # "93rd" -> "93"
    terms: tuple[str, ...]  # analysed content terms (the BM25 analysis), in order
    cited_outlets: tuple[str, ...] = ()  # how the question names the outlets it cites ("The Verge")
    measure: str | None = None  # what an amount is asked in, when the question says (`measure_asked`)
    uncommon: frozenset[str] = frozenset()  # terms from words general English rarely uses (names, jargon)
    months: tuple[int, ...] = ()  # months the question names ("when in November…": the answer is a day of it)
    # months named outside the publication dates retrieval applies: when the event asked about happened
    event_months: tuple[int, ...] = ()
    person: bool = False  # the question asks for a person ("who is the individual…", "which player")
    work: bool = False  # the question asks for the name of a work or product ("the title of her memoir")
    organization: bool = False  # the question asks for a company or another body ("which company", "what firm")
    recent: bool = False  # the question asks for the newest coverage ("the latest on…", "recently")
    # the names of each of its clauses that names any, for a question of two such clauses or more: "Who is the
    # individual accused of using Caroline Ellison …, who persuaded a Jane Street colleague …" is answered by
    # articles that each name one clause's names, and rarely by one naming them all
    clause_names: tuple[tuple[str, ...], ...] = ()
    described: str = ""  # the name "who / what is X?" asks about: the answer is the role the passages give X
    several: int = 1  # how many names it asks for: "which two individuals" 2

    @property
    def wants_short_answer(self) -> bool:
        """Whether the answer can lead with a short phrase (a name, place, date, number or outlet)."""
        return self.answer_type in (AnswerType.NAME, AnswerType.PLACE, AnswerType.DATE, AnswerType.NUMBER,
                                    AnswerType.OUTLET)


def names_only_dates(profile: QuestionProfile, plan: QueryPlan | None) -> bool:
    """Whether the question names nothing but dates ("What happened on October 7, 2023?"): no name, no uncommon
    word, one everyday word at most. No sentence can match it; what the articles of those dates report answers."""
    return bool(plan is not None and plan.dates) and not profile.names and not profile.uncommon and (
        len(profile.terms) <= 1)


def profile_question(question: str, plan: QueryPlan | None = None,
                     casing: Mapping[str, str] | None = None) -> QuestionProfile:
    """Read the expected answer type, focus noun and constraints of a question (`casing`: the capitals its
    passages give its words, for a question typed in lower case; `casing.name_casing`)."""
    casing = casing or {}
    # "What's Jon Copley's new book?" asks what his book is
    text = recased(_CONTRACTED_WH.sub(r"\1 is", question), casing)
    described = described_name(text)
    # "Who is Changpeng Zhao?" asks what he is, not for another name
    answer_type, focus = (AnswerType.DESCRIPTION, None) if described else _answer_type(text)
    own = plan if plan is not None and plan.question == question else None
    # The outlets and dates a question names are its scope, which retrieval applies, not its subject: passages
    # rarely say their own outlet or "in November 2023", so those words would count against every passage.
    scope = recased(_CONTRACTED_WH.sub(r"\1 is", own.subject), casing) if own else text
    names = tuple(dict.fromkeys(  # a plural person noun ("CEOs") is some people; "Beeper's CTO" is one post
        n for n in name_words(scope) if n.lower() not in DATE_WORDS and n.lower() not in STOPWORDS
        and (n.lower() in PERSON_NOUNS or not kind_of(n.lower(), PERSON_NOUNS))
    ))
    written = scope.split()
    bare_words = [w.lower().strip("?,.!'’\"") for w in written]
    recent = any(w in _RECENCY_WORDS for w in bare_words)
    words = [w for w, b in zip(written, bare_words) if b not in _QUESTION_WORDS and b not in _RECENCY_WORDS]
    analysed = analyze([" ".join(words), *words])
    terms = tuple(analysed[0])
    # Month and weekday names are everyday words, though never written lower-case: a small corpus that never
    # says "October" is not thereby off the subject of a question about October (its dates are checked apart).
    bare = [w.strip("?,.!'’\"").removesuffix("'s").removesuffix("’s") for w in words]
    uncommon = frozenset(t for w, ts in zip(bare, analysed[1:]) for t in ts
                         if not everyday_word(w) and w.lower() not in DATE_WORDS)
    return QuestionProfile(
        text=text,
        answer_type=answer_type,
        focus=focus,
        names=names,
        years=tuple(dict.fromkeys(YEAR.findall(text))),
        ordinals=tuple(dict.fromkeys(ORDINAL.findall(text))),
        terms=terms,
        cited_outlets=tuple(text[a:b] for a, b in own.outlet_spans) if own else (),
        measure=measure_asked(text, focus) if answer_type == AnswerType.NUMBER else None,
        uncommon=uncommon,
        months=tuple(sorted(months_in(text))),
        event_months=tuple(sorted(months_in(scope))),
        work=answer_type == AnswerType.NAME and kind_of(focus, WORK_NOUNS),
        organization=answer_type == AnswerType.NAME and kind_of(focus, ORGANIZATION_NOUNS),
        # a focus that is a post's title came from "who is the head of …": a person holds it
        person=answer_type == AnswerType.NAME and (
            _asks_for_person(text) or kind_of(focus, PERSON_NOUNS) or (focus is not None and title_word(focus))) and (
            focus is None or kind_of(focus, PERSON_NOUNS) or not kind_of(focus, KIND_NOUNS)),  # "which team"
        recent=recent,
        clause_names=_clause_names(own, names),
        described=described,
        several=_asked_count(text, focus) if answer_type == AnswerType.NAME else 1,
    )


def _clause_names(plan: QueryPlan | None, names: Collection[str]) -> tuple[tuple[str, ...], ...]:
    """The question's names (`names`) each clause gives, for the clauses that give any; () unless two do."""
    if plan is None:
        return ()
    found = dict.fromkeys(
        tuple(dict.fromkeys(n for n in name_words(sub.subject or sub.text) if n in names))
        for sub in plan.subqueries if sub.clause)
    groups = tuple(group for group in found if group)
    return groups if len(groups) >= 2 else ()


def _asked_count(text: str, focus: str | None) -> int:
    """How many names a which-question asks for: the count before its noun ("which two individuals", "both"), else 1
    (a plural without a count, "which drugs", may be answered by one name: the passages' runners-up are often
    other kinds of name)."""
    wh = _WH.search(text.lower())
    if wh is None or focus is None:
        return 1
    before = [w.strip("?,.!;:'’\"") for w in text.lower()[wh.end():].split()]
    before = before[:before.index(focus)] if focus in before else []
    for word in before:
        if word.isdigit() or word in NUMBER_WORDS:
            return int(word) if word.isdigit() else NUMBER_WORDS[word]
        if word == "both":
            return 2
    return 1


def _asks_for_person(text: str) -> bool:
    """Whether a name question asks for a person: a person noun right after its question word ("which player",
    "who is the individual", "what Oscar-winning actor"), or anywhere in a who-question ("who did the Guardian
    call player of the game"), as a pronoun too ("who … when he spoke")."""
    wh = _WH.search(text.lower())
    words = [w.strip("?,.!'’\"") for w in text.lower()[wh.end():].split()] if wh else []
    if wh and wh.group(1) in ("who", "whom") and _PERSONAL_PRONOUNS.intersection(words):
        return True  # "who was running Warner Music Group when he spoke": a person, whatever the nouns
    if wh and wh.group(1) == "who" and words[:1] and words[0] in _PLAYERS_ACTS and words[1:2] in (["the"], ["a"]):
        return True  # "who scored the only goal", "who kicked the field goal": a player, not the team
    return any(kind_of(w, PERSON_NOUNS) for w in (words if wh and wh.group(1) in ("who", "whom") else words[:4]))


_PERSONAL_PRONOUNS = frozenset({"he", "she", "him", "his", "her", "hers", "himself", "herself"})
# What one player does in a match: "who scored the goal" asks for the scorer ("who won the game" may be a team).
_PLAYERS_ACTS = frozenset({"scored", "kicked", "threw", "caught", "intercepted", "netted", "headed", "saved"})


def _answer_type(text: str) -> tuple[AnswerType, str | None]:
    lowered = text.lower().strip()
    first = lowered.split()[0] if lowered.split() else ""
    wh = _asked_wh(lowered)
    if wh is None and first not in AUX and not (lowered.endswith("?") and set(AUX).intersection(lowered.split())):
        return _keyword_type(text)  # "Amex Cash Magnet fee?" is a search; "Between …, was there …?" asks
    if wh is None or (first in AUX and wh.start() > 0 and not _embedded_wh(lowered, wh.start())):
        return (AnswerType.YES_NO if first in AUX or (wh is None and lowered.endswith("?")) else
                AnswerType.DESCRIPTION), None
    word = wh.group(1)
    after = lowered[wh.end():].split()
    cased = text.strip()[wh.end():].split() if len(text.strip()) == len(lowered) else after
    if word in ("who", "whom", "whose"):
        return AnswerType.NAME, _role_asked(cased)
    if word == "when":
        return AnswerType.DATE, None
    if word == "where":
        return AnswerType.PLACE, None
    if word == "why":
        return AnswerType.REASON, None
    if word == "how":
        nxt = after[0] if after else ""
        if nxt in ("many", "much"):  # "how many charges": the answer counts charges
            counted = after[1].strip("?,.!'’\"") if len(after) > 1 else ""
            return AnswerType.NUMBER, (counted if counted and counted not in STOPWORDS else None)
        if nxt in ("long", "old", "far", "big", "large", "high", "often", "tall", "fast", "likely", "probable"):
            return AnswerType.NUMBER, None
        return AnswerType.DESCRIPTION, None
    focus = focus_noun(cased)
    if focus in DATE_NOUNS:
        return AnswerType.DATE, focus
    if focus in NUMBER_NOUNS | SERIES_NOUNS | TALLY_NOUNS:  # "which round": the sentences' series spans answer it
        return AnswerType.NUMBER, focus
    if focus in PLACE_NOUNS:
        return AnswerType.PLACE, focus
    if focus in OUTLET_NOUNS:
        return AnswerType.OUTLET, focus
    if word == "what" and names_the_focus(cased, focus):
        return AnswerType.DESCRIPTION, None  # "What is Meta's Threads app?" names the app: it asks what it is
    if word == "which" or (word == "what" and kind_of(focus, NAMED_NOUNS | WORK_NOUNS | PERSON_NOUNS)):
        return AnswerType.NAME, focus  # "what company spent $26bn" asks for the company, not the amount
    amount = _AMOUNT_VERBS.search(_main_clause(lowered[wh.end():])) if word == "what" else None
    if amount and (amount.group().endswith(" to") or not _ENDS_ON_PREPOSITION.search(lowered)):
        return AnswerType.NUMBER, focus  # "what do they raise money for?" asks what the money goes to, not how much
    return AnswerType.DESCRIPTION, None


def _asked_wh(lowered: str) -> re.Match[str] | None:
    """The question word that asks: the first, unless it opens a relative clause after a noun and another follows a
    comma ("In situations where Denver trailed, what rushing average did he post?")."""
    found = list(_WH.finditer(lowered))
    if len(found) < 2:
        return found[0] if found else None
    before = lowered[:found[0].start()].split()[-1:]
    if not before or before[0] in STOPWORDS or before[0] in AUX:
        return found[0]
    return next((m for m in found[1:] if lowered[:m.start()].rstrip().endswith(",")), found[0])


_ENDS_ON_PREPOSITION = re.compile(r"\b(?:for|about|on|with|from|into|against|over|to)\W*$")


def _role_asked(after_who: list[str]) -> str | None:
    """The role "who is the mother of …", "who was the CEO at …", "who is Beeper's CTO", "who is the Rogers
    Communications CEO that …" asks for, which a sentence writes beside the name ("the boys' mother, Brooke
    Mueller", "Beeper CTO Brad Murray"); None for a description ("who is the player mentioned by …", "who is the
    individual that …"), whose noun says only that a person is asked for. `after_who` keeps its capitals."""
    words = [w.strip("?,.!'’\"") for w in after_who]
    if len(words) < 2 or words[0].lower() not in COPULAS:
        return None
    at = 2 if words[1].lower() in ARTICLE_WORDS else 1
    named = False  # whose role it is, written before it: "Beeper's", "Rogers Communications"
    while at < len(words) - 1 and at < 6 and not kind_of(words[at].lower(), PERSON_NOUNS) and (
            words[at][:1].isupper() or words[at].lower() in WHICH_ONE):
        named = named or words[at][:1].isupper()
        at += 1
    noun = words[at].lower() if at < len(words) else ""
    following = words[at + 1].lower() if at + 1 < len(words) else ""
    if not (kind_of(noun, PERSON_NOUNS) or title_word(noun)) or not (
            following in ("of", "at", "for", "to") or (named and not kind_of(noun, GENERIC_PERSON_NOUNS))):
        return None
    return noun


def described_name(question: str) -> str:
    """The name a "who / what is X?" question asks about, written with capitals ("Sam Bankman-Fried", "CZ",
    "Binance"), also when more is asked after "and"; "" for any other question, and for a role ("Who was Person of
    the Year?", "Who is Time's pick?")."""
    found = _IS_A_NAME.fullmatch(question.strip())
    if found is None or any(kind_of(w.lower(), PERSON_NOUNS) for w in found.group(1).split()):
        return ""
    return found.group(1)


# "Who is X?", and "Who is X and what was he convicted of?": the role leads, the sentences answer the rest.
_IS_A_NAME = re.compile(rf"(?i:who|what)\s+(?i:is|was)\s+({NAME})"
                        rf"(?:\s*,?\s+and\s+(?i:what|why|how|when|where|which|who|did|does|do|is|was|has)\b[^?]*)?"
                        rf"\s*[?.!]*")  # "Who is X and Y?" asks about two


def _keyword_type(text: str) -> tuple[AnswerType, str | None]:
    """A search-box query names what it wants last ("SBF conviction date"), or else by the last amount or place it
    writes ("walmart plus membership price black friday") or the unit it counts in ("rushing yards"), past a time
    it is framed by ("2023 season", "week 12"), names ("Man City") and a phrase a preposition opens (`_framed_from`)."""
    written = [w.strip("?,.!'’\"") for w in text.split()]
    if written and written[-1].lower() != "name":  # "… pull CO2 from air name" asks the name
        written = written[:_framed_from(written)]
    words = [w.lower() for w in written]
    last = words[-1] if words else ""
    if last == "name" and len(words) > 1 and kind_of(words[-2], KIND_NOUNS):
        last = words[-2]  # "new GPT-4 model name" asks for a model
    kinds = ((DATE_NOUNS, AnswerType.DATE), (NUMBER_NOUNS, AnswerType.NUMBER), (PLACE_NOUNS, AnswerType.PLACE),
             (OUTLET_NOUNS, AnswerType.OUTLET), (NAMED_NOUNS | WORK_NOUNS | _KEYWORD_NAMED, AnswerType.NAME))
    framed = last != "date" and bool(YEAR.search(text))  # "denny hamlin laps led 2023 nascar cup season"
    for nouns, answer_type in kinds:
        if (last in nouns or last.rstrip("s") in nouns) and not (framed and answer_type == AnswerType.DATE):
            return answer_type, last
    for i in reversed(range(len(words))):
        if written[i][:1].isupper() or _counted(words, i - 1) or _counted(words, i + 1):
            continue  # "week 12", "past two games": which one, or a span the query is framed by
        for nouns, answer_type in _KEYWORD_KINDS:
            if kind_of(words[i], nouns):
                counted = words[i] in _TALLIES and i + 1 < len(words) and words[i + 1].endswith("s")
                return answer_type, words[i + 1] if counted else words[i]  # "total shots" counts shots
        if unit_word(words[i]):
            return AnswerType.NUMBER, words[i]  # "rushing yards": an amount in yards
    return AnswerType.DESCRIPTION, None


_TALLIES = {"total", "number", "count"}  # what they count follows them in a search ("total shots")
_FRAMING = {"at", "in", "against", "during", "before", "after", "on", "from", "over"}  # where, when, against whom


def _framed_from(written: list[str]) -> int:
    """Where a search's frame begins ("… yards win | at penn state beaver stadium": where, not what is asked): past
    three words, not before a number ("lost in 2022 percent" goes on) nor inside a name ("Five Nights at Freddy's")."""
    return next((i for i in range(3, len(written) - 1) if written[i].lower() in _FRAMING
                 and not written[i + 1][:1].isdigit()
                 and not (written[i - 1][:1].isupper() and written[i + 1][:1].isupper())), len(written))


_KEYWORD_NAMED = {"winner", "champion", "service", "source"}
# The kinds a keyword query may ask for anywhere in it; "team", "bank" or "series" inside one mostly say whose, and
# a person noun inside one led with the wrong person on every query of the dev and fresh sets that had one
# ("senator bribery charges quizzed bank CEOs" -> "Sherrod Brown").
_KEYWORD_KINDS = ((NUMBER_NOUNS, AnswerType.NUMBER), (PLACE_NOUNS, AnswerType.PLACE))


def _counted(words: list[str], i: int) -> bool:
    """Whether the word at `i` is a small number ("12", "two"); a year frames the whole query instead."""
    return 0 <= i < len(words) and ((words[i].isdigit() and len(words[i]) < 4) or words[i] in NUMBER_WORDS)


def _main_clause(after_wh: str) -> str:
    """The question up to its first relative clause or comma: "what did X pay" asks an amount, "what are the
    firms that offer bonuses" does not."""
    return re.split(r",|\b(?:that|which|who|whose)\b", after_wh, maxsplit=1)[0]


def _embedded_wh(lowered: str, start: int) -> bool:
    """Whether a question word inside a yes/no question opens what is asked ("Did the report say who won?") rather
    than a relative clause ("Does the article, which discusses…, claim…"): a verb of telling or knowing says so."""
    before = lowered[:start].split()[-1:]
    return bool(re.match(r"(?:who|when|where|which|what|how many|how much)\b", lowered[start:])) and bool(
        before and _TELLING.fullmatch(before[0]))


# Verbs whose object can be a question ("say who", "reveal what", "detailing when"), besides the speech verbs.
_TELLING = re.compile(
    rf"{SPEECH_VERBS}|(?:report|reveal|know|explain|detail|mention|confirm|show|indicate|disclose|specify|learn|"
    r"identify|name|tell|state|say|ask|describe|clarify|decide|determine|predict)(?:s|ed|d|ing)?|knew|shown"
)
