"""What the benchmark shows on the console: progress while it measures, then every figure and its target."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

OVERHEAD_TARGET = 1.15
INCREMENTAL_TARGET = 0.05
P50_TARGET_MS = 150.0
GROWTH_TARGET = 3.0
SUITE_TARGET_S = 15 * 60


@dataclass(frozen=True)
class Target:
    """One figure with a target: value ≤ limit passes."""

    name: str
    value: float | None
    limit: float
    unit: str = ""

    @property
    def passed(self) -> bool | None:
        """True/False, or None when the figure was not measured in this run."""
        return None if self.value is None else self.value <= self.limit

    def to_json(self) -> dict[str, Any]:
        """The target as it appears in --json output."""
        return {"name": self.name, "value": self.value, "target": self.limit, "unit": self.unit, "pass": self.passed}


@contextmanager
def progress_bar(console: Console) -> Iterator[Progress]:
    """A progress display on terminals (nothing when the output is a file or a pipe)."""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True, disable=not console.is_terminal,
    ) as bar:
        yield bar


def step(console: Console, text: str) -> None:
    """Say what runs next (so a log shows where time goes)."""
    console.print(f"[dim]{time.strftime('%H:%M:%S')}[/dim] {text}", highlight=False)


def targets_of(indexing: dict[str, Any] | None, scales: list[dict[str, Any]], total_s: float) -> list[Target]:
    """Every figure that has a target."""
    one, top = scales[0], scales[-1]
    growth_name = f"p50 growth ×1 → ×{top['scale']}" + ("" if top["scale"] == 100 else " (target set for ×100)")
    reused = any(s["synthetic"] and s["store_reused"] for s in scales)
    suite_name = "suite wall time" + (" (scaled indexes reused)" if reused else "")
    return [
        Target("indexing overhead (rebuild / embedding alone)",
               indexing["overhead_ratio"] if indexing else None, OVERHEAD_TARGET, "×"),
        Target("incremental sync / full rebuild", indexing["incremental_ratio"] if indexing else None,
               INCREMENTAL_TARGET, "×"),
        Target("warm p50 latency at ×1", one["p50_ms"], P50_TARGET_MS, "ms"),
        Target(growth_name, top["p50_ms"] / one["p50_ms"] if len(scales) > 1 else None, GROWTH_TARGET, "×"),
        # Only a run with every figure times the suite; reusing scaled indexes leaves out their one-off build.
        Target(suite_name, total_s if indexing else None, SUITE_TARGET_S, "s"),
    ]


def _verdict(passed: bool | None) -> str:
    return "[dim]not measured[/dim]" if passed is None else ("[green]PASS[/green]" if passed else "[red]FAIL[/red]")


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "×":
        return f"{value:.3f}"
    return f"{value:,.0f} {unit}" if value >= 100 else f"{value:.1f} {unit}"


def print_report(console: Console, figures: dict[str, Any], targets: list[Target]) -> None:
    """Every figure, in the order of the issue, then the targets."""
    machine = figures["machine"]
    console.rule("[bold]newsbot benchmark")
    console.print(
        f"{machine['cpus']} CPUs, embedding model {machine['embed_model']}, load average "
        f"{machine['load_start'][0]:.2f} at start and {machine['load_end'][0]:.2f} at the end (other processes "
        f"share the CPU when it exceeds 0), python {machine['python']}", highlight=False,
    )
    _print_indexing(console, figures["indexing"], machine["embed_model"])
    _print_latency(console, figures)
    _print_memory(console, figures["scales"])
    _print_targets(console, targets)
    console.print(f"\ntotal wall time {figures['total_s']:.0f} s", highlight=False)


def _print_indexing(console: Console, indexing: dict[str, Any] | None, embed_model: str) -> None:
    """Figures 1 and 2: indexing overhead and the incremental sync."""
    if indexing is None:
        console.print("\n[bold]1–2. Indexing[/bold]: skipped (--skip-indexing)")
        return
    console.print(f"\n[bold]1. Indexing overhead[/bold] — {indexing['articles']} articles → "
                  f"{indexing['chunks']} chunks; {indexing['method']}", highlight=False)
    stages = " · ".join(f"{name} {sec:.1f} s" for name, sec in indexing["stages"].items())
    console.print(f"  full rebuild               {indexing['rebuild_s']:8.1f} s   ({stages})", highlight=False)
    console.print(f"  embedding alone            {indexing['embed_only_s']:8.1f} s   Embedder.embed_texts, batch "
                  f"{indexing['batch_size']}, same chunk texts: {indexing['embed_chunks_per_s']:.1f} chunks/s",
                  highlight=False)
    console.print(f"  chunking alone             {indexing['chunking_s']:8.1f} s   split_into_chunks",
                  highlight=False)
    st = indexing["sentence_transformers"]
    if st:
        console.print(
            f"  on {st['sample']} of those chunks: sentence-transformers encode(batch_size=32) "
            f"{st['sentence_transformers_chunks_per_s']:.1f} chunks/s (the PyTorch model), Embedder.embed_texts "
            f"{st['embedder_chunks_per_s']:.1f} chunks/s ({embed_model})", highlight=False,
        )
    console.print(f"  rebuild / embedding alone  {indexing['overhead_ratio']:8.3f}     target ≤ {OVERHEAD_TARGET}  "
                  f"{_verdict(indexing['overhead_ratio'] <= OVERHEAD_TARGET)}", highlight=False)
    inc = indexing["incremental"]
    one, none, cli = inc["one_article"], inc["nothing_changed"], inc["cli"]
    console.print(f"\n[bold]2. Incremental sync[/bold] — one article edited ({inc['edited']}), in-process, "
                  "on a copy of the full build", highlight=False)
    console.print(f"  sync, 1 article edited     {one['seconds']:8.1f} s   {one['updated']} updated, "
                  f"{one['embedded_chunks']} chunks embedded", highlight=False)
    console.print(f"  sync, nothing changed      {none['seconds']:8.1f} s", highlight=False)
    own = f", the rebuild itself {cli['rebuild_s']:.1f} s" if cli["rebuild_s"] is not None else ""
    console.print(f"  whole command              {cli['wall_s']:8.1f} s   `python -m index rebuild` after another "
                  f"edit: process start, imports, model load{own}", highlight=False)
    console.print(f"  sync / full rebuild        {indexing['incremental_ratio']:8.3f}     target ≤ "
                  f"{INCREMENTAL_TARGET}  {_verdict(indexing['incremental_ratio'] <= INCREMENTAL_TARGET)}",
                  highlight=False)


def _print_latency(console: Console, figures: dict[str, Any]) -> None:
    """Figure 3: warm query latency per scale."""
    scales = figures["scales"]
    console.print("\n[bold]3. Query latency[/bold] — ChatEngine.stream_answer (retrieval + extractive answer, no LLM), "
                  f"warm, {figures['questions']['timed']} questions after {figures['questions']['warmup']} warm-up; "
                  f"questions {figures['questions']['source']}", highlight=False)
    if len(scales) > 1:
        console.print(f"  ×N > 1 are SYNTHETIC: N copies of the real chunks with new ids and embeddings perturbed by "
                      f"Gaussian noise (σ = {figures['noise']} per dimension) and re-normalised, in Chroma and BM25 "
                      "like a real index", highlight=False)
    table = Table(show_edge=False, pad_edge=False)
    for column in ("scale", "articles", "chunks", "index build", "p50", "p95", "first token p50", "first token p95",
                   "answered"):
        table.add_column(column, justify="right")
    for s in scales:
        build = "real index" if s["scale"] == 1 else (
            f"{s['store_build_s']:.0f} s" + (" (reused)" if s["store_reused"] else ""))
        table.add_row(f"×{s['scale']}", f"{s['articles']:,}", f"{s['chunks']:,}", build, f"{s['p50_ms']:.0f} ms",
                      f"{s['p95_ms']:.0f} ms", f"{s['ttft_p50_ms']:.0f} ms", f"{s['ttft_p95_ms']:.0f} ms",
                      f"{s['covered']}/{s['queries']}")
    console.print(table)


def _print_memory(console: Console, scales: list[dict[str, Any]]) -> None:
    """Figures 4 and 5: memory, load times and the cold first question per scale."""
    console.print("\n[bold]4–5. Memory, load and cold first question[/bold] — a fresh process per index loads the "
                  "chat as app.py does, then answers its first question", highlight=False)
    table = Table(show_edge=False, pad_edge=False)
    for column in ("scale", "imports", "model load", "index load", "app extras", "first question: first token",
                   "complete", "peak RSS loaded", "after timed questions"):
        table.add_column(column, justify="right")
    for s in scales:
        app_load = "—" if s["app_load_s"] is None else f"{s['app_load_s']:.1f} s"
        table.add_row(f"×{s['scale']}", f"{s['import_s']:.1f} s", f"{s['model_load_s']:.1f} s",
                      f"{s['index_load_s']:.1f} s", app_load, f"{s['cold_ttft_ms']:.0f} ms",
                      f"{s['cold_total_ms']:.0f} ms", f"{s['rss_loaded_mb']:,.0f} MB", f"{s['rss_end_mb']:,.0f} MB")
    console.print(table)
    console.print("  app extras: corpus profile, example questions and the Gradio page, loaded after the first "
                  "question (bot.web ChatApp + build_page); peak RSS loaded includes them", highlight=False)


def _print_targets(console: Console, targets: list[Target]) -> None:
    """Every figure that has a target, with PASS/FAIL."""
    console.print("\n[bold]Targets[/bold]")
    table = Table(show_edge=False, pad_edge=False)
    for column, justify in (("figure", "left"), ("value", "right"), ("target", "right"), ("result", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for t in targets:
        table.add_row(t.name, _fmt(t.value, t.unit), f"≤ {_fmt(t.limit, t.unit)}", _verdict(t.passed))
    console.print(table)
