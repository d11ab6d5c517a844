"""The full-article reader, the question's own scope, the page on a phone-sized screen, and a filter's error shown
next to its field: Debian chromium driven by Playwright against app.py on 127.0.0.1.

Screenshots are saved under artifacts/screenshots/ (git-ignored), named reader-*.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from index.embedding import Embedder
from index.rebuild import rebuild_index
from tests.test_browser import SHOTS, RunningApp, _launch, _stop, ask, open_chat, ui_corpus_with

pytestmark = pytest.mark.browser

LIBRARY_TITLE = "Port Elling library marks its busiest year"
LIBRARY_FACT = "The Port Elling public library lent 412,000 books in 2023, the most in its history."
_FILLER = [
    "The reading rooms on Harbour Street reopened in March after the roof was replaced and the old skylights "
    "were restored by a team of local glaziers who had worked on the town hall a decade earlier.",
    "Volunteers from the Friends of the Library group ran weekend tours of the archive, which holds ship "
    "manifests, harbour maps and the diaries of lighthouse keepers going back more than a century.",
    "The children's wing added a story corner with cushions shaped like boats, and librarians said the "
    "Saturday sessions for toddlers were full within minutes every week of the autumn term.",
    "A new makerspace in the basement offers sewing machines, a laser cutter and soldering stations, booked "
    "mostly by students working on school projects and by retired engineers repairing radios.",
    "The council approved longer opening hours on Thursdays, when the building now stays open until nine in "
    "the evening so that people who commute to the city can still collect their reservations.",
    "Staff trained over the summer to help residents fill in online forms for pensions, parking permits and "
    "ferry passes, a service that regulars describe as the most useful change of all.",
    "The local history society held its monthly talks in the upstairs hall, covering shipbuilding, the great "
    "storm of 1953 and the families who ran the fish market on the quay.",
    "Wi-Fi was upgraded throughout the building, and the number of public computers grew from twelve to twenty, "
    "with two of them set up for people with impaired sight.",
    "An exhibition of photographs from the bridge construction in the 1960s drew visitors from across the "
    "region, and the prints will travel to the maritime museum next spring.",
    "The café by the entrance is now run by a social enterprise that trains young people for jobs in catering, "
    "and it serves soup made with vegetables from the community garden.",
    "Book clubs met in six languages during the year, reflecting the families who have moved to Port Elling to "
    "work at the container terminal and the hospital.",
    "Librarians also started lending tools, board games and telescopes, which head librarian Ines Varga called "
    "a way to share things most households use only a few times a year.",
    "Plans for the coming year include a reading garden on the former car park and a mobile library van that "
    "will visit the villages along the coast road twice a month.",
]
LIBRARY_BODY = "\n\n".join([*_FILLER, LIBRARY_FACT + " Loans of e-books rose by a third.", _FILLER[0].replace(
    "The reading rooms", "Next year the reading rooms")])
LIBRARY_ARTICLE = f"""---
title: {LIBRARY_TITLE}
source: Port Elling Gazette
published_at: 2024-01-12T08:00:00Z
url: https://port-elling-gazette.example/library-busiest-year
category: local
---
{LIBRARY_BODY}
"""
LIBRARY_QUESTION = "How many books did the Port Elling public library lend in 2023?"
NARROW = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def reader_app(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[RunningApp]:
    """The extractive chat over the UI fixture corpus plus one long article (several passages)."""
    settings = ui_corpus_with(tmp_path_factory.mktemp("reader-app"), {"library.md": LIBRARY_ARTICLE})
    report = rebuild_index(settings, embedder)
    assert report.chunks > report.articles  # the library article spans several passages
    running = _launch(settings, {})
    yield running
    _stop(running)


def _page(browser: Any, viewport: dict[str, int]) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(60_000)
    return context, page, errors


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context, page, errors = _page(browser, {"width": 1600, "height": 1000})
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context, page, errors = _page(browser, NARROW)
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def screen(page: Any, name: str) -> Path:
    """A screenshot of what the window shows now (the reader is fixed over the page, so not the full page)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def box(page: Any, selector: str) -> dict[str, float]:
    # Polled until the element is there: Gradio may render an HTML block again between two calls.
    found: dict[str, float] = page.wait_for_function(
        "(s) => { const e = document.querySelector(s); if (!e) return null; const r = e.getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width}; }", arg=selector,
    ).json_value()
    return found


# ---------------------------------------------------------------- the full-article reader


def test_a_marker_opens_the_whole_article_with_the_cited_span_in_view(reader_app: RunningApp, page: Any) -> None:
    open_chat(page, reader_app.url)
    answer = ask(page, LIBRARY_QUESTION)
    assert LIBRARY_FACT in answer.inner_text()
    marker = answer.locator("a.cite").last
    n = marker.get_attribute("href").rsplit("-", 1)[1]
    marker.click()
    dialog = page.locator("dialog#passage-viewer[open]")
    dialog.wait_for()
    assert dialog.locator(".pv-title").inner_text() == f"[{n}] {LIBRARY_TITLE}"
    dialog.locator(".pv-article", has_text="Read the whole article").click()

    reader = page.locator("#article-reader .reader")
    page.wait_for_function("document.body.classList.contains('reader-open')")
    assert page.locator("dialog#passage-viewer[open]").count() == 0
    assert reader.locator(".rd-title").inner_text() == LIBRARY_TITLE
    assert reader.locator(".rd-meta").inner_text() == "Port Elling Gazette · 12 Jan 2024 · original article ↗"
    assert reader.locator(".rd-meta a").get_attribute("href") == (
        "https://port-elling-gazette.example/library-busiest-year")
    body = reader.locator(".rd-body").inner_text()
    assert body.startswith(_FILLER[0]) and body.rstrip().endswith(LIBRARY_BODY[-60:])  # the whole article
    assert " ".join(body.split()) == " ".join(LIBRARY_BODY.split())
    marks = reader.locator("mark").all_inner_texts()
    assert "".join(marks).startswith(LIBRARY_FACT)  # the cited span, highlighted (cut where the focus starts)
    focus = reader.locator("#reader-focus")
    assert LIBRARY_FACT.startswith(focus.inner_text()) or focus.inner_text() in LIBRARY_FACT
    # Brought into view: the reader was scrolled down to it, and it lies within the reader's visible box.
    assert page.evaluate("document.querySelector('#article-reader').scrollTop") > 0
    shown, span = box(page, "#article-reader"), box(page, "#reader-focus")
    assert shown["top"] <= span["top"] and span["bottom"] <= shown["bottom"], (shown, span)
    assert "highlighted" in reader.locator(".rd-note").inner_text()
    screen(page, "reader-01-whole-article-cited-span-in-view")

    page.keyboard.press("Escape")
    page.wait_for_function("!document.body.classList.contains('reader-open')")
    assert not page.locator("#article-reader").is_visible()


def test_the_scope_the_question_names_is_shown_and_passages_outside_it_marked(
    reader_app: RunningApp, page: Any
) -> None:
    open_chat(page, reader_app.url)
    answer = ask(page, "How many books did the library lend in 2023, according to the Port Elling Gazette?")
    meta = answer.locator(".answer-meta").inner_text()
    assert "searched all 6 outlets, Sep 2023–Jan 2024; from your question: Port Elling Gazette" in meta, meta
    cards = page.locator("#sources .source-card")
    outlets = cards.evaluate_all("cards => cards.map(c => c.dataset.meta.split(' · ')[0])")
    flagged = cards.evaluate_all("cards => cards.map(c => !!c.querySelector('.outside-scope'))")
    assert flagged == [o != "Port Elling Gazette" for o in outlets] and any(flagged) and not all(flagged)
    note = page.locator("#sources .outside-scope").first.inner_text()
    assert note == "⚠ outside your question's scope (Port Elling Gazette): another outlet"
    page.evaluate("window.scrollTo(0, 0)")
    screen(page, "reader-02-question-scope")


# ---------------------------------------------------------------- narrow screens and filter errors


def test_on_a_phone_the_filters_are_folded_and_the_chat_is_on_the_first_screen(
    reader_app: RunningApp, phone: Any
) -> None:
    open_chat(phone, reader_app.url)
    phone.wait_for_function("!document.querySelector('#filters-panel button.label-wrap').classList.contains('open')")
    assert not phone.locator("#filter-from").is_visible()
    question = box(phone, "#question textarea")
    assert box(phone, "#chat")["top"] < NARROW["height"] and question["bottom"] <= NARROW["height"], question
    assert phone.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    screen(phone, "reader-03-phone-filters-folded")

    phone.locator("#filters-panel button.label-wrap").click()
    phone.locator("#filter-from").wait_for()
    for field in ("#filter-from", "#filter-to"):
        edge = box(phone, field)
        assert edge["left"] >= 0 and edge["right"] <= NARROW["width"], (field, edge)
    assert phone.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    phone.locator("#filters-panel").screenshot(path=str(SHOTS / "reader-04-phone-filters-open.png"))


def _window_of_newest_turn(page: Any) -> dict[str, float]:
    """Where the newest question and its answer sit in the chat's scrolling window (px from its top)."""
    found: dict[str, float] = page.evaluate(
        "() => { const q = [...document.querySelectorAll('#chat .message-row.user-row')].pop();"
        " const a = [...document.querySelectorAll('#chat .answer.done')].pop();"
        " const f = q.closest('.bubble-wrap'); const top = f.getBoundingClientRect().top;"
        " return {question: q.getBoundingClientRect().top - top, answer: a.getBoundingClientRect().top - top,"
        " answer_height: a.getBoundingClientRect().height, window: f.clientHeight,"
        " below: f.scrollHeight - f.scrollTop - f.clientHeight}; }")
    return found


def test_on_a_phone_each_answer_is_shown_from_its_start_below_its_question(
    reader_app: RunningApp, phone: Any
) -> None:
    open_chat(phone, reader_app.url)
    ask(phone, LIBRARY_QUESTION)  # a short answer: the window ends below it
    short = _window_of_newest_turn(phone)
    assert short["below"] == 0 and short["question"] < short["answer"] < short["window"], short
    ask(phone, "What did the library do in 2023?")
    phone.wait_for_timeout(300)  # anything still scrolling has stopped
    long = _window_of_newest_turn(phone)
    # The answer runs past the window's end, yet the window shows the question at its top, under the chat's
    # label (36 px), and the answer's start right below it: the reader starts at the short answer, not its end.
    assert long["answer"] + long["answer_height"] > long["window"] and long["below"] > 0, long
    assert 0 <= long["question"] <= 40 and long["question"] < long["answer"] < long["window"] / 3, long
    screen(phone, "reader-04b-phone-answer-from-its-start")


def _set_date(page: Any, field: str, day: str) -> None:
    date_box = page.locator(f"{field} input").first
    date_box.fill(day)
    date_box.press("Enter")


def test_a_from_date_after_the_to_date_is_said_next_to_the_dates(reader_app: RunningApp, page: Any) -> None:
    open_chat(page, reader_app.url)
    _set_date(page, "#filter-from", "2023-12-01")
    _set_date(page, "#filter-to", "2023-11-01")
    error = page.locator("#scope-note .field-error")
    error.wait_for()
    assert error.inner_text() == (
        "⚠️ The “from” date 2023-12-01 is after the “to” date 2023-11-01: swap them or clear one.")
    dates, note = box(page, "#filter-dates"), box(page, "#scope-note .field-error")
    assert 0 <= note["top"] - dates["bottom"] <= 40, (dates, note)  # right under the two date fields
    assert error.evaluate("e => getComputedStyle(e).color") == "rgb(185, 28, 28)"

    bubbles = page.locator("#chat .answer").count()
    field = page.locator("#question textarea")
    field.fill(LIBRARY_QUESTION)
    field.press("Enter")
    page.wait_for_timeout(1500)
    assert page.locator(".toast-body").count() == 0  # no error toast,
    assert page.get_by_text("Error", exact=True).count() == 0  # and no "Error" badge over the chat or the box
    assert page.locator("#chat .answer").count() == bubbles and field.input_value() == LIBRARY_QUESTION
    assert error.is_visible()
    screen(page, "reader-05-date-order-error-next-to-the-field")
