"""Whether a claim's signals add up to support: a logistic model (support.json) over the verifier's signals.

Fitted by `python -m bot.lab.fit_support` on SummEdits' human-labelled summaries of every domain but news, and
measured on news, which it never sees; the file records the threshold and the held-out figures. A name, number or
date stated in no form in the cited passages decides alone (held out per domain, the rule adds 0.03 balanced
accuracy over leaving it to the model).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.logistic import LogisticModel

SUPPORT_MODEL = Path(__file__).with_name("support.json")
REFIT = "python -m bot.lab.fit_support"
FLOOR_SIMILARITY = 0.4  # embedding cosine of the closest span
FLOOR_COVERAGE = 0.5  # share of the claim's content terms anywhere in the cited passages
SUPPORT_FEATURES = ("similarity", "coverage", "coverage_all", "novel", "misplaced", "far", "moved", "negated",
                    "antonym", "hedged", "terms")


@dataclass(frozen=True)
class Signals:
    """What the verifier measured for one claim against its cited passages."""

    similarity: float  # embedding cosine of the closest span
    coverage: float  # share of the claim's content terms in its best spans
    coverage_all: float  # share of them anywhere in the cited passages
    novel: float  # content terms found nowhere in the cited passages
    missing: float  # names, numbers and dates stated in no form in the cited passages
    misplaced: float  # those not near the span that says the rest
    far: float  # those near none of the sentences most like the claim
    moved: float  # share of content terms found in the passages but near none of those sentences
    polarity: tuple[float, float, float]  # negation flipped, antonym swapped in, hedge added or dropped
    terms: float  # content terms of the claim

    def row(self) -> list[float]:
        """The model's inputs, in SUPPORT_FEATURES order (counts on a log scale: the first few matter most)."""
        return [self.similarity, self.coverage, self.coverage_all, math.log1p(self.novel), math.log1p(self.misplaced),
                math.log1p(self.far), self.moved, *self.polarity, math.log1p(self.terms)]


@dataclass(frozen=True)
class SupportModel(LogisticModel):
    """P(the cited passages say what the claim says) from SUPPORT_FEATURES; `fitted_on["threshold"]` decides."""

    @property
    def threshold(self) -> float:
        """The probability from which a claim counts as supported."""
        return float(self.fitted_on.get("threshold", 0.5))  # type: ignore[arg-type]

    def supports(self, signals: Signals) -> bool:
        """Whether these signals say the passages support the claim. A name, number or date the cited passages
        state in no form is never supported, however the rest reads: the model weighs only the softer signals."""
        if signals.missing or not on_topic(signals):
            return False
        return bool(self.probability(np.asarray([signals.row()], dtype=np.float64))[0] >= self.threshold)


def on_topic(signals: Signals) -> bool:
    """Whether the cited passages speak of what the claim does at all: a sentence close to it, or most of its
    content words. SummEdits' summaries all are about their document, so this floor is set by hand (it flags no
    consistent news summary and keeps other articles' passages from supporting a claim)."""
    return signals.similarity >= FLOOR_SIMILARITY or signals.coverage_all >= FLOOR_COVERAGE


@lru_cache(maxsize=4)
def load_support_model(path: Path = SUPPORT_MODEL) -> SupportModel:
    """The shipped support model (read once)."""
    return SupportModel.load(path, SUPPORT_FEATURES, REFIT, "the verifier's support model")
