"""The web chat's launcher: flags -> Settings -> bot.web (which formats and displays, never retrieves)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import index.offline  # noqa: F401  (before gradio/chromadb are imported)
from bot.errors import BotError
from bot.web.chat_app import ANSWER_WORKERS
from bot.web.server import check_address, prepare_app, serve
from index.console import run_command
from index.errors import IndexLayerError
from index.settings import ENV_VARS, SettingsError, load_settings


def build_parser() -> argparse.ArgumentParser:
    """Command-line options of the web chat."""
    parser = argparse.ArgumentParser(description="Run the news chat in the browser (offline).")
    parser.add_argument("--store", type=Path, help=f"index folder (default .index; env {ENV_VARS['store']})")
    parser.add_argument(
        "--corpus", type=Path, help=f"articles to index on first run (default corpus/; env {ENV_VARS['corpus']})"
    )
    parser.add_argument("--chroma-url", help=f"Chroma server URL (env {ENV_VARS['chroma_url']})")
    parser.add_argument("--host", help=f"address to bind (default 127.0.0.1; env {ENV_VARS['host']})")
    parser.add_argument("--port", type=int, help=f"port (default 7860; env {ENV_VARS['port']})")
    parser.add_argument(
        "--no-build", action="store_true",
        help="do not build a missing index at start (the page then offers to build it)",
    )
    parser.add_argument(
        "--workers", type=int, default=ANSWER_WORKERS,
        help=f"answers computed at once, each in its own worker process (a copy of the model and index) when more "
             f"than 1; further questions wait in line (default {ANSWER_WORKERS}; 1: in the server's process, "
             "the least memory)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Start the chat server."""
    args = build_parser().parse_args(argv)

    def run() -> int:
        settings = load_settings(
            store=args.store, corpus=args.corpus, chroma_url=args.chroma_url, host=args.host, port=args.port
        )
        if args.workers < 1:
            raise SettingsError(f"--workers must be 1 or more (got {args.workers})")
        check_address(settings.host, settings.port)  # before minutes of loading (or building) the index
        chat = prepare_app(settings, build_if_missing=not args.no_build, say=lambda m: print(m, flush=True),
                           workers=args.workers)
        serve(chat)
        return 0

    return run_command(run, (IndexLayerError, BotError, SettingsError))


if __name__ == "__main__":
    raise SystemExit(main())
