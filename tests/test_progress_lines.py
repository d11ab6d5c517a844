"""Rebuild progress off a terminal: plain lines, flushed as the rebuild goes, stage by stage."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from index.progress import LineProgress
from tests.conftest import FIXTURE_CORPUS, ROOT


def test_lines_at_the_start_each_tenth_every_30_seconds_and_the_end() -> None:
    now = [0.0]
    out = io.StringIO()
    progress = LineProgress(out, clock=lambda: now[0])
    for done in range(0, 101):  # 101 calls: 0 to 100 of 100
        now[0] = done * 0.1
        progress("embedding", done, 100)
    progress("embedding", 100, 100)  # a repeated end is not printed twice
    now[0] = 20.0
    progress("writing", 0, 3)
    now[0] = 55.0
    progress("writing", 0, 3)  # 35 s without a line: one more, though the count has not moved
    progress("writing", 1, 3)
    progress("writing", 3, 3)
    progress("cleanup", 0, 0)  # an empty stage starts done
    assert out.getvalue().splitlines() == [
        *[f"embedding  {n}/100" for n in range(0, 100, 10)],
        "embedding  100/100 done in 10.0 s",
        "writing    0/3",
        "writing    0/3",
        "writing    1/3",
        "writing    3/3 done in 35.0 s",
        "cleanup    0/0 done in 0.0 s",
    ]


def test_rebuild_into_a_pipe_prints_progress_lines_while_it_runs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "OPENAI_"))}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "index", "rebuild", "--corpus", str(FIXTURE_CORPUS), "--store", str(tmp_path / "s")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    running_at_reading = None
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if running_at_reading is None and line.startswith("reading"):
            running_at_reading = proc.poll() is None  # the rebuild has embedding and writing still to do
    assert proc.wait(timeout=600) == 0, "\n".join(lines)
    assert running_at_reading is True
    assert lines[0] == "loading the embedding model…"
    progress = lines[1:lines.index(next(x for x in lines if x.startswith("Indexed 7 articles → 7 chunks in ")))]
    stages = list(dict.fromkeys(line.split()[0] for line in progress))
    assert stages == ["reading", "chunking", "embedding", "writing", "lexical", "switching", "cleanup"]
    assert progress[:2] == ["reading    0/5", "reading    1/5"]
    for stage in stages:  # every stage is reported through to its end, once
        ends = [x for x in progress if x.startswith(f"{stage:<10} ") and " done in " in x]
        assert len(ends) == 1 and ends[0] == [x for x in progress if x.startswith(f"{stage:<10} ")][-1], progress
    assert "embedding  7/7 done in " in "\n".join(progress)
    assert "\x1b" not in "".join(lines) and "━" not in "".join(lines)  # no terminal codes, no bar
