"""The four check labels in a real browser (Debian chromium via Playwright): a generated answer, scripted on the
local fake LLM server, whose sentences come out "quoted", "supported by [n]", "sources disagree" (a second article
gives another figure for the repair's cost) and "not supported" (struck through, with the reason). Screenshots go
to artifacts/screenshots/labels-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from bot.types import SUPPORT_MEANING
from index.embedding import Embedder
from index.rebuild import rebuild_index
from tests.fake_llm import Reply, Request, passage_number, user_message
from tests.test_browser import (
    COST,
    REOPENS,
    SHOTS,
    RunningApp,
    _stop,
    ask,
    launch_with_llm,
    open_chat,
    shot,
    ui_corpus_with,
)

pytestmark = pytest.mark.browser

LEDGER = "City records put the bridge repair bill higher"
LEDGER_ARTICLE = f"""---
title: {LEDGER}
source: Port Ledger
published_at: 2023-10-06T08:00:00Z
url: https://port-ledger.example/2023/10/06/bridge-bill
author: Omar Haddad
category: local
---
City records show that the Harbor Bridge repair in Port Elling cost 95 million dollars, once the ferry service and \
overtime are counted. The council will review the accounts on Monday.
"""
QUOTED = "Mayor Dana Reyes cut the ribbon at dawn."  # word for word in the Bay Tribune's article
PARAPHRASE = "Crews put in new steel cables and a new deck surface."  # what the Tribune says, in other words
DISPUTED = "The Harbor Bridge repair cost 82 million dollars."  # the Tribune's figure; the Ledger says 95 million
WRONG = "The repair cost 63 million dollars."  # the closure article's estimate, cited to the Tribune


def _answer(request: Request) -> str:
    if "[1] " not in user_message(request):
        return COST  # a rewrite request, if any: the question stands alone
    n = passage_number(request, REOPENS)
    return " ".join(f"{s[:-1]} [{n}]." for s in (QUOTED, PARAPHRASE, DISPUTED, WRONG))


@pytest.fixture(scope="module")
def labels_app(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[RunningApp]:
    """The chat with the fake LLM over the UI corpus plus an article that puts the repair's cost higher."""
    settings = ui_corpus_with(tmp_path_factory.mktemp("labels-app"), {"ledger-records.md": LEDGER_ARTICLE})
    rebuild_index(settings, embedder)
    running = launch_with_llm(settings)
    yield running
    _stop(running)


def test_the_four_labels_in_the_chat(labels_app: RunningApp, page: Any) -> None:
    assert labels_app.llm is not None
    labels_app.llm.script(*[Reply(_answer)] * 3)
    open_chat(page, labels_app.url)
    answer = ask(page, COST)
    assert "generated answer, each sentence checked" in answer.locator(".answer-meta").inner_text()
    numbers = {card.split("|")[0]: int(card.split("|")[1]) for card in page.locator("#sources .source-card.cited")
               .evaluate_all("cards => cards.map(c => c.dataset.title + '|' + c.dataset.n)")}
    tribune, ledger = numbers[REOPENS], numbers[LEDGER]  # the Ledger is cited beside the sentence it disputes

    checked = answer.locator(".flag.checked")
    assert checked.all_inner_texts() == ["✓ quoted", f"✓ supported by [{tribune}]"]
    assert checked.nth(1).get_attribute("title") == SUPPORT_MEANING  # "supported" is not "true"
    assert answer.locator(".flag.disagree").all_inner_texts() == [f"⚖ sources disagree: [{tribune}] vs [{ledger}]"]
    struck = answer.locator(".unsupported-sentence")
    assert struck.locator("del").all_inner_texts() == [f"{WRONG} [{tribune}]"]
    assert struck.locator(".flag").inner_text() == (
        f" ⚠ not supported: “63” appears in none of the cited passages [{tribune}]")
    # Each label follows its own sentence, in the order the answer gives them.
    text = re.sub(r"\s+", " ", answer.locator(".answer-text").inner_text())
    assert text == (
        f"{QUOTED} [{tribune}] ✓ quoted {PARAPHRASE} [{tribune}] ✓ supported by [{tribune}] "
        f"{DISPUTED} [{tribune}] ⚖ sources disagree: [{tribune}] vs [{ledger}] "
        f"{WRONG} [{tribune}] ⚠ not supported: “63” appears in none of the cited passages [{tribune}]"
    )
    assert answer.locator(".note.checks").inner_text() == (
        "Checked against the cited passages: 1 quoted, 1 supported by its citations, 1 where the sources disagree, "
        f"1 not supported ({SUPPORT_MEANING})."
    )
    # One card for the Tribune's passage, highlighting the span behind each of the three sentences it supports.
    marks = page.locator(f"#sources .source-card.cited[data-n='{tribune}'] mark").all_inner_texts()
    assert marks == ["The Harbor Bridge in Port Elling reopened to traffic on Tuesday after a repair that cost 82 "
                     "million dollars, well above the first estimate.",
                     "Crews replaced every steel cable and resurfaced the deck.", QUOTED]
    shot(page, "labels-01-four-labels")
    SHOTS.mkdir(parents=True, exist_ok=True)
    answer.screenshot(path=str(SHOTS / "labels-02-answer-bubble.png"))
