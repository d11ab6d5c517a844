"""The SummEdits evaluation: figures computed right, the data read right, and the shipped model's news figure."""

from __future__ import annotations

import json

import pytest

from bot.answering.support import load_support_model
from bot.answering.verifier import Verifier
from bot.lab.eval_summedits import (
    HELD_OUT,
    SUMMEDITS,
    Summary,
    domain_figures,
    load_domain,
    summedits_figures,
    verifier_flagger,
)
from index.embedding import Embedder


def _summary(consistent: bool, *edits: str) -> Summary:
    return Summary("news", "x", "doc", ("s",), consistent, edits)


def test_balanced_accuracy_precision_and_recall_per_edit_type() -> None:
    summaries = [
        _summary(True), _summary(True), _summary(True), _summary(True),
        _summary(False, "antonym_swap"), _summary(False, "antonym_swap", "entity_modification"),
        _summary(False, "entity_modification"),
    ]
    flagged = [True, False, False, False, True, False, True]
    assert domain_figures(summaries, flagged) == {
        "summaries": 7,
        "inconsistent": 3,
        "balanced_accuracy": round((2 / 3 + 3 / 4) / 2, 4),
        "precision": round(2 / 3, 4),
        "recall": round(2 / 3, 4),
        "consistent_flagged": 0.25,
        "recall_by_edit": {"antonym_swap": [1, 2], "entity_modification": [1, 2]},
    }


def _require_summedits() -> None:
    if not (SUMMEDITS / f"summedits_{HELD_OUT}.json").exists():
        pytest.skip(f"SummEdits data not found at {SUMMEDITS} (../shared/data/summedits beside the repo)")


def test_news_domain_is_read_with_labels_sentences_and_edit_types() -> None:
    _require_summedits()
    news = load_domain(SUMMEDITS, "news")
    assert len(news) == 819
    assert sum(not s.consistent for s in news) == 498
    assert news[0].consistent and news[0].edit_types == ()
    assert news[0].sentences == (
        "On the eve of the one-year anniversary of Russia's invasion of Ukraine, U.K. activists dumped gallons of "
        "yellow and blue paint on the road in front of the London Russian embassy.",
    )
    edits = [e for s in news if not s.consistent for e in s.edit_types]
    assert {e: edits.count(e) for e in sorted(set(edits))} == {
        "antonym_swap": 197, "entity_modification": 409, "hallucinated_fact_insertion": 50,
        "negation_insertion_removal": 85,
    }


@pytest.mark.slow
def test_shipped_model_gives_the_recorded_news_figures(embedder: Embedder) -> None:
    """The held-out news figures support.json records are what the verifier gives now (fitted without news)."""
    _require_summedits()
    model = load_support_model()
    assert "news" not in json.dumps(model.fitted_on["data"])
    figures = summedits_figures(SUMMEDITS, verifier_flagger(Verifier(embedder)), ["news"])
    assert figures["news"] == model.fitted_on["held_out_news"]
