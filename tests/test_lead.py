"""The short answer: proposed from the vote of the best sentences, shown only when the fitted model trusts it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.answering.compose import compose
from bot.answering.lead import LEAD_MODEL, LEAD_SIGNALS, LeadModel, load_lead_model, propose_lead
from bot.engine import ChatEngine
from bot.lab.fit_lead import is_right
from index.embedding import Embedder
from index.rebuild import rebuild_index
from index.settings import Settings
from tests.conftest import ROOT

ANSWERS_CORPUS = ROOT / "tests" / "fixtures" / "answers_corpus"
QUESTION = "Who became interim CEO of Lumen Labs after Markov was fired?"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> ChatEngine:
    store = tmp_path_factory.mktemp("lead-index")
    settings = Settings(corpus=ANSWERS_CORPUS, store=Path(store))
    rebuild_index(settings, embedder)
    return ChatEngine(settings, embedder)


def _model(threshold: float) -> LeadModel:
    shipped = load_lead_model()
    return replace(shipped, fitted_on={**shipped.fitted_on, "threshold": threshold})


def test_the_vote_gives_the_completed_name_and_its_signals(engine: ChatEngine) -> None:
    hits, assessment = engine.assess(QUESTION)
    lead = propose_lead(assessment.profile, assessment.scored, hits)
    assert lead is not None and lead.text == "Ingrid Halvorsen"
    signals = dict(zip(LEAD_SIGNALS, lead.signals))
    # Stated by one article, completed from "Halvorsen" to the full name the passages give.
    assert (signals["articles"], signals["completed"], signals["is_date"], signals["is_number"]) == (1.0, 1.0, 0, 0)
    assert 0 < signals["share"] <= 1 and 0 <= signals["margin"] <= 1


def test_an_untrusted_short_answer_is_left_out_but_its_sentence_still_opens(engine: ChatEngine) -> None:
    hits, assessment = engine.assess(QUESTION)
    trusted = compose(assessment.profile, assessment.scored, hits, lead_model=_model(0.0))
    doubted = compose(assessment.profile, assessment.scored, hits, lead_model=_model(1.01))
    assert trusted.lead is not None and trusted.lead.text == "Ingrid Halvorsen"
    assert doubted.lead is None
    assert doubted.sentences[0] == trusted.sentences[0] == trusted.lead.sentences[0]


def test_the_shipped_model_reads_its_signals_and_trusts_a_clear_vote() -> None:
    model = load_lead_model(LEAD_MODEL)
    assert model.features == LEAD_SIGNALS and model.threshold == 0.5
    clear = dict(share=1.0, margin=1.0, articles=2.0, sentences=2.0, top_score=0.8, own_score=1.0, closeness=1.0,
                 in_top=1.0, words=np.log1p(2), completed=1.0, is_date=0.0, is_number=0.0)
    split = {**clear, "share": 0.3, "margin": 0.02, "sentences": 1.0, "articles": 1.0, "closeness": 0.2,
             "completed": 0.0, "top_score": 0.3}
    assert model.confident([clear[f] for f in LEAD_SIGNALS])
    assert not model.confident([split[f] for f in LEAD_SIGNALS])


@pytest.mark.parametrize(("proposed", "expected", "right"), [
    ("Mira Murati", "Mira Murati", True), ("Murati", "Mira Murati", True), ("Sam Bankman-Fried", "Bankman-Fried", True),
    ("Ohio State", "2. Washington", False), ("US", "USA Today", False), ("OpenAI", "", False),
])
def test_a_proposed_answer_is_right_when_either_contains_the_other(proposed: str, expected: str, right: bool) -> None:
    assert is_right(proposed, expected) is right
