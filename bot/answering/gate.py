"""The not-covered gate: whether the retrieved passages answer the question at all.

A question is covered when a retrieved sentence is close to it and the passages speak of the question's own
subject: the names it gives, its names of several words kept together ("Nobel Peace Prize" is not covered by
passages about the chemistry prize, however similar they read), and little of its weight on words no article
uses. A logistic model weighs these signals (`gate.json`, fitted by `python -m bot.lab.fit_gate` on two
question sets of different styles, figures held out per set).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from pathlib import Path

import numpy as np

from bot.answering.casing import name_casing
from bot.answering.compose import openings
from bot.answering.facts import names_share, passages_facts
from bot.answering.focus import title_word
from bot.answering.lead import speaks_of
from bot.answering.question import QuestionProfile, names_only_dates, profile_question
from bot.answering.sentences import (
    CandidateSentence,
    candidate_sentences,
    score_candidates,
    term_weights,
    weigh_terms,
)
from bot.answering.spans import name_spans, passage_names
from bot.logistic import LogisticModel
from bot.retrieval.plan import QueryPlan
from bot.types import NOT_COVERED, Answer, Hit
from index.documents import timestamp_of
from index.embedding import Embedder
from index.sentences import SentenceVectors
from index.text import acronym_phrases, analyze, common_word, months_in

NOT_COVERED_TEXT = "The indexed articles do not cover this question."
GATE_MODEL = Path(__file__).with_name("gate.json")
REFIT = "python -m bot.lab.fit_gate --store DIR --queries FILE --queries FILE"
SUBJECT_SENTENCES = 3  # the best sentences whose passages must speak of the question's subject
SUBJECT_POOL = 6  # the best sentences whose passages may report when the question's event happened
GATE_SIGNALS = ("similarity", "overlap", "subject", "names_found", "phrases_found", "unknown_share", "terms",
                "phrases_top")


@dataclass(frozen=True)
class GateModel(LogisticModel):
    """P(the passages answer the question) from GATE_SIGNALS; `fitted_on["threshold"]` decides."""

    @property
    def threshold(self) -> float:
        """The probability from which a question counts as covered."""
        return float(self.fitted_on.get("threshold", 0.5))  # type: ignore[arg-type]

    def covers(self, signals: Sequence[float]) -> bool:
        """Whether these signals say the passages cover the question."""
        return bool(self.probability(np.asarray([signals], dtype=np.float64))[0] >= self.threshold)


@lru_cache(maxsize=4)
def load_gate(path: Path = GATE_MODEL) -> GateModel:
    """The shipped coverage gate (read once)."""
    return GateModel.load(path, GATE_SIGNALS, REFIT, "the coverage gate's weights")


@dataclass(frozen=True)
class Assessment:
    """What the retrieved passages offer for a question: its profile, the scored sentences, and the verdict."""

    profile: QuestionProfile
    scored: list[CandidateSentence]
    covered: bool
    signals: tuple[float, ...] = ()  # what the verdict was decided from (GATE_SIGNALS)


def assess_coverage(
    question: str,
    hits: Sequence[Hit],
    embedder: Embedder,
    plan: QueryPlan | None = None,
    idf: Mapping[str, float] | None = None,
    repeated: Collection[str] = frozenset(),
    gate: GateModel | None = None,
    stored: SentenceVectors | None = None,
    newest: int | None = None,
) -> Assessment:
    """Score the passages' sentences as answers and decide whether they cover the question (`stored`: the
    index's sentence vectors, which spare embedding the sentences again; `newest`: when the newest article was
    published, which places a month the question names without a year)."""
    casing = name_casing(h.chunk.text for h in hits) if question.islower() else {}
    profile = profile_question(question, plan, casing)
    candidates = candidate_sentences(hits, repeated)
    if plan is not None and names_only_dates(profile, plan):
        # Nothing to match a sentence against: what the articles of those dates open with answers.
        day = openings(candidates, hits, plan.dates)
        return Assessment(profile, day, bool(day))
    scored = score_candidates(profile, candidates, embedder, idf, stored)
    if not scored:
        return Assessment(profile, scored, False)
    signals = gate_signals(profile, scored, hits, idf)
    covered = ((gate or load_gate()).covers(signals) or names_who_is_asked(profile, signals)) and not (
        reported_too_early(profile, scored, newest))
    return Assessment(profile, scored, covered, signals)


def names_who_is_asked(profile: QuestionProfile, signals: Sequence[float]) -> bool:
    """For "Who is Paddy Cosgrave?": whether the passages name him, every word of the name and the name whole,
    as the best sentences' passages do. Such a question holds nothing but the name, so no sentence reads like
    it and its few words look like a question the articles miss; what covers it is a passage naming him. A rule
    of logic, not a fitted threshold: a name no passage gives whole ("Who is John Cosgrave?") is refused."""
    found = dict(zip(GATE_SIGNALS, signals))
    return bool(profile.described) and found["names_found"] == 1.0 and found["phrases_found"] == 1.0 and (
        found["subject"] == 1.0)


def reported_too_early(profile: QuestionProfile, scored: Sequence[CandidateSentence], newest: int | None) -> bool:
    """Whether every passage about the question's subject was published before the month the question asks
    about and never names that month: an article cannot report what happened in a later month ("Who did Sunak
    appoint in his November reshuffle?" over September's coverage). A rule of logic, not a fitted threshold."""
    start = _month_start(profile, newest)
    if start is None:
        return False
    chunks = {c.hit.chunk.id: c.hit.chunk for c in scored[:SUBJECT_POOL] if speaks_of(profile, c)}
    if not chunks:
        return False  # nothing speaks of the subject: the gate's signals decide
    months = set(profile.event_months)
    for chunk in chunks.values():
        published = timestamp_of(chunk.published_at)
        if published is None or published >= start or months_in(f"{chunk.title}\n{chunk.text}") & months:
            return False  # undated, published in time, or saying when it is expected
    return True


def _month_start(profile: QuestionProfile, newest: int | None) -> int | None:
    """The start of the earliest month the question names (Unix seconds): in the year it names, else in the
    latest year whose month has begun by the newest article ("in December" of a corpus ending in January is
    last year's)."""
    if not profile.event_months or newest is None:
        return None
    latest = dt.datetime.fromtimestamp(newest, dt.UTC)
    starts: list[dt.datetime] = []
    for month in profile.event_months:
        years = [int(y) for y in profile.years] or [latest.year if month <= latest.month else latest.year - 1]
        # an index whose newest article is dated in year 1 would ask for year 0
        starts.extend(dt.datetime(y, month, 1, tzinfo=dt.UTC) for y in years if dt.MINYEAR <= y <= dt.MAXYEAR)
    return int(min(starts).timestamp()) if starts else None


def gate_signals(
    profile: QuestionProfile, scored: Sequence[CandidateSentence], hits: Sequence[Hit],
    idf: Mapping[str, float] | None,
) -> tuple[float, ...]:
    """The evidence the coverage verdict weighs, in the order of GATE_SIGNALS."""
    best, top = scored[0], scored[:SUBJECT_SENTENCES]
    phrases = [_words(p) for p in subject_phrases(profile)]
    known, unknown = term_weights(idf)
    terms = weigh_terms(profile.terms, idf, profile.uncommon)
    total = sum(terms.values()) or 1.0
    # A word no article uses says the question is about something else, unless it is everyday English (a
    # small corpus has never seen "find"): only uncommon words count.
    unknown_share = sum(unknown for t in terms if t in profile.uncommon and not _known_form(t, known)) / total
    return (best.similarity, best.overlap, subject_share(profile, top, idf), names_found(profile, hits),
            _phrases_found(phrases, hits), unknown_share, math.log1p(len(terms)),
            _phrases_found(phrases, [c.hit for c in top]))


def _known_form(term: str, known: Mapping[str, float]) -> bool:
    """Whether the corpus uses a term or a stem it extends by a suffix: "digitalis" (the stemmer's "digitalisation",
    a British spelling) extends "digit" ("digital", "digitization"), the same subject written another way; a
    compound ("alphanumer") extends a word ("alpha") by another word, no suffix."""
    return term in known or any(
        term[:n] in known for n in range(max(_KNOWN_PREFIX, len(term) - _SUFFIX), len(term)))


_KNOWN_PREFIX = 5  # the shortest known stem a longer one may extend ("digit", "organ")
_SUFFIX = 4  # the longest suffix the stemmer leaves on a spelling variant ("-alis" of "digitalisation")


def _phrases_found(phrases: Sequence[list[str]], hits: Sequence[Hit]) -> float:
    """Share of the question's name phrases some of these passages hold (1 when it has none)."""
    if not phrases:
        return 1.0
    texts = [_words(f"{h.chunk.title}\n{h.chunk.text}") for h in hits]
    ends = _name_ends(hits)
    return sum(any(_near(p, t) for t in texts) or _juxtaposed(p, ends) for p in phrases) / len(phrases)


def _name_ends(hits: Sequence[Hit]) -> set[tuple[str, ...]]:
    """The passages' names and their endings ("Jai Opetaia" -> "jai opetaia", "opetaia"), lower-cased words."""
    ends: set[tuple[str, ...]] = set()
    for chunk in {h.chunk.id: h.chunk for h in hits}.values():
        for span in passage_names(chunk.text):
            words = tuple(_words(span.text))
            ends.update(words[i:] for i in range(len(words)))
    return ends


def _juxtaposed(phrase: list[str], ends: set[tuple[str, ...]]) -> bool:
    """Whether the phrase is several names side by side, each one the passages use ("Opetaia Zorro": "Jai
    Opetaia" and "Ellis Zorro"), as a keyword question writes them; "Nobel Peace Prize" is one name, and passages
    naming "Nobel Prize" only do not split it (no name of theirs ends with "Nobel"); "Milan Champions League" is
    "Milan" beside "Champions League"."""
    # reachable[i]: the first i words split into names of the passages, each of several words or a word that is
    # only a name ("Japan Series" is no "Japan" beside "World Series": "series" alone is an everyday word)
    reachable = [True] + [False] * len(phrase)
    for i in range(1, len(phrase) + 1):
        reachable[i] = any(
            reachable[j] and tuple(phrase[j:i]) in ends and (i - j > 1 or not common_word(phrase[j]))
            for j in range(i - 1, -1, -1) if i - j < len(phrase))  # a split: no part is the whole phrase
    return reachable[-1]


def subject_phrases(profile: QuestionProfile) -> list[str]:
    """The question's names of several words ("Nobel Peace Prize", "Bank of England"), outlets it cites aside, and
    without a post written beside them ("Rogers Communications CEO" is the company's: passages write "Rogers
    Communications" and "CEO Tony Staffieri")."""
    names = set(profile.names)
    cited = {re.sub(r"^the\s+", "", o.lower()) for o in profile.cited_outlets}
    phrases = []
    for span in name_spans(profile.text):
        for is_post, group in groupby(span.text.split(), key=title_word):
            words = list(group)
            phrase = " ".join(words)
            if not is_post and len(words) > 1 and all(w in names for w in words if w[:1].isupper()) and re.sub(
                    r"^the\s+", "", phrase.lower()) not in cited:
                phrases.append(phrase)
    return phrases


def _words(text: str) -> list[str]:
    return [w.removesuffix("'s").removesuffix("’s") for w in re.findall(r"[\w'’-]+", text.lower())]


def _near(phrase: list[str], words: list[str]) -> bool:
    """Whether the words of the phrase occur in its order, one word between two of them at most ("Opetaia vs
    Zorro" holds "Opetaia Zorro"; "a TV series in Japan" does not hold "Japan Series", nor a passage on the
    chemistry prize the "Nobel Peace Prize")."""
    for i, word in enumerate(words):
        if word != phrase[0]:
            continue
        at = i
        for wanted in phrase[1:]:
            at = next((j for j in (at + 1, at + 2) if j < len(words) and words[j] == wanted), -1)
            if at < 0:
                break
        if at >= 0:
            return True
    return False


def names_found(profile: QuestionProfile, hits: Sequence[Hit]) -> float:
    """Share of the question's names (not the outlets it cites, not dates) some retrieved passage mentions."""
    if not profile.names:
        return 1.0  # no passage to read
    return names_share(profile.names, passages_facts([hit.chunk for hit in hits]))


def subject_share(
    profile: QuestionProfile, best: Sequence[CandidateSentence], idf: Mapping[str, float] | None
) -> float:
    """The largest share of the question's term weight that one of these sentences' passages (and title) carry;
    a passage naming "Sam Bankman-Fried" carries the question's "SBF"."""
    terms = weigh_terms(profile.terms, idf, profile.uncommon)
    if not terms:
        return 1.0
    total = sum(terms.values())
    texts = [f"{c.title}\n{c.text}" for c in {c.hit.chunk.id: c.hit.chunk for c in best}.values()]
    analysed = analyze([*texts, *(" ".join(sorted(acronym_phrases(t))) for t in texts)])
    carried = [set(a) | set(b) for a, b in zip(analysed[:len(texts)], analysed[len(texts):])]
    return max((sum(w for t, w in terms.items() if t in c) / total for c in carried), default=0.0)


def not_covered_answer(question: str, hits: Sequence[Hit] = ()) -> Answer:
    """The final answer saying that the indexed articles do not cover the question."""
    return Answer(question=question, text=NOT_COVERED_TEXT, mode=NOT_COVERED, hits=list(hits), done=True)
