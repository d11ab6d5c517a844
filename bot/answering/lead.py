"""The short answer that leads an extractive answer: the name, date or amount the best sentences agree on.

Candidates are the typed spans of the best sentences, voted by sentence score and by how close they sit to the
question's words, with a bonus when several articles agree. A wrong answer in bold misleads more than none, so
the winner leads only when a logistic model over how the vote went (`lead.json`, fitted by
`python -m bot.lab.fit_lead` on two question sets of different styles, figures held out per set) finds it
likelier right than wrong; otherwise the answer opens with its sentences.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.answering.facts import names_share, passage_facts
from bot.answering.question import AnswerType, QuestionProfile
from bot.answering.sentences import CandidateSentence
from bot.answering.spans import Span, date_detail, fullest_form, measure_fit, name_fit
from bot.logistic import LogisticModel
from bot.types import Hit
from index.text import analyze

LEAD_POOL = 6  # best sentences whose names, dates or amounts compete for the short answer
LEAD_MIN_SHARE = 0.75  # a sentence feeding the short answer scores at least this share of the best one
LEAD_MODEL = Path(__file__).with_name("lead.json")
REFIT = "python -m bot.lab.fit_lead --store DIR --queries FILE --queries FILE"
# How the vote went: the winner's share of all votes and its margin over the runner-up, how many articles and
# sentences state it, the best sentence's score and the winner's own best as a share of it, how close it sits
# to the question's words, whether the best sentence states it, its length, whether the passages complete it
# (a surname they also give with its given name), and what kind of answer it is.
LEAD_SIGNALS = ("share", "margin", "articles", "sentences", "top_score", "own_score", "closeness", "in_top",
                "words", "completed", "is_date", "is_number")
_WORD = re.compile(r"[\w’'-]+")


@dataclass(frozen=True)
class Lead:
    """The short answer, the sentences that state it (best first), and how the vote for it went (LEAD_SIGNALS)."""

    text: str
    sentences: tuple[CandidateSentence, ...]
    signals: tuple[float, ...] = ()


@dataclass(frozen=True)
class LeadModel(LogisticModel):
    """P(the short answer is right) from LEAD_SIGNALS; `fitted_on["threshold"]` decides."""

    @property
    def threshold(self) -> float:
        """The probability from which the short answer leads."""
        return float(self.fitted_on.get("threshold", 0.5))  # type: ignore[arg-type]

    def confident(self, signals: Sequence[float]) -> bool:
        """Whether a short answer with these signals should lead."""
        return bool(self.probability(np.asarray([signals], dtype=np.float64))[0] >= self.threshold)


@lru_cache(maxsize=4)
def load_lead_model(path: Path = LEAD_MODEL) -> LeadModel:
    """The shipped short-answer model (read once)."""
    return LeadModel.load(path, LEAD_SIGNALS, REFIT, "the short answer's weights")


def propose_lead(profile: QuestionProfile, scored: Sequence[CandidateSentence], hits: Sequence[Hit]) -> Lead | None:
    """The name, date or amount the best sentences agree on, in its fullest form, with the signals of its vote;
    None for questions without a short answer, or when no good sentence states one."""
    if not profile.wants_short_answer or not scored:
        return None
    best = scored[0].score
    pool = [c for c in scored[:LEAD_POOL]
            if c.answers and c.score >= LEAD_MIN_SHARE * best and _speaks_of(profile, c)]
    votes: dict[str, float] = defaultdict(float)
    close: dict[str, float] = defaultdict(float)
    support: dict[str, list[CandidateSentence]] = defaultdict(list)
    forms: dict[str, str] = {}
    for cand in pool:
        near = _term_positions(cand.text, profile.terms)
        for key, span in {_norm(s.text): s for s in cand.answers}.items():
            closeness = _closeness(span, cand.text, near, profile)
            votes[key] += cand.score * closeness
            close[key] = max(close[key], closeness)
            support[key].append(cand)
            forms.setdefault(key, span.text)
    if not votes:
        return None
    _merge_name_forms(votes, close, support, forms)
    for key, cands in support.items():
        articles = len({c.hit.chunk.article_id for c in cands})
        votes[key] *= 1 + 0.25 * (articles - 1)  # outlets that agree make the answer likelier
    ranked = sorted(votes, key=lambda k: votes[k], reverse=True)
    winner = ranked[0]
    text = forms[winner]
    backing = sorted(support[winner], key=lambda c: c.score, reverse=True)
    if profile.answer_type in (AnswerType.NAME, AnswerType.PLACE):
        text = fullest_form(text, [h.chunk.text for h in hits])
    runner_up = votes[ranked[1]] if len(ranked) > 1 else 0.0
    total = sum(votes.values())
    signals = (
        votes[winner] / total if total > 0 else 1.0,
        (votes[winner] - runner_up) / votes[winner] if votes[winner] > 0 else 0.0,
        float(len({c.hit.chunk.article_id for c in backing})),
        float(len(backing)),
        best,
        backing[0].score / best if best > 0 else 1.0,
        close[winner],
        float(scored[0] in backing),
        math.log1p(len(text.split())),
        float(text != forms[winner]),
        float(profile.answer_type == AnswerType.DATE),
        float(profile.answer_type == AnswerType.NUMBER),
    )
    return Lead(text, tuple(backing), signals)


def _speaks_of(profile: QuestionProfile, cand: CandidateSentence) -> bool:
    """Whether the sentence's passage names everything the question names: a passage that never mentions the
    Ballon d'Or cannot give who won it, however well "who won … in 2023" matches its sentence."""
    # Without names there is nothing to check, and reading the passage's facts is the costly part.
    return not profile.names or names_share(profile.names, passage_facts(cand.hit.chunk)) == 1.0


def _merge_name_forms(
    votes: dict[str, float], close: dict[str, float], support: dict[str, list[CandidateSentence]],
    forms: dict[str, str],
) -> None:
    """Count a surname's votes with the fuller name that ends with it ("Halvorsen" with "Ingrid Halvorsen"):
    one person, written two ways. The shorter form is kept for display; the lead is completed later."""
    for short in sorted(votes, key=lambda k: len(k.split())):
        if short not in votes:
            continue
        longer = [k for k in votes if k != short and k.split()[-len(short.split()):] == short.split()]
        for key in longer:
            votes[short] += votes.pop(key)
            close[short] = max(close[short], close.pop(key))
            support[short].extend(c for c in support.pop(key) if c not in support[short])
            forms.pop(key)


def _closeness(span: Span, sentence: str, near: list[int], profile: QuestionProfile) -> float:
    """Answers sit near the words of the question in the sentence ("… Judge Amit Mehta, presiding over …"),
    name what the question's focus word names ("which judge" -> "Judge Arthur Engoron"), and a date answer
    says the day rather than the weekday."""
    closeness = 0.5
    if near:
        distance = min(min(abs(p - span.start), abs(p - span.end)) for p in near)
        closeness = 1.0 / (1.0 + distance / 80.0)
    if profile.focus and profile.focus in span.text.lower():
        closeness *= 1.5
    if profile.answer_type == AnswerType.DATE:
        closeness *= date_detail(span.text)
    if profile.answer_type == AnswerType.NUMBER:
        closeness *= measure_fit(span.text, profile.measure)
    if profile.answer_type in (AnswerType.NAME, AnswerType.PLACE):
        closeness *= name_fit(span, sentence, profile.answer_type == AnswerType.PLACE, profile.focus is not None)
    return closeness


def _term_positions(sentence: str, terms: Sequence[str]) -> list[int]:
    words = list(_WORD.finditer(sentence))
    if not words or not terms:
        return []
    wanted = set(terms)
    analysed = analyze([w.group() for w in words])
    return [w.start() for w, t in zip(words, analysed) if t and t[0] in wanted]


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))
