"""What happens on the page: each event handler takes the app, the page and the event's inputs, and returns (or,
streaming, yields) `{component: new value}`; components left out keep their value.

page.py binds `app` and `ui` to them; tests call them directly.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import gradio as gr
from gradio.components import Component

from bot.errors import BotError
from bot.retrieval.filters import Filters
from bot.types import Answer
from bot.views.evidence import Evidence, gather_evidence
from bot.views.quotes import quotes_in
from bot.views.scope import describe_scope, mark_outside
from bot.web import coverage, render
from bot.web.chat_app import ChatApp
from bot.web.export import conversation_markdown
from bot.web.filters import build_filters, field_error, not_covered_hint
from bot.web.guards import request_problem
from bot.web.layout import Page
from bot.web.state import Turn, finished_turn, history_pairs, next_number
from index.errors import IndexLayerError, RemovalRefusedError
from index.text import counted

if TYPE_CHECKING:
    from index.rebuild import RebuildReport  # imported when a rebuild runs: the chat starts without the loaders

Updates = dict[Component, Any]

NO_INDEX_TEXT = (
    "There is no index yet, so there is nothing to search. Open Index on the left and click Rebuild index to "
    "index the articles in {corpus}, or run python -m index rebuild --corpus {corpus} --store {store} and reload "
    "this page."
)
WAIT_POLL_S = 0.5  # how often a waiting question checks for a free answer slot (and updates its place in line)
# The least time between two updates of a waiting question's place in line: each sends the whole conversation, and
# with ten users on two answer workers every finished answer moved eight places (main process and clients: 5.95 →
# 6.10 questions/s without them).
PLACE_GAP_S = 1.0
# The least time between two streamed updates of one answer: each update sends the conversation and the views to
# the page, and an extractive answer's sentences come within milliseconds of each other (six updates in 150 ms
# cost the server more than the answer when ten people ask at once); five a second still reads as live.
STREAM_GAP_S = 0.2
REBUILD_STAGES = {
    "reading": "reading articles",
    "chunking": "splitting into passages",
    "embedding": "embedding passages",
    "writing": "writing the index",
    "lexical": "building the keyword index",
    "switching": "switching to the new index",
    "cleanup": "removing old index versions",
}


# ---------------------------------------------------------------- asking


def respond(
    app: ChatApp,
    ui: Page,
    message: str,
    history: list[dict[str, Any]],
    turns: list[Turn],
    outlets: list[str] | None,
    categories: list[str] | None,
    date_from: str | None,
    date_to: str | None,
) -> Generator[Updates, None, None]:
    """Answer a question: show it at once, wait for a free answer slot saying how many questions are ahead, then
    stream the bubble and its sources, and fill the evidence views and the passage store."""
    question = (message or "").strip()
    if not question:
        gr.Warning("Type a question first, or pick one of the examples.")
        return
    history = list(history or [])
    turns = list(turns or [])
    problem = request_problem(question, history, turns)
    if problem is not None:
        raise gr.Error(problem)  # before any work; the question stays in the box
    filters = build_filters(outlets, categories, date_from, date_to)  # gr.Error keeps the question in the box
    number = next_number(turns)
    history.append(render.user_bubble(question))
    history.append({"role": "assistant", "content": render.format_answer(Answer(question=question), number)})
    # Every yield names every output: Gradio fills an output left out with an update, which replaces the component
    # in the session's config and keeps its last value under the new component's id for the session's life.
    conversation: Updates = {ui.box: "", ui.chatbot: history, ui.turns: turns,
                             **_views(ui, render.WORKING, render.WORKING, render.WORKING, render.WORKING)}
    yield conversation
    if app.engine is None:
        app.load()  # the index may have been built since (`python -m index rebuild`)
    if app.engine is None or app.profile is None:
        text = NO_INDEX_TEXT.format(corpus=app.corpus(), store=app.settings.store)
        history[-1] = {"role": "assistant", "content": render.format_error(text)}
        yield conversation | _empty_views(ui)
        return
    ticket = app.slots.join()
    try:  # the ticket is given back however the generator ends: answered, failed, or closed by Gradio
        shown, shown_at = 0, 0.0
        while ahead := app.slots.wait(ticket, WAIT_POLL_S):
            if ahead != shown and time.monotonic() - shown_at >= PLACE_GAP_S:
                shown, shown_at = ahead, time.monotonic()
                history[-1] = {"role": "assistant", "content": render.format_waiting(ahead)}
                yield conversation
        yield from _answer(app, ui, question, number, conversation, filters)
    finally:
        app.slots.leave(ticket)


def _answer(
    app: ChatApp, ui: Page, question: str, number: int, conversation: Updates, filters: Filters
) -> Iterator[Updates]:
    """Stream the answer into the last bubble of the conversation, then record the turn and fill the views."""
    assert app.engine is not None and app.profile is not None
    history, turns = conversation[ui.chatbot], conversation[ui.turns]
    plan = app.engine.retriever.plan(question)  # the outlets and dates the question itself names
    scope = describe_scope(filters, app.profile, plan)
    answer: Answer | None = None
    sent = 0.0
    try:
        for answer in app.stream_answer(question, history_pairs(turns), filters):
            if answer.done:
                break
            if time.monotonic() - sent < STREAM_GAP_S:
                continue  # a later update shows this one's text too
            sent = time.monotonic()
            history[-1] = {"role": "assistant", "content": render.format_answer(answer, number, scope)}
            yield conversation | {ui.sources: render.format_sources(number, answer)}
    except (IndexLayerError, BotError) as exc:
        history[-1] = {"role": "assistant", "content": render.format_error(str(exc))}
        yield conversation | _empty_views(ui)
        return
    if answer is None:
        return
    hint = "" if answer.covered or not answer.done else not_covered_hint(filters)
    history[-1] = {"role": "assistant", "content": render.format_answer(answer, number, scope, hint)}
    evidence = mark_outside(gather_evidence(answer), plan)
    turns.append(finished_turn(number, question, answer, scope, evidence, filters))
    yield conversation | _finished(ui, turns, answer, evidence)


def example_text(selection: gr.SelectData) -> str:
    """The question of the example the user clicked."""
    value = selection.value
    return value.get("text", "") if isinstance(value, dict) else str(value)


def export_conversation(app: ChatApp, ui: Page, turns: list[Turn] | None) -> Updates:
    """On click of Export: the conversation as a Markdown file, written now into the bounded export folder."""
    if not turns:
        gr.Warning("Nothing to export yet: ask a question first.")
        return {}
    return {ui.export_file: str(app.exports.write(conversation_markdown(turns, app.profile)))}


def _views(ui: Page, sources: str, timeline: str, compare: str, quotes: str) -> Updates:
    return {ui.sources: sources, ui.timeline: timeline, ui.compare: compare, ui.quotes: quotes}


def _empty_views(ui: Page) -> Updates:
    return _views(ui, render.EMPTY_SOURCES, render.EMPTY_TIMELINE, render.EMPTY_COMPARE, render.EMPTY_QUOTES)


def _finished(ui: Page, turns: list[Turn], answer: Answer, evidence: list[Evidence]) -> Updates:
    """The sources and quotes of the last answer's evidence (the passage store and the topic tabs follow in
    `after_answer`)."""
    number = turns[-1].number
    return {
        ui.sources: render.format_sources(number, answer, evidence),
        ui.quotes: render.format_quotes(number, quotes_in(evidence) if answer.covered else []),
    }


def after_answer(app: ChatApp, ui: Page, turns: list[Turn] | None, which: str | None) -> Updates:
    """Chained after an answer: the answer's passages for the page's passage archive (so its markers open, and
    those of earlier answers, which the archive keeps) and the open topic tab."""
    last = (turns or [])[-1:]
    chunks = app.passages([p.chunk_id for t in last for p in t.passages])
    return {ui.store: render.format_store(last, chunks, append=True)} | coverage.refresh_views(app, ui, turns, which)


# ---------------------------------------------------------------- filters, new chat, page load


def describe_filters(
    app: ChatApp, outlets: list[str] | None, categories: list[str] | None, date_from: str | None, date_to: str | None
) -> str:
    """What the next question will search, under the filters ("searched 2 of 5 outlets, Oct 2023")."""
    if app.profile is None:
        return "No index yet."
    try:
        filters = build_filters(outlets, categories, date_from, date_to)
    except gr.Error as exc:
        return field_error(exc.message)
    return "Next question: " + describe_scope(filters, app.profile) + "."


def clear_filters(ui: Page) -> Updates:
    """Empty every filter."""
    return {ui.outlets: [], ui.categories: [], ui.date_from: None, ui.date_to: None}


def new_chat(ui: Page) -> Updates:
    """Forget the conversation: empty chat, views, passage store and the last export."""
    return {ui.chatbot: [], ui.turns: [], **_empty_views(ui), ui.store: render.format_store([], {}),
            ui.export_file: None}


def refresh_page(app: ChatApp, ui: Page) -> Updates:
    """On page load: pick up an index built since start, show its status, outlets, categories and examples."""
    if app.engine is None:
        app.load()
    return _index_loaded(app, ui, app.status_markdown(), describe_filters(app, [], [], None, None))


def _index_loaded(app: ChatApp, ui: Page, status: str, scope_note: str) -> Updates:
    return {
        ui.status: status,
        ui.outlets: gr.update(choices=app.outlet_choices()),
        ui.categories: gr.update(choices=app.category_choices()),
        ui.chatbot: gr.update(examples=app.example_messages() or None, placeholder=app.placeholder()),
        ui.scope_note: scope_note,
        ui.confirm: gr.update(visible=False),
    }


# ---------------------------------------------------------------- rebuilding the index


def rebuild(
    app: ChatApp,
    ui: Page,
    full: bool,
    *filters: Any,
    progress: gr.Progress = gr.Progress(),  # noqa: B008
    allow_removals: bool = False,
) -> Iterator[Updates]:
    """Rebuild the index from its corpus, showing progress, then reload what the page shows of it.

    A rebuild that would remove more than a fifth of the indexed articles stops before writing anything and
    shows why, with a button that runs it again with `allow_removals`.
    """
    if not app.rebuild_allowed:
        raise gr.Error("Rebuilding from the page is only offered when the chat runs on 127.0.0.1; "
                       "run `python -m index rebuild` on the server instead.")
    if not app.rebuild_lock.acquire(blocking=False):
        raise gr.Error("A rebuild is already running: wait for it to finish.")
    try:
        job = RebuildJob(app, full, allow_removals)
        yield {ui.status: f"Rebuilding the index from `{app.corpus()}`…", ui.confirm: gr.update(visible=False)}
        for step in job.follow(progress):
            yield {ui.status: f"Rebuilding: {step}…"}
        if isinstance(job.error, RemovalRefusedError):
            yield _confirm_removals(app, ui, job.error)
            return
        report = job.result()
        app.load()
    finally:
        app.rebuild_lock.release()
    status = app.status_markdown() + "\n\n" + rebuild_summary(report)
    yield _index_loaded(app, ui, status, describe_filters(app, *filters))


def _confirm_removals(app: ChatApp, ui: Page, refused: RemovalRefusedError) -> Updates:
    """The index is unchanged: say why the rebuild stopped and offer the button that removes the articles."""
    text = (f"⚠️ **Nothing was changed.** {refused.reason}. If those articles should go, click **Remove "
            f"{refused.removed} articles and rebuild**; otherwise restart the chat with `--corpus` set to the folder "
            "the index was built from.")
    return {ui.status: app.status_markdown() + "\n\n" + text,
            ui.confirm: gr.update(visible=True, value=f"Remove {refused.removed} articles and rebuild")}


class RebuildJob:
    """The rebuild, run in a thread beside the handler, which turns its progress events into page updates."""

    def __init__(self, app: ChatApp, full: bool, allow_removals: bool = False) -> None:
        self.app = app
        self.full = full
        self.allow_removals = allow_removals
        self.events: queue.Queue[tuple[str, int, int] | None] = queue.Queue()  # None: finished
        self.report: RebuildReport | None = None
        self.error: IndexLayerError | None = None
        self.worker = threading.Thread(target=self._work, name="rebuild", daemon=True)
        self.worker.start()

    def _work(self) -> None:
        from index.rebuild import rebuild_index

        try:
            self.report = rebuild_index(
                self.app.settings, self.app.embedder, full=self.full, allow_removals=self.allow_removals,
                progress=lambda *event: self.events.put(event),
            )
        except IndexLayerError as exc:
            self.error = exc
        finally:
            self.events.put(None)

    def follow(self, progress: gr.Progress) -> Iterator[str]:
        """Until the rebuild ends: each stage's progress on the bar, and "embedding 120/5703" to show at most
        four times a second."""
        shown = 0.0
        while (event := self.events.get()) is not None:
            stage, done, total = event
            label = REBUILD_STAGES.get(stage, stage)
            progress((done, total) if total else None, desc=f"{label}…", unit="items")
            if time.monotonic() - shown > 0.25:
                shown = time.monotonic()
                yield f"{label} {done}/{total}" if total else label

    def result(self) -> RebuildReport:
        """The report once the thread is done; a failure as a gr.Error the page shows."""
        self.worker.join()
        if self.error is not None:
            raise gr.Error(str(self.error))
        if self.report is None:
            raise RuntimeError("the rebuild stopped without a report: its error is in the server's log")
        return self.report


def rebuild_summary(report: RebuildReport) -> str:
    """One paragraph on what a rebuild did (Markdown)."""
    lines = [f"✓ Rebuilt in {report.seconds:.1f} s: {counted(report.articles, 'article')}, "
             f"{counted(report.chunks, 'passage')}"]
    if report.changed:
        lines.append(f"({report.added} added, {report.updated} updated, {report.removed} removed, "
                     f"{report.unchanged} unchanged).")
    else:
        lines.append("(nothing had changed).")
    if report.skipped:
        lines.append(f"\n\n{counted(len(report.skipped), 'file')} skipped: " + "; ".join(
            f"`{s.origin}`: {s.reason}" for s in report.skipped[:5]))
    return " ".join(lines)
