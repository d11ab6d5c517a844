"""Fitting the learned ranker: L2-penalised logistic regression on standardised features (Newton's method)."""

from __future__ import annotations

import numpy as np

from bot.retrieval.features import FEATURES
from bot.retrieval.ranker import RankerWeights, _sigmoid


def fit_logistic(rows: np.ndarray, labels: np.ndarray, l2: float = 1.0, steps: int = 50) -> RankerWeights:
    """L2-regularised logistic regression by Newton's method on standardised features."""
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale == 0] = 1.0
    x = np.hstack([(rows - mean) / scale, np.ones((len(rows), 1))])
    y = labels.astype(np.float64)
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0  # the intercept is not shrunk
    for _ in range(steps):
        p = _sigmoid(x @ w)
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return RankerWeights(FEATURES, mean, scale, w[:-1], float(w[-1]), {})
