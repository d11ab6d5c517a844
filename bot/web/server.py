"""Starting the chat: load the model, build the index if there is none, then serve the page with its CSS and script."""

from __future__ import annotations

import errno
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.errors import ServeError
from bot.web.chat_app import ANSWER_WORKERS, ChatApp
from bot.web.guards import host_middleware
from bot.web.page import build_page, page_theme
from index.errors import NoIndexError
from index.settings import DEFAULT_CORPUS, ENV_VARS, Settings
from index.text import counted

STATIC = Path(__file__).parent / "static"
CSS = STATIC / "chat.css"
MORE_CSS = [STATIC / "reader.css", STATIC / "scope.css", STATIC / "narrow.css"]  # one feature each
SCRIPT = STATIC / "passage_viewer.js"  # opens cited passages in a dialog, copies answers (see the file)
SCRIPTS = [SCRIPT, STATIC / "passage_archive.js", STATIC / "narrow.js", STATIC / "answer_top.js"]  # one feature each
# Gradio keeps each session's last page values (chat, views, its own copy of the page's config: about 0.3 MB after
# an answer) until this many more recently used sessions push it out, so idle pages cost at most ~60 MB. A page
# pushed out starts its next question afresh; its conversation is still in the Conversations panel. A session's
# turns also expire after state.SESSION_TTL_S.
SESSION_CAPACITY = 200
QUIET_BUILD_S = 3.0  # a first build shorter than this (the sample corpus) prints no progress lines
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
            from index.progress import LineProgress
            from index.rebuild import rebuild_index

            say(f"no index at {settings.store} yet: building it from {settings.corpus or DEFAULT_CORPUS} …")
            lines = LineProgress(sys.stderr)
            started = time.monotonic()

            def progress(stage: str, done: int, total: int) -> None:
                if time.monotonic() - started >= QUIET_BUILD_S:  # a big corpus takes minutes: show it moving
                    lines(stage, done, total)

            report = rebuild_index(settings, embedder, progress=progress)
            say(f"indexed {counted(report.articles, 'article')} → {report.chunks} chunks in {report.seconds:.1f} s")
            for item in report.skipped:
                say(f"  skipped {item.origin}: {item.reason}")
        else:
            say(f"no index at {settings.store} yet: the page offers to build it from "
                f"{settings.corpus or DEFAULT_CORPUS}")
    # More than one answer at once: each in its own worker process (bot.workers), where threads would queue on
    # one interpreter lock.
    return ChatApp(settings, embedder, workers=workers, processes=workers > 1)


def serve(app: ChatApp) -> None:
    """Serve the page on the settings' host and port until interrupted; ServeError when it cannot listen there."""
    settings = app.settings
    check_address(settings.host, settings.port)  # before the page is built: a taken port fails fast and clearly
    demo = build_page(app)
    # head_paths would insert the file as HTML: the script is kept a plain .js file and wrapped here.
    head = "".join(f"<script>\n{path.read_text(encoding='utf-8')}</script>\n" for path in SCRIPTS)
    try:
        demo.queue(default_concurrency_limit=OTHER_EVENTS_LIMIT).launch(
            server_name=settings.host, server_port=settings.port, show_error=True, css_paths=[CSS, *MORE_CSS],
            theme=page_theme(),
            head=head, prevent_thread_lock=True, state_session_capacity=SESSION_CAPACITY, quiet=True,
            app_kwargs={"middleware": host_middleware(settings.host)},  # refuses foreign Host headers (guards.py)
        )
    except OSError as exc:  # taken between the check and the launch
        raise ServeError(_cannot_listen(settings.host, settings.port, exc)) from exc
    print(f"chat ready on http://{settings.host}:{settings.port}", flush=True)  # only once it listens
    try:
        demo.block_thread()
    finally:
        app.close()


def check_address(host: str, port: int) -> None:
    """Raise ServeError, saying which flag to change, when nothing could listen on host:port now."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself binds
            probe.bind((host, port))
    except (OSError, OverflowError) as exc:
        raise ServeError(_cannot_listen(host, port, exc)) from exc


def _cannot_listen(host: str, port: int, exc: BaseException) -> str:
    code = exc.errno if isinstance(exc, OSError) else None
    flag = f"--port (or {ENV_VARS['port']})"
    if code == errno.EADDRINUSE or "empty port" in str(exc):
        other = port + 1 if port < 65535 else 7860
        return (f"port {port} on {host} is already in use (another chat or program is listening there) — stop it, "
                f"or pass {flag} another port, e.g. --port {other}")
    if code == errno.EACCES:
        return f"port {port} needs administrator rights on this machine — pass {flag} 1024 or above"
    return (f"cannot listen on {host}:{port} ({exc}) — pass --host (or {ENV_VARS['host']}) an address of this "
            "machine, such as 127.0.0.1")
