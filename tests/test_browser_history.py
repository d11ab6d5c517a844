"""Saved conversations in a real browser (Debian chromium via Playwright): ask, reload the page, reopen the earlier
conversation from the Conversations panel with its answer and sources, delete it; served to the network, each
browser sees only its own list. Screenshots go to artifacts/screenshots/history-*.png.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.web.history import HISTORY_FILE
from index.embedding import Embedder
from index.rebuild import rebuild_index
from index.settings import Settings
from tests.test_browser import (
    COST,
    REOPENS,
    REOPENS_SENTENCE,
    UI_CORPUS,
    RunningApp,
    _launch,
    _stop,
    ask,
    dialog_text,
    open_chat,
    shot,
)

pytestmark = pytest.mark.browser

MAYOR = "What did the mayor say about the Harbor Bridge?"
EMPTY_NOTE = "No saved conversations yet: each answer is saved here as you ask."


def _app(base: Path, embedder: Embedder, env: dict[str, str]) -> RunningApp:
    corpus = base / "corpus"
    shutil.copytree(UI_CORPUS, corpus)
    settings = Settings(corpus=corpus, store=base / "index")
    rebuild_index(settings, embedder)
    return _launch(settings, env)


@pytest.fixture(scope="module")
def local_app(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[RunningApp]:
    """The extractive chat on 127.0.0.1: one list for the machine."""
    running = _app(tmp_path_factory.mktemp("history-local"), embedder, {})
    yield running
    _stop(running)


@pytest.fixture(scope="module")
def network_app(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[RunningApp]:
    """The chat served to the network (0.0.0.0): a list per browser."""
    running = _app(tmp_path_factory.mktemp("history-network"), embedder, {"BOT_HOST": "0.0.0.0"})
    yield running
    _stop(running)


class Tab:
    """A browser context (its own storage: one "browser") with one page, failing on any JavaScript error."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1600, "height": 1000})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.set_default_timeout(60_000)

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], f"JavaScript errors on the page: {self.errors}"


@pytest.fixture
def tabs(browser: Any) -> Iterator[list[Tab]]:
    opened = [Tab(browser), Tab(browser)]
    yield opened
    for tab in opened:
        tab.close()


def listed(page: Any) -> list[str]:
    """The conversations in the panel, top to bottom."""
    return list(page.locator("#history-list label").all_inner_texts())


def wait_listed(page: Any, count: int) -> list[str]:
    page.wait_for_function("([n]) => document.querySelectorAll('#history-list label').length === n", arg=[count])
    return listed(page)


def selected(page: Any) -> list[str]:
    return list(page.locator("#history-list label:has(input:checked)").all_inner_texts())


def test_reload_reopen_and_delete_a_conversation(local_app: RunningApp, tabs: list[Tab]) -> None:
    page = tabs[0].page
    open_chat(page, local_app.url)
    page.wait_for_function(f"document.querySelector('#history-note').textContent.includes({EMPTY_NOTE!r})")
    assert listed(page) == [] and not page.locator("#history-delete").is_visible()
    ask(page, COST)
    [entry] = wait_listed(page, 1)
    assert entry.startswith(f"{COST} — ")
    assert selected(page) == [entry]  # the conversation on screen
    shot(page, "history-01-saved-after-the-answer")

    page.reload()
    open_chat(page, local_app.url)
    assert wait_listed(page, 1) == [entry]
    assert page.locator("#chat .answer").count() == 0 and selected(page) == []
    assert not page.locator("#history-delete").is_visible()  # nothing selected: nothing to delete
    shot(page, "history-02-after-reload")

    page.locator("#history-list label", has_text=COST).click()
    answer = page.locator("#chat .answer.done").last
    answer.wait_for()
    assert page.locator("#chat .answer").count() == 1
    assert answer.locator(".short-answer").inner_text() == "82 million dollars [1]"
    assert REOPENS_SENTENCE in answer.locator(".answer-text").inner_text()
    card = page.locator('#sources .source-card[data-psg="1-1"]')
    assert card.locator(".card-title").inner_text() == REOPENS
    assert card.locator("mark").first.inner_text() == REOPENS_SENTENCE
    answer.locator('a.cite[href="#psg-1-1"]').last.click()  # the passage store is back too: markers open
    seen = dialog_text(page)
    assert (seen["title"], seen["mark"]) == (f"[1] {REOPENS}", REOPENS_SENTENCE)
    page.keyboard.press("Escape")
    page.locator("dialog#passage-viewer").wait_for(state="hidden")
    assert selected(page) == [entry]
    shot(page, "history-03-reopened")

    # A follow-up continues the reopened conversation (the same entry, now of two questions) ...
    ask(page, MAYOR)
    page.wait_for_function("document.querySelector('#history-list label').textContent.endsWith('· 2 questions')")
    [continued] = listed(page)
    assert continued.startswith(f"{COST} — ")
    # ... and New chat starts another, listed first.
    page.locator("#new-chat").click()
    page.wait_for_function("document.querySelectorAll('#chat .answer').length === 0")
    assert selected(page) == []
    ask(page, MAYOR)
    first, second = wait_listed(page, 2)
    assert first.startswith(f"{MAYOR} — ") and second == continued
    assert selected(page) == [first]
    shot(page, "history-04-two-conversations")

    # Deleting the selected conversation removes it (and clears the chat, since it is the one on screen).
    page.locator("#history-delete").click()
    assert wait_listed(page, 1) == [continued]
    page.wait_for_function("document.querySelectorAll('#chat .answer').length === 0")
    assert selected(page) == []
    page.locator("#history-delete").wait_for(state="hidden")
    shot(page, "history-05-deleted")
    page.reload()
    open_chat(page, local_app.url)
    assert wait_listed(page, 1) == [continued]
    assert (Path(local_app.settings.store) / HISTORY_FILE).is_file()

    # Another browser on this machine sees the same list: the chat is local to it.
    other = tabs[1].page
    open_chat(other, local_app.url)
    assert wait_listed(other, 1) == [continued]


def test_served_to_the_network_each_browser_keeps_its_own_list(network_app: RunningApp, tabs: list[Tab]) -> None:
    mine, theirs = tabs[0].page, tabs[1].page
    open_chat(mine, network_app.url)
    mine.wait_for_function(f"document.querySelector('#history-note').textContent.includes({EMPTY_NOTE!r})")
    ask(mine, COST)
    [entry] = wait_listed(mine, 1)
    assert mine.locator("#history-list").inner_text().startswith("Saved for this browser")
    mine.reload()
    open_chat(mine, network_app.url)
    assert wait_listed(mine, 1) == [entry]  # the browser's id survived the reload
    shot(mine, "history-06-network-own-list")

    open_chat(theirs, network_app.url)
    theirs.wait_for_function(f"document.querySelector('#history-note').textContent.includes({EMPTY_NOTE!r})")
    assert listed(theirs) == []
    shot(theirs, "history-07-network-other-browser")
