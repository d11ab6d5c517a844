"""The not-covered gate: whether the retrieved passages answer the question at all."""

from __future__ import annotations

from collections.abc import Sequence

from bot.answering.facts import has_name, passages_facts
from bot.answering.sentences import CandidateSentence, candidate_sentences, score_candidates
from bot.types import NOT_COVERED, Answer, Hit
from index.embedding import Embedder
from index.text import DATE_WORDS, name_words

NOT_COVERED_TEXT = "The indexed articles do not cover this question."


# Gate for "not covered": the best sentence must be at least this close to the question, or share
# this share of the question's content terms.  Calibrated on the MultiHop-RAG dev questions.
MIN_SIMILARITY = 0.35


MIN_OVERLAP = 0.5


MIN_GATED_SIMILARITY = 0.2


# A question naming someone or something that no retrieved passage mentions is usually about something the corpus
# lacks: it needs a closer best sentence, and at least this share of its names must be found.
# Tuned on the MultiHop-RAG dev questions (python -m bot.lab.eval_answers gate).
MISSING_NAME_SIMILARITY = 0.5


MIN_NAME_COVERAGE = 1 / 3


def is_covered(best: CandidateSentence, name_coverage: float = 1.0) -> bool:
    """Whether the best sentence is relevant enough to answer from (else: not covered).

    `name_coverage` is the share of the question's names found in the retrieved passages (see `name_coverage`).
    """
    relevant = best.similarity >= MIN_SIMILARITY or (
        best.overlap >= MIN_OVERLAP and best.similarity >= MIN_GATED_SIMILARITY
    )
    if not relevant or name_coverage >= 1.0:
        return relevant
    return name_coverage >= MIN_NAME_COVERAGE and best.similarity >= MISSING_NAME_SIMILARITY


def name_coverage(question: str, hits: Sequence[Hit]) -> float:
    """Share of the question's names (people, organisations, places, outlets; not dates) the passages mention."""
    names = [n for n in name_words(question) if n.lower() not in DATE_WORDS]
    if not names:
        return 1.0
    facts = passages_facts([hit.chunk for hit in hits])
    return sum(has_name(name, facts) for name in names) / len(names)


def assess_coverage(question: str, hits: Sequence[Hit], embedder: Embedder) -> tuple[bool, list[CandidateSentence]]:
    """Whether the passages cover the question, and their sentences scored for the extractive answer."""
    scored = score_candidates(question, candidate_sentences(hits), embedder)
    return bool(scored) and is_covered(scored[0], name_coverage(question, hits)), scored


def not_covered_answer(question: str, hits: Sequence[Hit] = ()) -> Answer:
    """The final answer saying that the indexed articles do not cover the question."""
    return Answer(question=question, text=NOT_COVERED_TEXT, mode=NOT_COVERED, hits=list(hits), done=True)
