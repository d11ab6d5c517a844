"""Candidate answer sentences: the prose sentences of the retrieved passages, scored as answers to the question.

A sentence scores by how close it is to the question (embedding similarity), how much of the question's term
weight it and its context carry, whether it states something of the type the question asks for that the
question does not already say (a name for "who", a date for "when", an amount for "how much"), whether it
agrees with the years and ordinals the question names, and how relevant its passage is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from bot.answering.focus import FAMILY_NOUNS, GENERIC_PERSON_NOUNS, SERIES_NOUNS, title_word
from bot.answering.measures import counted_parts
from bot.answering.question import AnswerType, QuestionProfile
from bot.answering.roles import roles_in
from bot.answering.span_fit import fits_question, in_kicker, labels_line
from bot.answering.spans import (
    Span,
    appositive_title,
    kind_instances,
    mentioned,
    quoted_words,
    series_spans,
    shares_name,
    titles_first,
    typed_spans,
)
from bot.types import Hit
from index.embedding import Embedder
from index.lexicon import PLACE_ALIASES
from index.sentence_kinds import prose_spans
from index.sentences import SentenceVectors
from index.text import ORDINAL, YEAR, acronym_phrases, analyze, common_word, sentence_spans

MIN_SENTENCE_CHARS = 25
MAX_SENTENCE_CHARS = 700
# Sentences embedded per answer, the best by the score with the index's vector of the sentence (or its passage's
# similarity) standing in for their own: embedding every sentence of every passage was most of an answer's time.
# 8 instead of 12 (with batches grouped by length) cut the engine's time by 17% side by side, with the same
# natural-questions figures and one MultiHop-RAG answer in 160 less complete.
EMBEDDED_CANDIDATES = 8
# What a sentence's score weighs: similarity to the question, its own share of the question's term weight, that
# share with the sentence before it and the title, a typed answer the question does not state, years and
# ordinals that agree with the question's or contradict them, and its passage's relevance.
SENTENCE_FEATURES = ("similarity", "overlap", "context", "answer", "agrees", "conflicts", "passage", "focus",
                     "causal", "opening", "length")
WEIGHTS = (0.45, 0.30, 0.10, 0.25, 0.05, -0.25, 0.10, 0.10, 0.10, 0.05, 0.03)
# Words that give a reason or a cause, for why and how questions (general English connectives).
# The connectives that say what a cause is ("due to", "on account of"): a reason's own words.
CAUSE_WORDS = r"because|due to|owing to|on account of|thanks to|driven by|result of"
_CAUSAL = re.compile(
    rf"\b(?:{CAUSE_WORDS}|as a result|led to|leads to|caused|causes|since|so that|in order to|"
    r"after|following|depends? (?:up)?on|for (?:breaching|violating|failing)|by (?:\w+ing)|citing|"
    r"arguing|amid|in response to|in light of|reasons?|why|over concerns?|on the back of|"
    r"(?:fuell?ed|triggered|prompted|spurred) by|stem(?:s|med|ming)? from|attribut(?:ed|able) to)\b",
    re.I,
)


@dataclass(frozen=True)
class CandidateSentence:
    """A prose sentence of a retrieved passage, where it sits, and how well it answers."""

    hit: Hit
    start: int  # offset in the chunk text
    end: int
    text: str
    context: str = ""  # the sentence before it and the article title, for the question's terms it leaves implicit
    similarity: float = 0.0
    overlap: float = 0.0
    score: float = 0.0
    answers: tuple[Span, ...] = field(default=(), compare=False)  # typed spans the question does not state
    features: tuple[float, ...] = field(default=(), compare=False)  # SENTENCE_FEATURES

    @property
    def key(self) -> tuple[str, int]:
        """Where the sentence sits in its article (overlapping passages repeat sentences)."""
        return self.hit.chunk.article_id, self.hit.chunk.start + self.start


def candidate_sentences(hits: Sequence[Hit], repeated: Collection[str] = frozenset()) -> list[CandidateSentence]:
    """Distinct, answer-sized prose sentences of the retrieved passages (headings, captions, link lines,
    embedded posts, questions, list fragments and corpus-wide boilerplate left out)."""
    seen: set[tuple[str, int]] = set()
    out: list[CandidateSentence] = []
    for hit in hits:
        text = hit.chunk.text
        spans = sentence_spans(text)
        prose = {end: start for start, end in prose_spans(text, repeated)}  # a glued opening moves the start
        for i, (first, end) in enumerate(spans):
            start = prose.get(end, -1)
            key = (hit.chunk.article_id, hit.chunk.start + start)
            if start < first or key in seen or not MIN_SENTENCE_CHARS <= end - start <= MAX_SENTENCE_CHARS:
                continue
            seen.add(key)
            before = text[spans[i - 1][0]:spans[i - 1][1]] if i > 0 else ""
            out.append(CandidateSentence(hit, start, end, text[start:end], context=f"{hit.chunk.title}\n{before}"))
    return out


def score_candidates(
    profile: QuestionProfile,
    candidates: list[CandidateSentence],
    embedder: Embedder,
    idf: Mapping[str, float] | None = None,
    stored: SentenceVectors | None = None,
) -> list[CandidateSentence]:
    """The candidates scored as answers, best first; only the EMBEDDED_CANDIDATES that look best before
    embedding are embedded and returned (the rest cannot make the answer)."""
    if not candidates:
        return []
    terms = weigh_terms(profile.terms, idf, profile.uncommon)
    total = sum(terms.values()) or 1.0
    analysed = analyze([c.text for c in candidates] + [c.context for c in candidates])
    own, around = analysed[:len(candidates)], analysed[len(candidates):]
    passage = _passage_scores(candidates)
    focus_stem = _stem_of(profile.focus) if profile.focus is not None else None
    spelled = _spelled_out(profile.text)
    rows: list[tuple[float, ...]] = []
    found: list[tuple[Span, ...]] = []
    for cand, mine, ctx in zip(candidates, own, around):
        have = set(mine) | _acronym_terms(cand.text, spelled)
        near = have | set(ctx) | _acronym_terms(cand.context, spelled)
        overlap = sum(w for t, w in terms.items() if t in have) / total
        context = sum(w for t, w in terms.items() if t in near) / total
        answers = answer_spans(profile, cand.text)
        agrees, conflicts = _agreement(profile, cand)
        focus = float(focus_stem is not None and focus_stem in have)
        causal = float(profile.answer_type in (AnswerType.REASON, AnswerType.DESCRIPTION)
                       and bool(_CAUSAL.search(cand.text)))
        opening = float(cand.hit.chunk.n == 0 and cand.start < 400)
        length = math.log1p(len(cand.text.split()))
        rows.append((overlap, context, float(bool(answers)), agrees, conflicts, passage[cand.hit.chunk.id], focus,
                     causal, opening, length))
        found.append(answers)
    question = embedder.embed_query(profile.text)
    # The index's sentence vectors rank the sentences at no cost; the best are then embedded on their own, the
    # similarity the weights were set for (their passage's similarity stands in where the index has none).
    pooled = (stored.pooled([(c.hit.chunk, c.start, c.end) for c in candidates]) if stored is not None
              else [None] * len(candidates))
    prior = [_score((float(v @ question) if (v := pooled[i]) is not None else c.hit.dense, *row))
             for i, (c, row) in enumerate(zip(candidates, rows))]
    keep = sorted(range(len(candidates)), key=lambda i: prior[i], reverse=True)[:EMBEDDED_CANDIDATES]
    sims = embedder.embed_cached([candidates[i].text for i in keep]) @ question
    scored = []
    for i, sim in zip(keep, sims):
        features = (float(sim), *rows[i])
        scored.append(replace(candidates[i], similarity=float(sim), overlap=rows[i][0], score=_score(features),
                              answers=found[i], features=features))
    scored.sort(key=lambda c: c.score, reverse=True)
    return scored


def answer_spans(profile: QuestionProfile, sentence: str) -> tuple[Span, ...]:
    """The spans of a sentence that could answer the question: of the type it asks for, and not its own subject
    (a name sharing a word with the question's names is the subject: "Mikel Arteta" for a question on Arteta)."""
    if profile.described:  # "Who is X?": what the sentence says X is
        return tuple(roles_in(profile.described, sentence))
    found = []
    title = appositive_title(sentence, profile.focus) if profile.work and profile.focus else None
    named = [title] if title else []
    if profile.work:
        named.extend(quoted_words(sentence))
    if profile.answer_type == AnswerType.NAME and profile.focus and not (profile.person or profile.organization):
        named.extend(kind_instances(sentence, profile.focus))
    parts, wholes = counted_parts(sentence, profile.text) if profile.answer_type == AnswerType.NUMBER else ([], set())
    named.extend(parts)
    typed = series_spans(sentence, profile.focus) if profile.focus in SERIES_NOUNS and \
        profile.answer_type == AnswerType.NUMBER else typed_spans(sentence, profile.answer_type)
    spelled = _spelled_out(profile.text)
    for span in titles_first(named, typed):
        span = _past_role(span, profile)
        if span.start in wholes or mentioned(span.text, profile.text) or _split_off(span, sentence, profile.text):
            continue
        if span.text.isupper() and span.text.lower() in spelled:
            continue  # the question's name abbreviated: "CFP" for a question on the College Football Playoff
        if profile.answer_type in (AnswerType.NAME, AnswerType.PLACE) and shares_name(span.text, profile.text) \
                and not (profile.work and _names_a_variant(span.text, profile.text)) \
                and not (profile.focus in FAMILY_NOUNS and not shares_name(span.text.split()[0], profile.text)):
            continue  # the question's subject; but "his brother Jason Kelce" is Travis Kelce's brother
        if profile.answer_type in (AnswerType.NAME, AnswerType.PLACE) and _place_asked(span.text, profile.text):
            continue  # the question's place in another form: "Dutch" for a question on the Netherlands
        if (profile.work or profile.organization or profile.answer_type == AnswerType.PLACE) and labels_line(
                span, sentence):
            continue  # an interview's speaker is no answer to "which show", "which company" or "where"
        if in_kicker(span, sentence):
            continue
        if fits_question(span, sentence, profile):
            found.append(span)
    return tuple(found)


def _place_asked(name: str, question: str) -> bool:
    """Whether a name is another form of a place the question names ("Dutch", "the Netherlands"; "British",
    "England"); a short form ("US", "UK") counts only written in capitals, where "us" is a pronoun."""
    lowered = question.lower()
    return any(re.search(rf"\b{re.escape(alias)}\b", lowered) and (len(alias) > 2 or alias.upper() in question)
               for alias in PLACE_ALIASES.get(name.lower().removeprefix("the "), ()) if alias != name.lower())


def _past_role(span: Span, profile: QuestionProfile) -> Span:
    """The name after the title words of a post when the question asks who holds a post ("CTO Brad Murray" for
    "Who is Beeper's CTO?" is Brad Murray, not the question's CTO; "Chief Executive Officer Tony Staffieri" for "the
    Rogers CEO"), after the office the question names ("Fair Work Ombudsman Anna Booth" for "Who is the head of the
    Fair Work Ombudsman?") and after a post's everyday words ("Public Policy Karina Newton"); the span itself
    otherwise ("Judge Arthur Engoron" for "which judge")."""
    if not profile.person or profile.focus is None or profile.focus in GENERIC_PERSON_NOUNS or not title_word(
            profile.focus):
        return span
    words = span.text.split()
    if words[0].lower() == profile.focus and not shares_name(words[0], profile.text):
        return span  # "Judge Amit Mehta" for "which judge": the kind asked, written as a title
    cut = 0
    while cut < len(words) - 2 and (title_word(words[cut]) or shares_name(words[cut], profile.text)
                                    or common_word(words[cut])):  # "Head of Public Policy Karina Newton"
        cut += 1  # a name of two words at least is left
    if not cut:
        return span
    rest = span.text.split(maxsplit=cut)[-1]
    return Span(rest, span.end - len(rest), span.end)


def _names_a_variant(name: str, question: str) -> bool:
    """Whether a name is one of the question's names with more after it ("GPT-4 Turbo" for "the new GPT-4 model"):
    for a question asking for a product or work, the variant asked for, not its subject."""
    words = name.split()
    asked = {w.lower() for w in re.findall(r"[\w.’'-]+", question)}
    return len(words) > 1 and words[0].lower() in asked and any(w.lower() not in asked for w in words[1:])


def _split_off(span: Span, sentence: str, question: str) -> bool:
    """Whether the span and the digits after it are a word of the question written apart: scraped text loses
    subscripts ("CO 2" for the question's "CO2"), and "CO" is then no answer to a question about CO2."""
    digits = re.match(r"\s?(\d+)\b", sentence[span.end:])
    return digits is not None and f"{span.text}{digits.group(1)}".lower() in re.findall(r"\w+", question.lower())


def _stem_of(word: str) -> str:
    terms = analyze([word])[0]
    return terms[0] if terms else word.lower()


# The rarest and the median weight of the last term weights asked about: over the index's whole vocabulary, asked
# for several times per answer with the same mapping (the median alone was ~3% of an answer).
_summary: tuple[Mapping[str, float], float, float] | None = None


def _weights_summary(idf: Mapping[str, float] | None) -> tuple[Mapping[str, float], float, float]:
    """The corpus's term weights, the rarest weight and the median one."""
    global _summary
    weights = idf or {}
    known = _summary
    if known is None or known[0] is not weights:  # `is`: the entry holds the mapping, so its id is not reused
        values = list(weights.values())
        known = (weights, max(values, default=1.0), float(np.median(values)) if values else 1.0)
        _summary = known
    return known


def term_weights(idf: Mapping[str, float] | None) -> tuple[Mapping[str, float], float]:
    """The corpus's term weights and the weight of a term it never uses (the rarest weight: a question about
    something no article mentions should not look covered)."""
    weights, rarest, _typical = _weights_summary(idf)
    return weights, rarest


def weigh_terms(
    terms: Iterable[str], idf: Mapping[str, float] | None, uncommon: Collection[str]
) -> dict[str, float]:
    """Each term's weight: the corpus's, else the rarest weight for an uncommon word and the median for an
    everyday one (a small corpus that never says "study" is not thereby off the subject of a glacier study)."""
    weights, unknown, typical = _weights_summary(idf)
    return {t: weights.get(t, unknown if t in uncommon else typical) for t in dict.fromkeys(terms)}


@lru_cache(maxsize=64)  # read for every candidate sentence of an answer
def _spelled_out(question: str) -> Mapping[str, frozenset[str]]:
    """The terms of each run of capitalised words in the question, by its initials ("hsf" -> hipgnosi, song,
    fund): news writes a name out once, then abbreviates it ("Hipgnosis Songs Fund (HSF)", then "HSF's board")."""
    phrases = acronym_phrases(question)
    return MappingProxyType({acronym: frozenset(terms) for acronym, terms in zip(
        phrases, analyze(list(phrases.values())))})


_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")


def _acronym_terms(text: str, spelled: Mapping[str, frozenset[str]]) -> set[str]:
    """The question's terms a text carries in the acronyms it writes ("HSF" for "Hipgnosis Songs Fund")."""
    return set().union(*(spelled.get(a.lower(), ()) for a in _ACRONYM.findall(text))) if spelled else set()


def _score(features: tuple[float, ...]) -> float:
    return float(sum(w * f for w, f in zip(WEIGHTS, features)))


def _passage_scores(candidates: Sequence[CandidateSentence]) -> dict[str, float]:
    """Each passage's relevance relative to the best one (the ranker's, else the fused score)."""
    hits = {c.hit.chunk.id: c.hit for c in candidates}
    values = {cid: (h.relevance if h.relevance > 0 else h.score) for cid, h in hits.items()}
    top = max(values.values()) or 1.0
    return {cid: v / top for cid, v in values.items()}


# "since 1997 – when the program won it all" goes on to tell what happened that year
_SINCE_YEAR = re.compile(r"\bsince\s+(?:(?:early|late|mid-?)\s*)?\d{4}\b(?!\s*[–—,(]\s*when\b)", re.I)


def _agreement(profile: QuestionProfile, cand: CandidateSentence) -> tuple[float, float]:
    """Whether the sentence agrees with the years and ordinals the question names (1 each way), or states
    others instead ("the 2019 winner" does not answer a question about 2021)."""
    if not profile.years and not profile.ordinals:
        return 0.0, 0.0
    # "Chair since 2018" says when a state began that may still hold: no other year than the question's.
    years, ordinals = set(YEAR.findall(_SINCE_YEAR.sub("", cand.text))), set(ORDINAL.findall(cand.text))
    around = f"{cand.context} {cand.hit.chunk.published_at or ''}"
    agrees = conflicts = 0.0
    for year in profile.years:
        if year in years:
            agrees = 1.0
        elif years:
            conflicts = 1.0
        elif year in around:
            agrees = max(agrees, 0.5)
    for ordinal in profile.ordinals:
        if ordinal in ordinals:
            agrees = 1.0
        elif ordinals:
            conflicts = 1.0
    return agrees, conflicts
