"""`python -m index rebuild|stats`: build the index from the corpus and report on it."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from index.console import run_command
from index.errors import IndexLayerError
from index.progress import LineProgress
from index.settings import ENV_VARS, Settings, SettingsError, load_settings
from index.text import counted

if TYPE_CHECKING:
    from index.rebuild import RebuildReport
    from index.record import IndexProfile


def build_parser() -> argparse.ArgumentParser:
    """Argument parser of the index CLI."""
    parser = argparse.ArgumentParser(
        prog="python -m index",
        description="Build and inspect the news index (Chroma + BM25) used by the chat.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--store", type=Path, help=f"index folder (default .index; env {ENV_VARS['store']})")
        p.add_argument(
            "--chroma-url",
            help=f"use a Chroma server instead of the embedded store, e.g. http://127.0.0.1:8000 "
            f"(env {ENV_VARS['chroma_url']})",
        )

    rebuild = sub.add_parser(
        "rebuild",
        help="sync the index with the corpus (only new or changed articles are embedded)",
        description="Load every article under --corpus, chunk and embed what is new or changed, and switch "
        "the index over in one step. Broken files are skipped and listed; the previous index stays usable "
        "until the new one is complete.",
    )
    rebuild.add_argument(
        "--corpus", type=Path, help=f"folder (searched recursively) or file of articles (default: the corpus the "
        f"index was built from, else corpus/; env {ENV_VARS['corpus']})"
    )
    common(rebuild)
    rebuild.add_argument("--full", action="store_true", help="re-embed every article instead of syncing")
    rebuild.add_argument(
        "--allow-removals", action="store_true",
        help="go ahead when the corpus lacks more than a fifth of the indexed articles (they are removed)",
    )
    rebuild.add_argument("--quiet", action="store_true", help="no progress bar")

    stats = sub.add_parser("stats", help="show what the index holds", description="Show what the index holds.")
    common(stats)
    stats.add_argument("--json", action="store_true", help="print one JSON line")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = build_parser().parse_args(argv)

    def run() -> int:
        settings = load_settings(corpus=getattr(args, "corpus", None), store=args.store, chroma_url=args.chroma_url)
        if args.command == "rebuild":
            return _rebuild(settings, full=args.full, quiet=args.quiet, allow_removals=args.allow_removals)
        return _stats(settings, as_json=args.json)

    return run_command(run, (IndexLayerError, SettingsError))


def _rebuild(settings: Settings, full: bool, quiet: bool, allow_removals: bool) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from index.embedding import load_embedder
    from index.rebuild import rebuild_index

    err = Console(stderr=True)
    if not quiet and not err.is_terminal:  # a log file or a pipe: plain lines as the rebuild goes
        print("loading the embedding model…", file=sys.stderr, flush=True)
        embedder = load_embedder(settings.embed_model)
        report = rebuild_index(settings, embedder, full=full, allow_removals=allow_removals,
                               progress=LineProgress(sys.stderr))
        return _print_report(report)
    with err.status("loading the embedding model…", spinner="dots") if not quiet else _null():
        embedder = load_embedder(settings.embed_model)
    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=quiet, transient=False) as bar:
        tasks: dict[str, object] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))  # type: ignore[arg-type]

        report = rebuild_index(settings, embedder, full=full, allow_removals=allow_removals, progress=progress)
    return _print_report(report)


def _print_report(report: RebuildReport) -> int:
    print(
        f"Indexed {counted(report.articles, 'article')} → {report.chunks} chunks in {report.seconds:.1f} s "
        f"(store: {report.store}{', full rebuild' if report.full else ''})"
    )
    kept = f" · kept {report.kept}" if report.kept else ""
    print(
        f"  added {report.added} · updated {report.updated} · removed {report.removed} · "
        f"unchanged {report.unchanged}{kept} · skipped {len(report.skipped)} · "
        f"embedded {report.embedded_chunks} chunks"
    )
    print(f"  corpus: {report.corpus}")
    if report.repaired:
        print("  no article had changed; repaired the index's side files")
    elif not report.changed:
        print("  the index was already up to date")
    if report.compacted:
        print("  changes since the last full build were merged into a new base collection")
    if report.note:
        print(f"  note: {report.note}")
    if report.skipped:
        print("Skipped:")
        for item in report.skipped:
            print(f"  {item.origin}: {item.reason}")
    if report.warnings:
        print("Warnings:")
        for item in report.warnings:
            print(f"  {item.origin}: {item.reason}")
    return 0


def _stats(settings: Settings, as_json: bool) -> int:
    from index.store import open_store

    info = open_store(settings.store, settings.chroma_url).info()
    if as_json:
        print(json.dumps(asdict(info)))
        return 0
    print(f"index:           {info.location}")
    print(f"collection:      {info.collection}")
    print(f"corpus:          {info.corpus or 'not recorded (built by an older version): pass --corpus to rebuild'}")
    print(f"articles:        {info.articles}")
    print(f"chunks:          {info.chunks}")
    for line in _profile_lines(info.profile):
        print(line)
    print(f"embedding model: {info.embedding_model} ({info.dimension} dimensions)")
    print(f"chunking:        {info.chunk_tokens} tokens, {info.chunk_overlap} overlap")
    print(f"built at:        {info.built_at}")
    return 0


LABEL = 17  # width of the "outlets:         " labels of the stats text
WIDTH = 110  # list lines wrap here


def _profile_lines(profile: IndexProfile | None) -> list[str]:
    """Every outlet and category of the index with its article count, the largest first, and the dates."""
    if profile is None:
        return ["outlets:         not recorded (built by an older version)"]

    def listed(label: str, counts: dict[str, int]) -> list[str]:
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        items = [f"{name} ({n})" for name, n in ranked]
        if not items:
            return [f"{label:<{LABEL}}none recorded"]
        lines = [f"{label:<{LABEL}}{len(items)}: {items[0]}"]
        for item in items[1:]:  # whole items per line: an outlet's name is never split
            if len(lines[-1]) + len(f", {item},") > WIDTH:  # room for the comma a next line adds
                lines[-1] += ","
                lines.append(" " * LABEL + item)
            else:
                lines[-1] += f", {item}"
        return lines

    dates = f"{profile.first} to {profile.last}" if profile.first else "no dates recorded"
    return [*listed("outlets:", profile.outlets), *listed("categories:", profile.categories),
            f"{'published:':<{LABEL}}{dates}"]


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
