"""The Gradio page: the layout (layout.py) wired to the event handlers (handlers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, Literal

import gradio as gr

from bot.web import coverage, handlers, history_ui
from bot.web.chat_app import ChatApp
from bot.web.field_checks import check_filters
from bot.web.labels import TITLE
from bot.web.layout import Page, create_ui
from bot.web.library_events import wire_library
from bot.web.reader import attach_reader
from bot.web.state import Turn

PRIVATE: Literal["private"] = "private"
HIDE_UNSUPPORTED_JS = "(hide) => { document.body.classList.toggle('hide-unsupported', hide); return []; }"
# The export is written when Export is clicked; the hidden download button then hands it to the browser.
DOWNLOAD_EXPORT_JS = "() => { document.querySelector('#export-file')?.click(); return []; }"
# Questions handled at once: each waits in app.slots (and says so) until one of the few answer slots is free.
# Beyond this many, Gradio's own queue holds them; each waiting question keeps a thread of Gradio's 40.
RESPOND_LIMIT = 24
CACHE_CHECK_S = 3600
CACHE_AGE_S = 3600


def page_theme() -> gr.themes.Base:
    """Gradio's default theme with whole bold fonts.

    The SemiBold files Gradio ships for its default fonts hold a few glyphs (5 KB, where Regular and Bold are
    100 KB), so bold text (headings, source titles, the bold short answer) was drawn half in DejaVu Sans Bold, half
    in Source Sans ("ASX" with a thin "A"); the Bold files are complete, and 600-weight text takes them.
    """
    return gr.themes.Default(
        font=(gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif", "system-ui", "sans-serif"),
        font_mono=(gr.themes.LocalFont("IBM Plex Mono", weights=(400, 700)), "ui-monospace", "Consolas", "monospace"),
    )


def build_page(app: ChatApp) -> gr.Blocks:
    """The chat page over the app's engine (or over no index yet: the page then offers to build one)."""
    # Gradio's temp files (the exports it serves) are removed hourly once an hour old.
    with gr.Blocks(title=TITLE, delete_cache=(CACHE_CHECK_S, CACHE_AGE_S)) as demo:
        ui = create_ui(app, handlers.describe_filters(app, [], [], None, None))
        create_event_handlers(app, ui, demo)
        wire_library(app, ui)
        attach_reader(app, ui)
    return demo


def create_event_handlers(app: ChatApp, ui: Page, demo: gr.Blocks) -> None:
    """Connect every event of the page to its handler; `app` and `ui` are bound to each handler here."""
    asked = [ui.box, ui.chatbot, ui.turns, *ui.filters]
    answered = [ui.box, ui.chatbot, ui.turns, ui.sources, ui.timeline, ui.compare, ui.quotes]
    # The question is the one API endpoint (api_description=False: the docs would show functools.partial's
    # docstring); the page's other events are private to it. Both ways of asking share one concurrency limit.
    finished = partial(handlers.after_answer, app, ui)  # the store; the topic tabs searched only while one is open
    after = [ui.store, ui.timeline, ui.compare]
    submitted = ui.box.submit(partial(handlers.respond, app, ui), asked, answered, api_name="respond",
                              api_description=False, concurrency_limit=RESPOND_LIMIT, concurrency_id="respond",
                              validator=check_filters)
    # undocumented, not private: the serving benchmark's scripted client follows each answer with it, as a page does
    submitted.success(finished, [ui.turns, ui.open_view], after, api_name="after_answer",
                      api_visibility="undocumented")

    # Gradio hands the clicked example over by the gr.SelectData type hint, which a partial would hide.
    def respond_example(
        selection: gr.SelectData, history: list[dict[str, Any]], turns: list[Turn], *filters: Any
    ) -> Iterator[handlers.Updates]:
        yield from handlers.respond(app, ui, handlers.example_text(selection), history, turns, *filters)

    picked = ui.chatbot.example_select(respond_example, asked[1:], answered, api_name="respond_example",
                                       api_visibility=PRIVATE, concurrency_limit=RESPOND_LIMIT,
                                       concurrency_id="respond")
    picked.success(finished, [ui.turns, ui.open_view], after, api_name="after_example",
                   api_visibility=PRIVATE)
    history_ui.connect(app, ui, demo, [submitted, picked])  # saves after each answer, lists, reopens, deletes
    ui.timeline_tab.select(partial(coverage.open_view, app, ui, coverage.TIMELINE), ui.turns,
                           [ui.open_view, ui.timeline], api_name="open_timeline", api_visibility=PRIVATE)
    ui.compare_tab.select(partial(coverage.open_view, app, ui, coverage.COMPARE), ui.turns,
                          [ui.open_view, ui.compare], api_name="open_compare", api_visibility=PRIVATE)
    for tab in ui.other_tabs:
        tab.select(partial(coverage.close_views, ui), None, ui.open_view, api_name="close_topic",
                   api_visibility=PRIVATE, queue=False)
    ui.export.click(partial(handlers.export_conversation, app, ui), ui.turns, ui.export_file, api_name="export",
                    api_visibility=PRIVATE).success(None, None, None, js=DOWNLOAD_EXPORT_JS)
    for component in ui.filters:
        component.change(partial(handlers.describe_filters, app), ui.filters, ui.scope_note,
                         api_name="describe_filters", api_visibility=PRIVATE, queue=False)
    ui.clear_filters.click(partial(handlers.clear_filters, ui), None, ui.filters, api_name="clear_filters",
                           api_visibility=PRIVATE, queue=False)
    reset = [*answered[1:], ui.store, ui.export_file]
    # callable by clients (undocumented): it only resets the caller's own session, and a scripted client (the
    # serving benchmark) starts a new chat at the turn limit as the page tells a user to.
    ui.new_chat.click(partial(handlers.new_chat, ui), None, reset, api_name="new_chat",
                      api_visibility="undocumented")
    ui.chatbot.clear(partial(handlers.new_chat, ui), None, reset, api_name="new_chat", api_visibility=PRIVATE)
    ui.hide_unsupported.change(None, ui.hide_unsupported, None, js=HIDE_UNSUPPORTED_JS)
    index_views = [ui.status, ui.outlets, ui.categories, ui.chatbot, ui.scope_note, ui.confirm]
    ui.rebuild.click(partial(handlers.rebuild, app, ui), [ui.full, *ui.filters], index_views, api_name="rebuild",
                     api_visibility=PRIVATE, concurrency_limit=1)
    ui.confirm.click(partial(handlers.rebuild, app, ui, allow_removals=True), [ui.full, *ui.filters], index_views,
                     api_name="rebuild_removing", api_visibility=PRIVATE, concurrency_limit=1)
    demo.load(partial(handlers.refresh_page, app, ui), None, index_views, api_name="refresh_page",
              api_visibility=PRIVATE)
