"""The Library tab in a real browser: upload two articles and ask about them, remove one and see it gone from
the list and from answers. app.py runs over an index of a temporary copy of the UI fixture corpus.

Screenshots are saved under artifacts/screenshots/ (git-ignored), as tests/test_browser.py saves its own.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from index.embedding import Embedder
from index.rebuild import rebuild_index
from index.settings import Settings
from tests.conftest import ROOT, free_port, start_server, stop_process
from tests.test_browser import UI_CORPUS, ask, dialog_text, open_chat, shot

pytestmark = pytest.mark.browser

MUSEUM_TITLE = "Port Elling opens a glass museum"
MUSEUM = f"""---
title: {MUSEUM_TITLE}
source: Harbor Herald
published_at: 2023-12-05T10:00:00Z
url: https://harbor-herald.example/glass-museum
---
The Port Elling Glass Museum opened on Friday with 1,200 pieces of blown glass donated by the Varga family.
Entry is free until the end of January, the museum's director Ilona Varga said.
"""
MUSEUM_SENTENCE = "The Port Elling Glass Museum opened on Friday with 1,200 pieces of blown glass"
MUSEUM_QUESTION = "How many pieces of blown glass does the Port Elling Glass Museum show?"
TRAM_TITLE = "Night tram line 9 starts running"
TRAM = {
    "title": TRAM_TITLE, "source": "Metro Daily", "published_at": "2023-12-06T06:00:00Z",
    "url": "https://metro-daily.example/night-tram-9",
    "body": "Night tram line 9 began service on Saturday, running every 20 minutes between the central station "
            "and the university from midnight to 5 am. The city expects 3,000 riders a night.",
}
TRAM_SENTENCE = "running every 20 minutes between the central station and the university"


@pytest.fixture(scope="module")
def library_app(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[tuple[str, Path]]:
    """app.py on 127.0.0.1 over an index of a copy of the UI fixture corpus; its URL and corpus folder."""
    base = tmp_path_factory.mktemp("library-app")
    corpus = base / "corpus"
    shutil.copytree(UI_CORPUS, corpus)
    settings = Settings(corpus=corpus, store=base / "index")
    rebuild_index(settings, embedder)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env.update({"BOT_STORE": str(settings.store), "BOT_CORPUS": str(corpus), "BOT_PORT": str(port)})
    proc = start_server([sys.executable, str(ROOT / "app.py"), "--no-build"], port, base / "app.log", env)
    yield f"http://127.0.0.1:{port}/", corpus
    stop_process(proc)


def open_library(page: Any) -> None:
    page.get_by_role("tab", name="Library").click()
    page.wait_for_selector("#library-list table")


def listed_titles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#library-list td.title").all_inner_texts()]


def wait_for_status(page: Any, text: str) -> str:
    page.wait_for_function("(t) => document.querySelector('#library-status').textContent.includes(t)", arg=text)
    return str(page.locator("#library-status").inner_text())


def test_upload_two_articles_ask_then_remove_one(
    library_app: tuple[str, Path], page: Any, tmp_path: Path
) -> None:
    url, corpus = library_app
    open_chat(page, url)
    open_library(page)
    assert len(listed_titles(page)) == 6
    page.locator("#library-search textarea, #library-search input").first.fill("courier")
    page.wait_for_function("document.querySelectorAll('#library-list td.title').length === 2")
    assert [o.strip() for o in page.locator("#library-list td.outlet").all_inner_texts()] == ["Coastal Courier"] * 2
    page.locator("#library-search textarea, #library-search input").first.fill("")
    page.wait_for_function("document.querySelectorAll('#library-list td.title').length === 6")
    shot(page, "library-01-list")

    # upload two articles (Markdown and JSON) and one file of a format the reader does not take
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "glass-museum.md").write_text(MUSEUM, encoding="utf-8")
    (uploads / "night-tram.json").write_text(json.dumps(TRAM), encoding="utf-8")
    (uploads / "scan.pdf").write_bytes(b"%PDF-1.4 not an article")
    page.locator("#library-upload input[type=file]").set_input_files(
        [str(uploads / n) for n in ("glass-museum.md", "night-tram.json", "scan.pdf")])
    page.locator("#library-upload td.filename[aria-label='scan.pdf']").wait_for(state="attached")
    page.locator("#library-add").click()
    status = wait_for_status(page, "(2 added, 0 updated, 0 removed, 6 unchanged)")
    assert "Saved glass-museum.md (1 article), night-tram.json (1 article) into the corpus folder." in status
    assert ("not added: scan.pdf: unsupported file type '.pdf' — save the article as one of .htm, .html, .json, "
            ".jsonl, .markdown, .md, .ndjson, .text, .txt and upload it again") in status
    assert "(2 added, 0 updated, 0 removed, 6 unchanged)" in status
    assert "8 articles in the index." in status
    assert sorted(p.name for p in corpus.iterdir()) == [
        "courier-closure.md", "courier-ferries.md", "glass-museum.md", "metro-audit.json", "night-tram.json",
        "sports.jsonl", "techbeat-script.md", "tribune-reopening.md"]
    titles = listed_titles(page)
    assert titles[:2] == [TRAM_TITLE, MUSEUM_TITLE] and len(titles) == 8
    shot(page, "library-02-uploaded")

    # both are answered from, and cited
    for question, sentence, title in ((MUSEUM_QUESTION, MUSEUM_SENTENCE, MUSEUM_TITLE),
                                      ("How often does night tram line 9 run?", TRAM_SENTENCE, TRAM_TITLE)):
        answer = ask(page, question)
        assert sentence in answer.inner_text()
        answer.locator("a.cite").first.click()
        assert title in dialog_text(page)["title"]
        page.keyboard.press("Escape")
    shot(page, "library-03-answers-cite-uploads")

    # remove the museum article: asked first, then its file is moved to .removed/ and the index rebuilt
    pick = page.locator("#library-pick input")
    pick.click()
    pick.fill("glass museum")
    page.get_by_role("option", name=f"{MUSEUM_TITLE} (Harbor Herald, 2023-12-05)").click()
    page.locator("#library-remove").click()
    note = page.locator("#library-confirm-note")
    note.wait_for(state="visible")
    assert (f"Remove {MUSEUM_TITLE} (Harbor Herald, 2023-12-05) from the index? glass-museum.md is moved to the "
            "corpus folder's .removed/ folder (nothing is deleted)") in note.inner_text()
    shot(page, "library-04-confirm-removal")
    page.locator("#library-confirm").click()
    status = wait_for_status(page, "(0 added, 0 updated, 1 removed, 7 unchanged)")
    assert (f"Removed {MUSEUM_TITLE}: moved it; glass-museum.md as it was is kept at .removed/glass-museum.md."
            in status)
    assert "(0 added, 0 updated, 1 removed, 7 unchanged)" in status
    assert (corpus / ".removed" / "glass-museum.md").read_text(encoding="utf-8") == MUSEUM
    assert not (corpus / "glass-museum.md").exists()
    assert MUSEUM_TITLE not in listed_titles(page) and len(listed_titles(page)) == 7
    page.locator("#library-confirm").wait_for(state="hidden")
    shot(page, "library-05-removed")

    # a new chat: the removed article is never used again
    open_chat(page, url)
    answer = ask(page, MUSEUM_QUESTION)
    assert "Glass Museum" not in answer.inner_text()
    assert MUSEUM_TITLE not in page.locator("#passage-store").inner_html()
    assert TRAM_SENTENCE in ask(page, "How often does night tram line 9 run?").inner_text()
    shot(page, "library-06-removed-gone-from-answers")
