"""The Library tab's components: what the index holds, with upload, search, remove and sync.

It sits among the evidence views, beside the chat (the left panel is too narrow for a list of articles), so
an article can be added and asked about without leaving the page. Its events are in library_events.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from bot.web.chat_app import ChatApp
from index.loaders import SUPPORTED_SUFFIXES

NOT_ALLOWED = ("Articles can be added and removed from the page only when the chat runs on 127.0.0.1; on a "
               "server, copy them into the corpus folder and run `python -m index rebuild`.")
EMPTY_LIST = '<p class="library-empty">Open this tab to see the indexed articles.</p>'


@dataclass(frozen=True)
class LibraryTab:
    """The components of the Library tab."""

    tab: gr.Tab
    status: gr.Markdown  # what the index holds, and what the last upload, removal or sync did
    files: gr.File  # the files to add
    add: gr.Button
    search: gr.Textbox
    table: gr.HTML  # the list of articles matching the search
    pick: gr.Dropdown  # the article to remove (the ones matching the search)
    remove: gr.Button  # asks first: shows `confirm_note`, `confirm` and `cancel`
    confirm_note: gr.Markdown
    confirm: gr.Button
    cancel: gr.Button
    sync: gr.Button


def create_library_tab(app: ChatApp) -> LibraryTab:
    """Lay out the Library tab inside the current gr.Tabs; the controls that change the corpus only when allowed."""
    allowed = app.rebuild_allowed
    with gr.Tab("Library", id="tab-library", elem_id="library") as tab:
        status = gr.Markdown("", elem_id="library-status")
        if not allowed:
            gr.Markdown(NOT_ALLOWED, elem_id="library-not-allowed")
        files = gr.File(file_count="multiple", label=f"Add articles ({', '.join(sorted(SUPPORTED_SUFFIXES))})",
                        elem_id="library-upload", height=170, visible=allowed)
        add = gr.Button("Add to the index", variant="primary", size="sm", elem_id="library-add", visible=allowed)
        search = gr.Textbox(label="Search the list", placeholder="title, outlet, date (2023-10) or file name",
                            elem_id="library-search")
        table = gr.HTML(EMPTY_LIST, elem_id="library-list")
        with gr.Row(visible=allowed):
            pick = gr.Dropdown(choices=[], label="Remove an article", elem_id="library-pick", scale=3)
            remove = gr.Button("Remove…", variant="stop", size="sm", elem_id="library-remove", scale=1)
        confirm_note = gr.Markdown("", visible=False, elem_id="library-confirm-note")
        with gr.Row():
            confirm = gr.Button("Remove it and rebuild", variant="stop", size="sm", visible=False,
                                elem_id="library-confirm")
            cancel = gr.Button("Cancel", size="sm", visible=False, elem_id="library-cancel")
        sync = gr.Button("Sync with the corpus folder", size="sm", elem_id="library-sync", visible=allowed)
    return LibraryTab(tab=tab, status=status, files=files, add=add, search=search, table=table, pick=pick,
                      remove=remove, confirm_note=confirm_note, confirm=confirm, cancel=cancel, sync=sync)
