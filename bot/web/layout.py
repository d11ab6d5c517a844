"""What is on the page: filters and index panel (left), the chat (middle), the evidence views (right).

Element ids (#chat, #question, #sources, #rebuild, …) are what the stylesheet, the passage viewer script and
the browser tests address.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from bot.web.chat_app import ChatApp
from bot.web.history_ui import HistoryPanel, create_panel
from bot.web.labels import TITLE
from bot.web.library import LibraryTab, create_library_tab
from bot.web.render import EMPTY_COMPARE, EMPTY_QUOTES, EMPTY_SOURCES, EMPTY_TIMELINE
from bot.web.state import SESSION_TTL_S


@dataclass(frozen=True)
class Page:
    """The components the event handlers read and update."""

    # the conversation
    box: gr.Textbox
    chatbot: gr.Chatbot
    turns: gr.State  # list[state.Turn]: the finished turns of this session (dropped SESSION_TTL_S after the last)
    # the filter panel
    outlets: gr.Dropdown
    categories: gr.Dropdown
    date_from: gr.DateTime
    date_to: gr.DateTime
    scope_note: gr.Markdown
    clear_filters: gr.Button
    # display and conversation buttons
    hide_unsupported: gr.Checkbox
    export: gr.Button  # writes the export file on click ...
    export_file: gr.DownloadButton  # ... which this hidden button then downloads
    new_chat: gr.Button
    # the index panel
    status: gr.Markdown
    full: gr.Checkbox
    rebuild: gr.Button
    confirm: gr.Button  # shown when a rebuild would remove many articles: clicking it goes ahead
    # the evidence views, and the hidden holder of the recent turns' passages
    sources: gr.HTML
    timeline: gr.HTML
    compare: gr.HTML
    quotes: gr.HTML
    store: gr.HTML
    # the topic's timeline and outlet comparison are searched only while their tab is open (bot/web/coverage.py)
    timeline_tab: gr.Tab
    compare_tab: gr.Tab
    other_tabs: tuple[gr.Tab, ...]
    open_view: gr.State  # "timeline", "compare" or "" (another tab)
    history: HistoryPanel  # the saved conversations (history_ui.py)
    library: LibraryTab  # the Library tab, among the views (bot/web/library.py)

    @property
    def filters(self) -> list[gr.Dropdown | gr.DateTime]:
        """The filter inputs, in the order the handlers take them."""
        return [self.outlets, self.categories, self.date_from, self.date_to]


def create_ui(app: ChatApp, scope_note: str) -> Page:
    """Lay out the page inside the current gr.Blocks; `scope_note` is what the filters say at first."""
    gr.Markdown(
        f"# {TITLE}\nAsk about the articles in your index. Every sentence of an answer cites the passage it "
        "comes from: click a marker such as **[1]** to read it, with the cited words highlighted.",
        elem_id="app-title",
    )
    turns = gr.State([], time_to_live=SESSION_TTL_S)
    with gr.Row(equal_height=False, elem_id="main-row"):
        with gr.Column(scale=1, min_width=250, elem_id="side"):
            outlets, categories, date_from, date_to, note, clear = _filter_panel(app, scope_note)
            gr.Markdown("### Display")
            hide_unsupported = gr.Checkbox(label="Hide unsupported sentences", value=False, elem_id="hide-unsupported")
            export = gr.Button("Export conversation (.md)", size="sm", elem_id="export")
            export_file = gr.DownloadButton("Download", value=None, visible="hidden", elem_id="export-file")
            new_chat = gr.Button("New chat", size="sm", elem_id="new-chat")
            history = create_panel(app)
            status, full, rebuild, confirm = _index_panel(app)
        with gr.Column(scale=3, min_width=420):
            chatbot = gr.Chatbot(
                label="Chat", height=640, render_markdown=False, sanitize_html=True, feedback_options=None,
                autoscroll=False,  # static/answer_top.js shows each new question with its answer below
                buttons=[], placeholder=app.placeholder(), examples=app.example_messages() or None, elem_id="chat",
            )
            box = gr.Textbox(
                label="Question", placeholder="Ask a question about the articles…", submit_btn=True,
                elem_id="question", autofocus=True,
            )
        # elem_id: the full-width toggle of the topic tabs moves this column below the chat (static/chat.css);
        # wrap: every tab stays in sight on a narrow column (a menu hid Quotes and Library)
        with gr.Column(scale=2, min_width=340, elem_id="views-col"), gr.Tabs(elem_id="views", overflow_behavior="wrap"):
            sources, timeline, compare, quotes, timeline_tab, compare_tab, other_tabs = _views()
            library = create_library_tab(app)
    store = gr.HTML("", elem_id="passage-store")
    return Page(
        box=box, chatbot=chatbot, turns=turns, outlets=outlets, categories=categories, date_from=date_from,
        date_to=date_to, scope_note=note, clear_filters=clear, hide_unsupported=hide_unsupported, export=export,
        export_file=export_file, new_chat=new_chat, status=status, full=full, rebuild=rebuild, confirm=confirm,
        sources=sources, timeline=timeline, compare=compare, quotes=quotes, store=store, timeline_tab=timeline_tab,
        compare_tab=compare_tab, other_tabs=other_tabs, open_view=gr.State(""), history=history, library=library,
    )


def _filter_panel(
    app: ChatApp, scope_note: str
) -> tuple[gr.Dropdown, gr.Dropdown, gr.DateTime, gr.DateTime, gr.Markdown, gr.Button]:
    # An accordion, so that on a narrow screen the page script (static/passage_viewer.js) can fold it away and
    # leave the first screen to the chat.
    with gr.Accordion("Filters", open=True, elem_id="filters-panel"):
        outlets = gr.Dropdown(
            choices=app.outlet_choices(), multiselect=True, label="Outlets", info="Search only these (empty: all)",
            elem_id="filter-outlets",
        )
        categories = gr.Dropdown(
            choices=app.category_choices(), multiselect=True, label="Categories", elem_id="filter-categories"
        )
        with gr.Row(elem_id="filter-dates"):
            date_from = gr.DateTime(include_time=False, type="string", label="From", elem_id="filter-from")
            date_to = gr.DateTime(include_time=False, type="string", label="To", elem_id="filter-to")
        note = gr.Markdown(scope_note, elem_id="scope-note")
        clear = gr.Button("Clear filters", size="sm", elem_id="clear-filters")
    return outlets, categories, date_from, date_to, note, clear


def _index_panel(app: ChatApp) -> tuple[gr.Markdown, gr.Checkbox, gr.Button, gr.Button]:
    with gr.Accordion("Index", open=app.engine is None, elem_id="index-panel"):
        status = gr.Markdown(app.status_markdown(), elem_id="index-status")
        full = gr.Checkbox(label="Re-embed everything (full rebuild)", value=False)
        rebuild = gr.Button(
            "Rebuild index", variant="primary" if app.engine is None else "secondary", size="sm", elem_id="rebuild",
            interactive=app.rebuild_allowed,
        )
        confirm = gr.Button("Remove them and rebuild", variant="stop", size="sm", visible=False,
                            elem_id="rebuild-confirm")
        if not app.rebuild_allowed:
            gr.Markdown("Rebuilding from the page is only offered when the chat runs on 127.0.0.1.")
    return status, full, rebuild, confirm


def _views() -> tuple[gr.HTML, gr.HTML, gr.HTML, gr.HTML, gr.Tab, gr.Tab, tuple[gr.Tab, ...]]:
    with gr.Tab("Sources", id="tab-sources") as sources_tab:
        sources = gr.HTML(EMPTY_SOURCES, elem_id="sources")
    with gr.Tab("Timeline", id="tab-timeline") as timeline_tab:
        timeline = gr.HTML(EMPTY_TIMELINE, elem_id="timeline")
    with gr.Tab("Compare", id="tab-compare") as compare_tab:
        compare = gr.HTML(EMPTY_COMPARE, elem_id="compare")
    with gr.Tab("Quotes", id="tab-quotes") as quotes_tab:
        quotes = gr.HTML(EMPTY_QUOTES, elem_id="quotes")
    return sources, timeline, compare, quotes, timeline_tab, compare_tab, (sources_tab, quotes_tab)
