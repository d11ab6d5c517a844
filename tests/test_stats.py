"""bot/lab/stats.py: the percentile every lab report prints."""

from __future__ import annotations

from bot.lab.stats import percentile


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [40.0, 10.0, 30.0, 20.0]
    assert percentile(values, 50) == 25.0
    assert percentile(values, 95) == 38.5  # 10 + 0.95 * 3 ranks of 10
    assert percentile(values, 0) == 10.0 and percentile(values, 100) == 40.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) == 0.0
