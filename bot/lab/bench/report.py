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

from bot.web.export import EXPORT_KEEP

OVERHEAD_TARGET = 1.15
INCREMENTAL_TARGET = 0.05
P50_TARGET_MS = 150.0
GROWTH_TARGET = 3.0
SUITE_TARGET_S = 15 * 60
RSS_GROWTH_TARGET = 0.05  # from a third of the turns (or sessions) to the end: memory levels off
LOAD_ERRORS_TARGET = 0
LOAD_P50_RATIO_TARGET = 5.0  # p50 with 10 concurrent clients over the single-user p50
LOAD_RATIO_CLIENTS = 10
TEMP_FILES_TARGET = EXPORT_KEEP  # at most what the export folder keeps, however many answers


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


def targets_of(
    indexing: dict[str, Any] | None, scales: list[dict[str, Any]], serving: dict[str, Any] | None, total_s: float
) -> list[Target]:
    """Every figure that has a target (None where its part did not run)."""
    one, top = (scales[0], scales[-1]) if scales else ({}, {"scale": 100})
    growth_name = f"p50 growth ×1 → ×{top['scale']}" + ("" if top["scale"] == 100 else " (target set for ×100)")
    reused = any(s["synthetic"] and s["store_reused"] for s in scales)
    suite_name = "suite wall time" + (" (scaled indexes reused)" if reused else "")
    return [
        Target("indexing overhead (rebuild / embedding alone)",
               indexing["overhead_ratio"] if indexing else None, OVERHEAD_TARGET, "×"),
        Target("incremental sync / full rebuild", indexing["incremental_ratio"] if indexing else None,
               INCREMENTAL_TARGET, "×"),
        Target("warm p50 latency at ×1", one.get("p50_ms"), P50_TARGET_MS, "ms"),
        Target(growth_name, top["p50_ms"] / one["p50_ms"] if len(scales) > 1 else None, GROWTH_TARGET, "×"),
        *serving_targets(serving),
        # Only a run with every figure times the suite; reusing scaled indexes leaves out their one-off build.
        Target(suite_name, total_s if indexing and serving else None, SUITE_TARGET_S, "s"),
    ]


def serving_targets(serving: dict[str, Any] | None) -> list[Target]:
    """The targets of figure 6: memory levels off, temp files bounded, no errors under load, p50 under load."""
    serving = serving or {}
    one, many, temp = serving.get("one_session"), serving.get("many_sessions"), serving.get("temp_files")
    loads = serving.get("load") or []
    ten = next((run for run in loads if run["clients"] == LOAD_RATIO_CLIENTS), None)
    return [
        Target("RSS growth over one session, from a third of the turns", one["growth"] if one else None,
               RSS_GROWTH_TARGET, "%"),
        Target("RSS growth over one-question sessions, from a third of them", many["growth"] if many else None,
               RSS_GROWTH_TARGET, "%"),
        Target("temp files left after the serving answers", temp["files"] if temp else None, TEMP_FILES_TARGET),
        Target("errors under load (every run)", sum(run["errors"] for run in loads) if loads else None,
               LOAD_ERRORS_TARGET),
        Target(f"p50 with {LOAD_RATIO_CLIENTS} clients / single-user p50",
               ten["p50_ms"] / one["p50_ms"] if ten and one else None, LOAD_P50_RATIO_TARGET, "×"),
    ]


def _verdict(passed: bool | None) -> str:
    return "[dim]not measured[/dim]" if passed is None else ("[green]PASS[/green]" if passed else "[red]FAIL[/red]")


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "×":
        return f"{value:.3f}"
    if unit == "%":
        return f"{value * 100:.1f}%"
    if not unit:
        return f"{value:,.0f}"
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
    print_serving(console, figures["serving"])
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
    if not scales:
        console.print("\n[bold]3–5. Query latency, memory, cold start[/bold]: not measured (--parts)")
        return
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
    if not scales:
        return
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


def print_serving(console: Console, serving: dict[str, Any] | None) -> None:
    """Figure 6: the server's memory over sessions, its temp files, and latency under concurrent load."""
    if serving is None:
        console.print("\n[bold]6. Serving[/bold]: not measured (--parts)")
        return
    workers = serving["workers"] if serving["workers"] is not None else "the app's default"
    console.print(f"\n[bold]6. Serving[/bold] — app.py on {serving['store']} (--no-build, answer workers: {workers}), "
                  f"asked through gradio_client on 127.0.0.1; questions {serving['questions']}; RSS "
                  f"{serving['rss_ready_mb']:,.0f} MB when ready, {serving['rss_end_mb']:,.0f} MB at the end",
                  highlight=False)
    table = Table(show_edge=False, pad_edge=False)
    for column in ("run", "RSS after 0", "⅓", "⅔", "all", "growth ⅓ → all", "errors"):
        table.add_column(column, justify="right")
    for key, label in (("one_session", "turns in one session"), ("many_sessions", "one-question sessions")):
        run = serving[key]
        if run is None:
            continue
        rss = list(run["rss_mb"].items())
        cells = [f"{mb:,.0f} MB ({n})" for n, mb in rss]
        table.add_row(f"{label}", *cells, f"{run['growth'] * 100:+.1f}%", str(run["errors"]))
    console.print(table)
    temp = serving["temp_files"]
    if temp is not None:
        console.print(f"  temp files left after {temp['answers']} answers: {temp['files']} "
                      f"({temp['exports']} conversation exports, {temp['bytes']:,} bytes) in {temp['folder']}",
                      highlight=False)
    runs = serving["load"]
    one = serving["one_session"]
    if not runs and one is None:
        return
    table = Table(show_edge=False, pad_edge=False)
    for column in ("clients", "seconds", "answers", "errors", "questions/s", "p50", "p95", "first update p50",
                   "first update p95"):
        table.add_column(column, justify="right")
    if one is not None:
        table.add_row("1 (one session)", "—", str(one["turns"]), str(one["errors"]), "—", f"{one['p50_ms']:,.0f} ms",
                      f"{one['p95_ms']:,.0f} ms", "—", "—")
    for run in runs:
        table.add_row(str(run["clients"]), f"{run['wall_s']:.0f}", str(run["answers"]), str(run["errors"]),
                      f"{run['questions_per_s']:.2f}", f"{run['p50_ms']:,.0f} ms", f"{run['p95_ms']:,.0f} ms",
                      f"{run['first_update_p50_ms']:,.0f} ms", f"{run['first_update_p95_ms']:,.0f} ms")
    console.print(table)
    for run in runs:
        for sample in run["error_samples"]:
            console.print(f"  error with {run['clients']} clients: {sample}", highlight=False)


def _print_targets(console: Console, targets: list[Target]) -> None:
    """Every figure that has a target, with PASS/FAIL."""
    console.print("\n[bold]Targets[/bold]")
    table = Table(show_edge=False, pad_edge=False)
    for column, justify in (("figure", "left"), ("value", "right"), ("target", "right"), ("result", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for t in targets:
        table.add_row(t.name, _fmt(t.value, t.unit), f"≤ {_fmt(t.limit, t.unit)}", _verdict(t.passed))
    console.print(table)
