"""`python -m bot ask "QUESTION"`: answer from the index, with citations."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.answering.reply_limits import DEADLINE_FACTOR
from bot.errors import BotError
from bot.types import Answer, label_summary
from index.console import run_command
from index.errors import IndexLayerError
from index.settings import ENV_VARS, SettingsError, load_settings


def build_parser() -> argparse.ArgumentParser:
    """Argument parser of the bot CLI."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Ask the news index questions.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ask = sub.add_parser(
        "ask",
        help="answer one question with citations",
        description="Answer one question from the index. Every sentence carries a [n] marker pointing "
        "at the passage it was taken from.",
    )
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--store", type=Path, help=f"index folder (default .index; env {ENV_VARS['store']})")
    ask.add_argument("--chroma-url", help=f"Chroma server URL (env {ENV_VARS['chroma_url']})")
    ask.add_argument("--k", type=int, help=f"passages to retrieve (default 10; more when they are short, until they "
                     f"hold the words of that many full passages; env {ENV_VARS['top_k']})")
    ask.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    ask.add_argument(
        "--previous",
        action="append",
        default=[],
        metavar="QUESTION",
        help="an earlier question of the conversation (repeat, oldest first); the question is read as its follow-up",
    )
    llm = ask.add_argument_group(
        "generated answers (any OpenAI-compatible server; without a key or base URL answers are extractive)"
    )
    llm.add_argument("--llm-base-url", help=f"server URL ending in /v1 (env {ENV_VARS['llm_base_url']})")
    llm.add_argument("--llm-api-key", help=f"API key (env {ENV_VARS['llm_api_key']})")
    llm.add_argument("--llm-model", help=f"model name (default gpt-4o-mini; env {ENV_VARS['llm_model']})")
    llm.add_argument(
        "--llm-timeout", type=float,
        help=f"seconds to wait for the server's next bytes; a whole answer may take {DEADLINE_FACTOR} times this "
        f"(default 60; env {ENV_VARS['llm_timeout']})",
    )
    llm.add_argument("--llm-retries", type=int, help=f"retries on 429/5xx (default 2; env {ENV_VARS['llm_retries']})")
    llm.add_argument("--no-llm", action="store_true", help="answer extractively even when an LLM is configured")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = build_parser().parse_args(argv)
    if not args.question.strip():
        print("error: the question is empty", file=sys.stderr)
        return 2
    return run_command(lambda: _ask(args), (IndexLayerError, BotError, SettingsError))


def _ask(args: argparse.Namespace) -> int:
    settings = load_settings(
        store=args.store,
        chroma_url=args.chroma_url,
        top_k=args.k,
        llm_base_url=args.llm_base_url,
        llm_api_key=args.llm_api_key,
        llm_model=args.llm_model,
        llm_timeout=args.llm_timeout,
        llm_retries=args.llm_retries,
    )
    if args.no_llm:
        settings = settings.without_llm()
    from bot.engine import ChatEngine

    history = [(q, "") for q in args.previous if q.strip()]
    answer = ChatEngine(settings).answer(args.question, history=history)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        print(format_answer(answer))
    return 0


def format_answer(answer: Answer) -> str:
    """The answer and its sources as plain text."""
    lines = []
    if answer.standalone_question:
        lines.append(f"(understood as: {answer.standalone_question})")
    lines.append(answer.text.replace("**", ""))  # the lead is bold on the page; plain on a terminal
    lines.extend(f"note: {note}" for note in answer.notes)
    checked = label_summary(answer.sentences)
    if checked:
        lines.append(checked)
    lines.extend(f"  ⚖ {s.text} ({s.label})" for s in answer.sentences if s.supported and s.disagrees)
    unsupported = [s for s in answer.sentences if not s.supported]
    if unsupported:
        lines.append("")
        lines.append("Not supported by the cited passages:")
        lines.extend(f"  ✗ {s.text}" + (f" ({s.note})" if s.note else "") for s in unsupported)
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
    for c in answer.citations:
        meta = ", ".join(x for x in (c.chunk.outlet, (c.chunk.published_at or "")[:10]) if x)
        lines.append(f"[{c.n}] {c.chunk.title}" + (f" — {meta}" if meta else ""))
        if c.chunk.url:
            lines.append(f"    {c.chunk.url}")
        lines.append(f"    “{' '.join(c.quote.split())}”")
    return "\n".join(lines)
