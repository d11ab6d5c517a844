"""Fitting the learned ranker: L2-penalised logistic regression on standardised features (scikit-learn)."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from bot.retrieval.features import FEATURES
from bot.retrieval.ranker import RankerWeights

# Stop once the gradient is this small: the weights then match the exact optimum to ~1e-8.
TOLERANCE = 1e-8


def fit_logistic(rows: np.ndarray, labels: np.ndarray, l2: float = 1.0) -> RankerWeights:
    """L2-regularised logistic regression on standardised features; the intercept is not shrunk."""
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale == 0] = 1.0
    # scikit-learn minimises ½‖w‖² + C·Σ log-loss: C = 1/l2 is the penalty ½·l2·‖w‖² on the summed loss.
    model = LogisticRegression(C=1.0 / l2, solver="newton-cholesky", tol=TOLERANCE, max_iter=100)
    model.fit((rows - mean) / scale, labels.astype(np.float64))
    return RankerWeights(FEATURES, mean, scale, model.coef_[0].astype(np.float64), float(model.intercept_[0]), {})
