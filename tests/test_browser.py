"""The chat in a real browser: Debian chromium driven by Playwright against app.py launched on 127.0.0.1.

Screenshots of every step are saved under artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.engine import ChatEngine
from bot.views.examples import answerable_by, example_questions
from index.embedding import Embedder
from index.rebuild import rebuild_index
from index.settings import Settings
from tests.conftest import ROOT, free_port, start_server, stop_process
from tests.fake_llm import FakeLLM, Reply, passage_number, user_message

pytestmark = pytest.mark.browser

UI_CORPUS = ROOT / "tests" / "fixtures" / "ui_corpus"
SHOTS = ROOT / "artifacts" / "screenshots"
COST = "How much did the Harbor Bridge repair cost?"
REOPENS = "Harbor Bridge reopens to traffic after repair"
REOPENS_URL = "https://bay-tribune.example/news/harbor-bridge-reopens"
REOPENS_SENTENCE = ("The Harbor Bridge in Port Elling reopened to traffic on Tuesday after a repair that cost 82 "
                    "million dollars, well above the first estimate.")
NEW_ARTICLE = """---
title: Harbor Bridge lights switched on
source: Harbor Herald
published_at: 2023-12-10T18:00:00Z
url: https://harbor-herald.example/bridge-lights
category: local
---
New LED lights on the Harbor Bridge in Port Elling were switched on for the first time on Sunday evening.
"""


@dataclass
class RunningApp:
    """An app.py process on 127.0.0.1 and what it was started with."""

    url: str
    settings: Settings
    proc: subprocess.Popen[bytes]
    llm: FakeLLM | None = None
    log: list[str] = field(default_factory=list)


def _launch(settings: Settings, extra_env: dict[str, str]) -> RunningApp:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env.update({"BOT_STORE": str(settings.store), "BOT_CORPUS": str(settings.corpus), "BOT_PORT": str(port)})
    env.update(extra_env)
    log = Path(settings.store).parent / f"app-{port}.log"
    proc = start_server([sys.executable, str(ROOT / "app.py"), "--no-build"], port, log, env)
    return RunningApp(f"http://127.0.0.1:{port}/", settings, proc)


def _stop(running: RunningApp) -> None:
    stop_process(running.proc)
    if running.llm is not None:
        running.llm.close()


def launch_with_llm(settings: Settings) -> RunningApp:
    """app.py with a scripted local OpenAI-compatible server as its LLM (`running.llm`); `_stop` closes both."""
    llm = FakeLLM()
    running = _launch(settings, {
        "OPENAI_BASE_URL": llm.url, "OPENAI_API_KEY": "test-key", "BOT_LLM_MODEL": "fake-model",
        "BOT_LLM_RETRIES": "0", "BOT_LLM_TIMEOUT": "20",
    })
    running.llm = llm
    return running


def ui_corpus_with(base: Path, articles: dict[str, str]) -> Settings:
    """Settings over a copy of the UI fixture corpus in `base` plus `articles` (file name -> text), not indexed."""
    corpus = base / "corpus"
    shutil.copytree(UI_CORPUS, corpus)
    for name, text in articles.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return Settings(corpus=corpus, store=base / "index")


@pytest.fixture(scope="module")
def ui_app(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[RunningApp]:
    """The extractive chat over an index of a copy of the UI fixture corpus (the rebuild test adds to it)."""
    base = tmp_path_factory.mktemp("ui-app")
    corpus = base / "corpus"
    shutil.copytree(UI_CORPUS, corpus)
    settings = Settings(corpus=corpus, store=base / "index")
    rebuild_index(settings, embedder)
    running = _launch(settings, {})
    yield running
    _stop(running)


@pytest.fixture(scope="module")
def llm_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The chat with an LLM (a scripted local server) configured, started before any index exists."""
    running = launch_with_llm(Settings(corpus=UI_CORPUS, store=tmp_path_factory.mktemp("llm-app") / "index"))
    yield running
    _stop(running)


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def open_chat(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#chat")
    page.wait_for_selector("#question textarea")


def ask(page: Any, question: str) -> Any:
    """Ask and wait for the complete answer; the last answer bubble."""
    before = page.locator("#chat .answer.done").count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function("([n]) => document.querySelectorAll('#chat .answer.done').length > n", arg=[before])
    return page.locator("#chat .answer").last


def select_outlet(page: Any, outlet: str) -> None:
    field = page.locator("#filter-outlets input")
    field.click()
    field.fill(outlet)
    page.get_by_role("option", name=outlet).click()
    page.locator("#app-title").click()  # close the list


def dialog_text(page: Any) -> dict[str, Any]:
    dialog = page.locator("dialog#passage-viewer[open]")
    dialog.wait_for()
    return page.evaluate(
        """() => { const d = document.querySelector('dialog#passage-viewer');
        const link = d.querySelector('.pv-link');
        return {title: d.querySelector('.pv-title').textContent, meta: d.querySelector('.pv-meta').textContent,
                body: d.querySelector('.pv-body').textContent, mark: d.querySelector('.pv-body mark').textContent,
                href: link.hidden ? null : link.getAttribute('href')}; }"""
    )


# ---------------------------------------------------------------- the extractive chat


def test_streamed_answer_marker_opens_highlighted_passage(ui_app: RunningApp, page: Any, embedder: Embedder) -> None:
    open_chat(page, ui_app.url)
    examples = page.locator("#chat button.example .example-text").all_inner_texts()
    engine = ChatEngine(ui_app.settings, embedder)
    expected = example_questions([s.chunk for s in engine.retriever.collection.iter_all()],
                                 answerable=answerable_by(engine))
    assert examples == [q.text for q in expected]
    shot(page, "01-empty-chat-with-examples")

    # Record every state the answer bubble goes through, to see it stream.
    page.evaluate(
        """() => { window.__states = [];
        new MutationObserver(() => {
          const bubbles = document.querySelectorAll('#chat .answer-text');
          const text = bubbles.length ? bubbles[bubbles.length - 1].textContent : '';
          if (text && window.__states[window.__states.length - 1] !== text) window.__states.push(text);
        }).observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true}); }"""
    )
    answer = ask(page, COST)
    final = answer.locator(".answer-text").inner_text()
    states = page.evaluate("window.__states")
    partial = [s for s in states if "[1]" in s and s != final]
    assert partial, f"the answer did not stream: {states}"
    assert final.startswith(partial[0].rstrip())
    assert REOPENS_SENTENCE in final
    # The short answer leads, bold and cited; the passage it comes from is one card, however many sentences use it.
    assert answer.locator(".short-answer").inner_text() == "82 million dollars [1]"
    assert final.startswith("82 million dollars [1]\n")
    cited = page.locator("#sources .source-card.cited")
    passages = cited.evaluate_all("cards => cards.map(c => c.dataset.title + '|' + c.dataset.where)")
    assert len(passages) == len(set(passages)) >= 1
    assert "searched all 5 outlets, Sep–Dec 2023 · extractive answer" in answer.locator(".answer-meta").inner_text()
    shot(page, "02-streamed-answer")

    answer.locator('a.cite[href="#psg-1-1"]').last.click()  # the marker of the sentence after the lead
    seen = dialog_text(page)
    assert seen["title"] == f"[1] {REOPENS}"
    assert seen["meta"] == "Bay Tribune · 4 Oct 2023"
    assert seen["mark"] == REOPENS_SENTENCE
    assert seen["href"] == REOPENS_URL
    assert "Mayor Dana Reyes cut the ribbon at dawn." in seen["body"]
    shot(page, "03-passage-highlighted")
    page.keyboard.press("Escape")
    page.locator("dialog#passage-viewer").wait_for(state="hidden")

    card = page.locator('#sources .source-card[data-psg="1-1"]')
    assert card.locator("mark").inner_text() == REOPENS_SENTENCE
    assert card.locator("a").get_attribute("href") == REOPENS_URL
    card.locator(".card-title").click()
    assert dialog_text(page)["mark"] == REOPENS_SENTENCE


def drawn_in(page: Any, selector: str) -> list[tuple[str, bool]]:
    """The fonts Chromium draws the first element matching `selector` with: (PostScript name, served by the page)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return [(f["postScriptName"], f["isCustomFont"]) for f in fonts]


def test_bold_text_is_drawn_in_one_font(ui_app: RunningApp, page: Any) -> None:
    # Gradio's SemiBold files hold a few glyphs: bold titles came out half in a system font ("ASX" with a thin "A").
    open_chat(page, ui_app.url)
    ask(page, COST)
    for selector in ("#chat .answer .short-answer", "#sources .source-card .card-title"):
        fonts = drawn_in(page, selector)
        assert len(fonts) == 1 and fonts[0][1], (selector, fonts)


def test_outlet_filter_is_respected_and_shown(ui_app: RunningApp, page: Any) -> None:
    open_chat(page, ui_app.url)
    select_outlet(page, "Metro Daily")
    page.wait_for_function(
        "document.querySelector('#scope-note').textContent.includes('searched 1 of 5 outlets (Metro Daily)')"
    )
    answer = ask(page, COST)
    assert "searched 1 of 5 outlets (Metro Daily), Sep–Dec 2023" in answer.locator(".answer-meta").inner_text()
    metas = page.locator("#sources .source-card").evaluate_all("cards => cards.map(c => c.dataset.meta)")
    assert metas and all(m.startswith("Metro Daily ·") for m in metas), metas
    assert "19 million dollars over budget" in answer.inner_text()
    shot(page, "04-outlet-filter")


def test_script_in_an_article_is_shown_as_text_and_never_runs(ui_app: RunningApp, page: Any) -> None:
    open_chat(page, ui_app.url)
    answer = ask(page, "What happened when an editor pasted a script snippet into the headline field?")
    assert "<script>window.__pwned = true;" in answer.inner_text()
    sources = page.locator("#sources")
    assert '<script>window.__pwned = true; document.title = "pwned";</script>' in sources.inner_text()
    assert '<img src=x onerror="window.__pwned = true">' in sources.inner_text()
    assert page.locator("#sources script, #sources img, #chat .answer img, #passage-store script").count() == 0
    page.locator("#sources .source-card", has_text="stray script tag").first.locator(".card-title").click()
    assert "<script>window.__pwned = true;" in dialog_text(page)["body"]
    assert page.evaluate("window.__pwned") is None
    assert page.title() == "News chat"
    shot(page, "05-script-shown-as-text")


def test_timeline_comparison_and_quotes_views(ui_app: RunningApp, page: Any) -> None:
    open_chat(page, ui_app.url)
    ask(page, COST)

    page.get_by_role("tab", name="Timeline").click()  # the topic's coverage (tests/test_browser_coverage.py)
    dots = page.locator("#timeline .tl-dot")
    dots.first.wait_for()
    assert page.locator("#timeline .tl-dot.cited").count() >= 1
    labels = page.locator("#timeline .tl-label").all_inner_texts()
    assert {"Coastal Courier", "Bay Tribune", "Metro Daily"} <= set(labels)
    shot(page, "06-coverage-timeline")
    page.locator('#timeline a.tl-dot[href="#psg-1-1"]').click()
    assert dialog_text(page)["title"] == f"[1] {REOPENS}"
    page.keyboard.press("Escape")

    page.get_by_role("tab", name="Compare").click()
    columns = page.locator("#compare .topic-col h5")
    columns.first.wait_for()
    assert {"Bay Tribune", "Metro Daily", "Coastal Courier"} <= set(columns.all_inner_texts())
    for statement in page.locator("#compare .topic-statement").all():
        assert statement.locator("a.cite").count() == 1  # each statement cited
    page.locator("#compare .topic-statement a.cite").first.click()
    assert dialog_text(page)["mark"] in page.locator("#compare .topic-statement").first.inner_text()
    page.keyboard.press("Escape")
    shot(page, "07-outlet-comparison")

    page.get_by_role("tab", name="Quotes").click()
    quotes = page.locator("#quotes .quote")
    quotes.first.wait_for()
    speakers = page.locator("#quotes .quote .who b").all_inner_texts()
    assert "Dana Reyes" in speakers and "Amir Haddad" in speakers
    reyes = page.locator("#quotes .quote", has_text="Dana Reyes")
    reyes.locator("a.cite").click()
    assert dialog_text(page)["mark"] == ("This bridge carries our city's economy, and today it is safer than the day "
                                         "it first opened,")
    page.keyboard.press("Escape")
    shot(page, "08-quotes")


def test_copy_answer(ui_app: RunningApp, page: Any) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=ui_app.url.rstrip("/"))
    open_chat(page, ui_app.url)
    answer = ask(page, COST)
    answer.locator("a.copy-answer").click()
    # The toast shows for 2.5 s; its message stays in the page after, so a slow, loaded machine still reads it.
    page.locator("#toast", has_text="Answer copied with its references").wait_for(state="attached")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"**82 million dollars** [1]\n\n{REOPENS_SENTENCE} [1]")
    assert "**References**" in copied
    assert f"[1] “{REOPENS_SENTENCE}” — *{REOPENS}*, Bay Tribune · 4 Oct 2023. <{REOPENS_URL}>" in copied
    shot(page, "09-copied")


def test_export_conversation_is_written_on_click(ui_app: RunningApp, page: Any) -> None:
    open_chat(page, ui_app.url)
    page.locator("#export").click()  # nothing asked yet: nothing to download
    page.get_by_text("Nothing to export yet: ask a question first.").wait_for()
    ask(page, COST)
    ask(page, "What did Amir Haddad say about the audit?")
    with page.expect_download() as download:
        page.locator("#export").click()
    assert download.value.suggested_filename.startswith("news-chat-conversation-")
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert markdown.startswith("# News chat: conversation")
    assert f"## 1. {COST}" in markdown and "## 2. What did Amir Haddad say about the audit?" in markdown
    assert f"<{REOPENS_URL}>" in markdown and "<https://metro-daily.example/2023/10/19/bridge-audit>" in markdown

    page.locator("#new-chat").click()
    page.locator("#chat button.example").first.wait_for()
    assert page.locator("#chat .answer").count() == 0
    page.wait_for_function("document.querySelectorAll('#passage-archive .store-turn').length == 0")  # forgotten
    assert "Ask a question: the passages behind the answer appear here" in page.locator("#sources").inner_text()


def test_example_question_and_follow_up(ui_app: RunningApp, page: Any) -> None:
    open_chat(page, ui_app.url)
    page.locator("#chat button.example").first.wait_for()
    example = page.locator("#chat button.example").first
    asked = example.inner_text().strip()
    example.click()
    page.wait_for_function("document.querySelectorAll('#chat .answer.done').length == 1")
    first = page.locator("#chat .answer").nth(0)  # not .last: that would be the follow-up's bubble once asked
    assert "not covered" not in first.locator(".answer-meta").inner_text(), asked
    assert first.locator("a.cite").count() >= 1

    follow = ask(page, "And what did the mayor say?")
    rewrite = follow.locator("details.rewrite")
    rewrite.locator("summary").click()
    assert "Searched for:" in rewrite.inner_text()
    shot(page, "10-example-and-follow-up")
    # Markers of the first answer still open their own passages: the server sent the follow-up's passages only,
    # and the page's archive (static/passage_archive.js) keeps both answers'.
    page.wait_for_function("document.querySelectorAll('#passage-archive .store-turn').length == 2")
    assert page.locator("#passage-store .store-turn").count() == 1
    first.locator("a.cite").first.click()
    assert dialog_text(page)["title"].startswith("[1] ")


def corpus_of(app: RunningApp) -> Path:
    """The corpus folder the running app indexes (its settings always name one here)."""
    assert app.settings.corpus is not None
    return app.settings.corpus


def test_rebuild_with_progress_picks_up_a_new_article(ui_app: RunningApp, page: Any) -> None:
    (corpus_of(ui_app) / "herald-lights.md").write_text(NEW_ARTICLE, encoding="utf-8")
    open_chat(page, ui_app.url)
    page.locator("#index-panel").get_by_text("Index", exact=True).click()
    status = page.locator("#index-status")
    assert "6 articles from 5 outlets" in status.inner_text()
    page.evaluate(
        """() => { window.__status = [];
        new MutationObserver(() => window.__status.push(document.querySelector('#index-status').textContent))
          .observe(document.querySelector('#index-status'), {subtree: true, childList: true, characterData: true});
        }"""
    )
    page.locator("#rebuild").click()
    page.wait_for_function("document.querySelector('#index-status').textContent.includes('Rebuilt')")
    seen = page.evaluate("window.__status")
    assert any("Rebuilding" in s for s in seen), seen
    text = status.inner_text()
    assert "7 articles from 6 outlets" in text and "(1 added, 0 updated, 0 removed, 6 unchanged)" in text
    shot(page, "11-rebuilt")
    page.locator("#filter-outlets input").click()
    assert page.get_by_role("option", name="Harbor Herald").count() == 1
    page.locator("#app-title").click()
    answer = ask(page, "When were the new LED lights on the bridge switched on?")
    assert "switched on for the first time on Sunday evening" in answer.inner_text()


def test_rebuild_that_would_remove_many_articles_asks_first(ui_app: RunningApp, page: Any) -> None:
    corpus = corpus_of(ui_app)
    moved = corpus.parent / "set-aside"
    moved.mkdir(exist_ok=True)
    for name in ("courier-closure.md", "courier-ferries.md"):  # 2 of the 7 articles: more than a fifth
        (corpus / name).rename(moved / name)
    open_chat(page, ui_app.url)
    page.locator("#index-panel").get_by_text("Index", exact=True).click()
    status = page.locator("#index-status")
    page.locator("#rebuild").click()
    confirm = page.locator("#rebuild-confirm")
    confirm.wait_for(state="visible")
    assert "Nothing was changed." in status.inner_text()
    assert f"{corpus} has 5 articles; the index has 7 from it: this rebuild would remove 2 of them" in (
        status.inner_text())
    assert confirm.inner_text() == "Remove 2 articles and rebuild"
    shot(page, "11b-rebuild-asks-before-removing")
    confirm.click()
    page.wait_for_function("document.querySelector('#index-status').textContent.includes('Rebuilt')")
    assert "(0 added, 0 updated, 2 removed, 5 unchanged)" in status.inner_text()
    confirm.wait_for(state="hidden")


# ---------------------------------------------------------------- no index yet, then generated answers


def test_no_index_yet_then_rebuild_from_the_page(llm_app: RunningApp, page: Any) -> None:
    open_chat(page, llm_app.url)
    assert "No index yet" in page.locator("#chat").inner_text()
    assert "No index yet" in page.locator("#index-status").inner_text()
    answer = ask(page, COST)
    assert "There is no index yet" in answer.inner_text() and "Rebuild index" in answer.inner_text()
    shot(page, "12-no-index-yet")
    page.locator("#rebuild").click()
    page.wait_for_function("document.querySelector('#index-status').textContent.includes('Rebuilt')")
    assert "6 articles from 5 outlets" in page.locator("#index-status").inner_text()
    assert "searched all 5 outlets, Sep–Dec 2023" in page.locator("#scope-note").inner_text()
    shot(page, "13-index-built")


def _ensure_index(running: RunningApp, page: Any, embedder: Embedder) -> None:
    from index.errors import NoIndexError
    from index.store import open_store

    try:
        open_store(Path(running.settings.store), None).require_active()
    except NoIndexError:
        rebuild_index(running.settings, embedder)
    open_chat(page, running.url)  # the page picks up an index built since it started


def _answer_with_a_wrong_number(request: dict[str, Any]) -> str:
    if "[1] " not in user_message(request):
        return COST  # a rewrite request, if any: the question stands alone
    n = passage_number(request, REOPENS)
    return (f"The Harbor Bridge reopened on Tuesday after a repair that cost 82 million dollars [{n}]. "
            f"The city paid 95 million dollars for the repair [{n}].")


def test_unsupported_sentence_is_struck_through_and_can_be_hidden(
    llm_app: RunningApp, page: Any, embedder: Embedder
) -> None:
    assert llm_app.llm is not None
    _ensure_index(llm_app, page, embedder)
    llm_app.llm.script(*[Reply(_answer_with_a_wrong_number)] * 3)
    answer = ask(page, COST)
    assert "generated answer, each sentence checked" in answer.locator(".answer-meta").inner_text()
    flagged = answer.locator(".unsupported-sentence")
    assert flagged.count() == 1
    assert flagged.locator("del").inner_text().startswith("The city paid 95 million dollars for the repair.")
    assert "not supported" in flagged.locator(".flag").inner_text()
    supported = answer.locator(".answer-text").inner_text().split("The city paid")[0]
    assert "The Harbor Bridge reopened on Tuesday after a repair that cost 82 million dollars. [1]" in supported
    shot(page, "14-unsupported-struck-through")
    page.locator("#hide-unsupported input").check()
    flagged.wait_for(state="hidden")
    assert answer.get_by_text("The Harbor Bridge reopened on Tuesday", exact=False).is_visible()
    shot(page, "15-unsupported-hidden")
    page.locator("#hide-unsupported input").uncheck()
    flagged.wait_for(state="visible")


def test_llm_failure_still_answers_extractively_with_a_note(
    llm_app: RunningApp, page: Any, embedder: Embedder
) -> None:
    assert llm_app.llm is not None
    _ensure_index(llm_app, page, embedder)
    llm_app.llm.script(*[Reply(status=500, error="the model server crashed")] * 3)
    answer = ask(page, COST)
    note = answer.locator(".note").first.inner_text()
    assert "Extractive answer" in note and "language model failed" in note
    assert "extractive answer: verbatim sentences" in answer.locator(".answer-meta").inner_text()
    assert answer.locator("a.cite").count() >= 1
    shot(page, "16-llm-failed-extractive")
