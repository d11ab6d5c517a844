"""Sources that disagree: another retrieved article states other figures for what a supported sentence says."""

from __future__ import annotations

import pytest

from bot.answering.generated import verify_generated
from bot.answering.verifier import Verifier
from bot.types import Answer, AnswerSentence, Hit, label_summary
from bot.web import render
from bot.web.export import answer_markdown
from bot.web.state import finished_turn
from index.documents import Chunk
from index.embedding import Embedder
from tests.test_citations import BRIDGE, HOCKEY

LEDGER = Chunk(
    article_id="ledger", n=0,
    text="City records show the Harbor Bridge repair in Port Elling cost 95 million dollars. The council meets on "
         "Monday.",
    start=0, end=0, title="Records: bridge repair cost more", outlet="Port Ledger", published_at="2023-10-06T08:00:00Z",
)
LEDGER_FIRST = "City records show the Harbor Bridge repair in Port Elling cost 95 million dollars."


@pytest.fixture(scope="module")
def verifier(embedder: Embedder) -> Verifier:
    return Verifier(embedder)


def test_a_figure_another_article_states_otherwise_is_marked(verifier: Verifier) -> None:
    passages = {1: BRIDGE, 2: HOCKEY, 3: LEDGER}
    cost, cables, score = verifier.verify([
        ("The Harbor Bridge repair cost 82 million dollars.", (1,)),
        ("Engineers replaced all 212 steel cables.", (1,)),  # no other article speaks of the cables
        ("The Rockets beat the Loons 3-1.", (2,)),
    ], passages)
    assert cost.supported and [(m.n, m.quote) for m in cost.disagrees] == [(3, LEDGER_FIRST)]
    assert (cables.supported, cables.disagrees, score.supported, score.disagrees) == (True, (), True, ())
    # The article's own passage is never a disagreement, whatever it says elsewhere.
    [own] = verifier.verify([("The repair ran 19 million dollars over budget.", (1,))], {1: BRIDGE, 2: BRIDGE})
    assert own.disagrees == ()


def _hit(chunk: Chunk) -> Hit:
    return Hit(chunk, 1.0)


def test_sources_disagree_label_in_the_answer_bubble_and_export(verifier: Verifier) -> None:
    hits = [_hit(BRIDGE), _hit(LEDGER)]
    answer = verify_generated("The Harbor Bridge repair cost 82 million dollars [1]. Mayor Dana Reyes cut the "
                              "ribbon at dawn [1].", hits, verifier, Answer(question="q"))
    cost, ribbon = answer.sentences
    assert (cost.supported, cost.disagrees, cost.label) == (True, (2,), "sources disagree: [1] vs [2]")
    assert ribbon.label == "quoted"  # the passage's own sentence
    assert [(c.n, c.quote) for c in answer.citations][1] == (2, LEDGER_FIRST)
    assert cost.to_json()["label"] == "sources disagree: [1] vs [2]"
    bubble = render.format_answer(answer, 1)
    assert ('<span class="flag disagree" title="Another retrieved article states other figures for this; both are '
            'cited">⚖ sources disagree: [1] vs [2]</span>') in bubble
    markdown = answer_markdown(finished_turn(1, "q", answer, "all"))
    assert markdown.startswith(
        "The Harbor Bridge repair cost 82 million dollars. [1] _(sources disagree: [1] vs [2])_ Mayor Dana Reyes cut "
        "the ribbon at dawn. [1]\n\n_Checked against the cited passages: 1 quoted, 1 where the sources disagree"
        " (“supported” means the cited passage says so, not that it is true)._"
    )


def test_a_passage_two_sentences_draw_on_keeps_one_card_with_both_spans_highlighted(verifier: Verifier) -> None:
    answer = verify_generated("The Harbor Bridge repair cost 82 million dollars [1]. Mayor Dana Reyes cut the "
                              "ribbon at dawn [1].", [_hit(BRIDGE), _hit(LEDGER)], verifier, Answer(question="q"))
    bridge = answer.citations[0]
    ribbon = "Mayor Dana Reyes cut the ribbon at dawn."
    start = BRIDGE.text.index(ribbon)
    assert (bridge.n, bridge.quote_start, bridge.quote_end) == (1, 0, 117)  # the first sentence it supports
    assert BRIDGE.text[:117].endswith("82 million dollars.")
    assert bridge.highlights == ((0, 117), (start, start + len(ribbon)))
    assert [c.highlights for c in answer.citations[1:]] == [((0, len(LEDGER_FIRST)),)]  # shown beside, not drawn on


def test_tally_counts_each_label() -> None:
    sentences = [
        AnswerSentence("a b c d", True, (1,), ("a b c d",)),
        AnswerSentence("x", True, (1,), disagrees=(3,)),
        AnswerSentence("y", False, (2,)),
    ]
    assert [s.label for s in sentences] == ["quoted", "sources disagree: [1] vs [3]", "not supported"]
    assert label_summary(sentences) == (
        "Checked against the cited passages: 1 quoted, 1 where the sources disagree, 1 not supported "
        "(“supported” means the cited passage says so, not that it is true)."
    )
