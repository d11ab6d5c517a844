"""The topic's Timeline and Compare outlets tabs in a real browser (Chromium via Playwright): more articles than the
answer cites, outlets labelled in full, a dot and a statement open their passage, the full-width view.

Screenshots go to artifacts/screenshots/ (git-ignored), as in test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from index.embedding import Embedder
from index.rebuild import rebuild_index
from index.settings import Settings
from tests.coverage_corpus import ON_TOPIC, TOPIC_QUESTION, write_corpus
from tests.test_browser import RunningApp, _launch, _stop, ask, dialog_text, open_chat, shot

pytestmark = pytest.mark.browser

OUTLETS = ["Valley Gazette", "Hill Courier", "River Post"]


@pytest.fixture(scope="module")
def topic_app(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[RunningApp]:
    """The extractive chat over the topic corpus, answering from 3 passages (BOT_K) so the topic is wider."""
    base = tmp_path_factory.mktemp("topic-app")
    settings = Settings(corpus=write_corpus(base / "corpus"), store=base / "index")
    rebuild_index(settings, embedder)
    running = _launch(settings, {"BOT_K": "3"})
    yield running
    _stop(running)


def _fits(page: Any, selector: str) -> list[str]:
    """The texts of the elements that are cut off (their content wider than their box)."""
    return list(page.locator(selector).evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"))


def test_topic_timeline_and_comparison(topic_app: RunningApp, page: Any) -> None:
    open_chat(page, topic_app.url)
    ask(page, TOPIC_QUESTION)
    cited = page.locator("#sources .source-card.cited").evaluate_all(
        "cards => new Set(cards.map(c => c.dataset.title)).size")

    page.get_by_role("tab", name="Timeline").click()
    dots = page.locator("#timeline .tl-dot")
    dots.first.wait_for()
    assert dots.count() == len(ON_TOPIC) > cited == 1
    assert page.locator("#timeline .tl-dot.cited").count() == 1
    assert page.locator("#timeline .tl-row:not(.tl-weeks):not(.tl-axis) .tl-label").all_inner_texts() == OUTLETS
    assert page.locator("#timeline .tl-count").all_inner_texts()[:4] == ["3", "2", "2", "7"]
    assert page.locator("#timeline .tl-bar b").all_inner_texts() == ["2", "2", "2", "1"]
    assert _fits(page, "#timeline .tl-label, #timeline .tl-tick") == []
    label = page.locator("#timeline .tl-label").first.bounding_box()
    assert label is not None and label["width"] >= 90
    shot(page, "coverage-01-timeline-side")
    page.locator("#timeline .tl-dot").last.click()  # the last article by date, not read by the answer
    assert dialog_text(page)["title"].endswith("Work begins on the Lakeview dam repair")
    page.keyboard.press("Escape")

    page.locator("#timeline .wide-toggle").click()
    assert page.evaluate("document.body.classList.contains('wide-views')")
    track = page.locator("#timeline .tl-track").first.bounding_box()
    assert track is not None and track["width"] > 900
    shot(page, "coverage-02-timeline-full-width")

    page.get_by_role("tab", name="Compare").click()
    columns = page.locator("#compare .topic-col")
    columns.first.wait_for()
    assert page.locator("#compare .topic-col h5").all_inner_texts() == OUTLETS
    boxes = [columns.nth(i).bounding_box() for i in range(3)]
    assert all(b is not None for b in boxes) and len({round(b["y"]) for b in boxes if b}) == 1  # side by side
    statements = page.locator("#compare .topic-statement").all_inner_texts()
    assert len(statements) == 3 == len(set(statements))
    page.locator("#compare .topic-col", has_text="Hill Courier").locator("a.cite").click()
    assert dialog_text(page)["mark"] == ("Stonebridge Works won the contract for the Lakeview dam repair after "
                                         "bidding 38 million dollars.")
    page.keyboard.press("Escape")
    shot(page, "coverage-03-compare-full-width")
    page.locator("#compare .wide-toggle").click()
    assert not page.evaluate("document.body.classList.contains('wide-views')")
    shot(page, "coverage-04-compare-side")
