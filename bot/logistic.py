"""A fitted logistic model read from a JSON file shipped with the package (the ranker's, the coverage gate's).

Product code applies it with numpy; fitting it is tooling (bot/lab). The file names its features, so a model
fitted for another version of the features is refused instead of silently misread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from bot.errors import BotError

Model = TypeVar("Model", bound="LogisticModel")


class ModelFileError(BotError):
    """A model file is missing, unreadable, or fitted for other features."""


@dataclass(frozen=True)
class LogisticModel:
    """Standardised features, coefficients, intercept, and how it was fitted."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    fitted_on: dict[str, object]

    def logit(self, rows: np.ndarray) -> np.ndarray:
        """The model's log-odds for each row of its features."""
        return np.asarray(((rows - self.mean) / self.scale) @ self.coef + self.intercept).reshape(len(rows))

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """The model's probability for each row of its features."""
        return sigmoid(self.logit(rows))

    def to_json(self) -> str:
        """The model file's text."""
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

    @classmethod
    def load(cls: type[Model], path: Path, features: tuple[str, ...], refit: str, what: str) -> Model:
        """The model in `path` (`what`: "the ranker's weights"); `refit` is the command that fits it again,
        named when the file will not do."""
        try:
            data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelFileError(f"cannot read {what} at {path}: {exc} — reinstall, or run `{refit}`") from exc
        found = tuple(data.get("features", ()))
        if found != features:
            raise ModelFileError(
                f"{what} at {path} were fitted on other features ({', '.join(found) or 'none'}); "
                f"run `{refit}` to fit them for this version"
            )
        return cls(
            features=found,
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            coef=np.asarray(data["coef"], dtype=np.float64),
            intercept=float(data["intercept"]),
            fitted_on=dict(data.get("fitted_on", {})),
        )


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return np.asarray(1.0 / (1.0 + np.exp(-z)))
