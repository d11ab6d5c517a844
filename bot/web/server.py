"""Starting the chat: load the model, build the index if there is none, then serve the page with its CSS and script."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.web.chat_app import ANSWER_WORKERS, ChatApp
from bot.web.page import build_page
from index.errors import NoIndexError
from index.settings import Settings

STATIC = Path(__file__).parent / "static"
CSS = STATIC / "chat.css"
SCRIPT = STATIC / "passage_viewer.js"  # opens cited passages in a dialog, copies answers (see the file)
# Gradio keeps each session's last page values (chat, views) until this many newer sessions push it out; a
# session's turns also expire after state.SESSION_TTL_S.
SESSION_CAPACITY = 1000
OTHER_EVENTS_LIMIT = 8  # page loads, new chat, export: quick, each its own queue


def prepare_app(
    settings: Settings,
    build_if_missing: bool = True,
    say: Callable[[str], None] = print,
    workers: int = ANSWER_WORKERS,
) -> ChatApp:
    """Load the model once, build the index from the corpus if there is none (unless told not to)."""
    from index.embedding import load_embedder
    from index.store import open_store

    embedder = load_embedder(settings.embed_model)
    try:
        store = open_store(settings.store, settings.chroma_url)
        store.require_active(embedder.name)
    except NoIndexError:
        if build_if_missing:
            from index.rebuild import rebuild_index

            say(f"no index at {settings.store} yet: building it from {settings.corpus} …")
            report = rebuild_index(settings, embedder)
            say(f"indexed {report.articles} articles → {report.chunks} chunks in {report.seconds:.1f} s")
            for item in report.skipped:
                say(f"  skipped {item.origin}: {item.reason}")
        else:
            say(f"no index at {settings.store} yet: the page offers to build it from {settings.corpus}")
    return ChatApp(settings, embedder, workers=workers)


def serve(app: ChatApp) -> None:
    """Serve the page on the settings' host and port until interrupted."""
    demo = build_page(app)
    settings = app.settings
    print(f"chat ready on http://{settings.host}:{settings.port}", flush=True)
    # head_paths would insert the file as HTML: the script is kept a plain .js file and wrapped here.
    head = f"<script>\n{SCRIPT.read_text(encoding='utf-8')}</script>\n"
    demo.queue(default_concurrency_limit=OTHER_EVENTS_LIMIT).launch(
        server_name=settings.host, server_port=settings.port, show_error=True, css_paths=[CSS], head=head,
        state_session_capacity=SESSION_CAPACITY,
    )
