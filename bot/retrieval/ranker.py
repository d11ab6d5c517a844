"""The learned ranker: a logistic model over the candidates' features, its weights read from `ranker.json`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.errors import BotError
from bot.retrieval.features import FEATURES

DEFAULT_WEIGHTS = Path(__file__).with_name("ranker.json")


# Log-odds added per outlet or date the question names and the passage matches. The fitted weight of these
# features stays small because the fused lists already favour such passages; as a firm prior on top
# (what a user who names an outlet or a day expects) they add +0.002 MRR@10 and +0.006 evidence recall held out.
NAMED_BOOST = 2.0


_NAMED = [FEATURES.index("named_outlet"), FEATURES.index("named_date")]


class RankerError(BotError):
    """The ranker's weights are missing or do not fit this code."""


@dataclass(frozen=True)
class RankerWeights:
    """A fitted logistic model: standardised features, coefficients, intercept, and how it was fitted."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    fitted_on: dict[str, object]

    def _logit(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(((rows - self.mean) / self.scale) @ self.coef + self.intercept).reshape(len(rows))

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """P(passage holds gold evidence) for each row of FEATURES."""
        return _sigmoid(self._logit(rows))

    def relevance(self, rows: np.ndarray) -> np.ndarray:
        """What orders the hits: the model's probability, with NAMED_BOOST per named outlet or date matched."""
        return _sigmoid(self._logit(rows) + NAMED_BOOST * rows[:, _NAMED].sum(axis=1))

    def to_json(self) -> str:
        """The weights file's text."""
        return json.dumps(
            {
                "features": list(self.features),
                "mean": [round(float(v), 8) for v in self.mean],
                "scale": [round(float(v), 8) for v in self.scale],
                "coef": [round(float(v), 8) for v in self.coef],
                "intercept": round(self.intercept, 8),
                "fitted_on": self.fitted_on,
            },
            indent=1,
        )


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


def load_weights(path: Path = DEFAULT_WEIGHTS) -> RankerWeights:
    """The ranker's weights; refuses a file fitted for another feature set."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RankerError(
            f"cannot read the ranker's weights at {path}: {exc} — reinstall, or run `python -m bot.lab.train_ranker`"
        ) from exc
    features = tuple(data.get("features", ()))
    if features != FEATURES:
        raise RankerError(
            f"the ranker's weights at {path} were fitted on other features ({', '.join(features) or 'none'}); "
            "run `python -m bot.lab.train_ranker --queries FILE` to fit them for this version"
        )
    return RankerWeights(
        features=features,
        mean=np.asarray(data["mean"], dtype=np.float64),
        scale=np.asarray(data["scale"], dtype=np.float64),
        coef=np.asarray(data["coef"], dtype=np.float64),
        intercept=float(data["intercept"]),
        fitted_on=dict(data.get("fitted_on", {})),
    )
