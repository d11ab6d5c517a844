"""A rebuild in its own process that freezes itself (SIGSTOP) at a chosen progress point.

`python tests/rebuild_child.py CORPUS STORE CHROMA_URL|- STAGE DONE [--full] [--cli]`: runs the real
`rebuild_index` and, when it reports `STAGE` with `done >= DONE`, prints `stopped at STAGE DONE` and
stops, so a test can look at the store mid-rebuild and then SIGKILL or resume (SIGCONT) the process.
With `--cli` the rebuild runs as `python -m index rebuild` does (index.cli.main), so a fault injected
while it is stopped (a full disk, a stopped server) ends the way a user sees it: exit status and message.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import index.offline  # sets the offline environment before the libraries load
import index.rebuild
from index import cli
from index.embedding import Embedder, load_embedder
from index.progress import ProgressFn
from index.rebuild import RebuildReport, rebuild_index
from index.settings import Settings


def main(argv: list[str]) -> int:
    """Run the rebuild; exit 0 when it completes (with --cli: the CLI's exit status)."""
    corpus, store, url, stage, done = argv[:5]
    stopped = False

    def progress(at: str, n: int, total: int) -> None:
        nonlocal stopped
        if not stopped and at == stage and n >= int(done):
            stopped = True
            print(f"stopped at {at} {n}", flush=True)
            os.kill(os.getpid(), signal.SIGSTOP)

    if "--cli" in argv:
        return _cli(corpus, store, url, progress, full="--full" in argv)
    settings = Settings(corpus=Path(corpus), store=Path(store), chroma_url=None if url == "-" else url)
    report = rebuild_index(settings, load_embedder(), full="--full" in argv, progress=progress)
    for item in report.skipped:
        print(f"skipped {item.origin}: {item.reason}")
    print(f"done added={report.added} updated={report.updated} removed={report.removed}", flush=True)
    return 0


def _cli(corpus: str, store: str, url: str, stop_at: ProgressFn, full: bool) -> int:
    """`python -m index rebuild --corpus CORPUS --store STORE [--chroma-url URL] --quiet`, stopping at the point."""
    def hooked(settings: Settings, embedder: Embedder, **kwargs: Any) -> RebuildReport:
        def both(at: str, n: int, total: int) -> None:
            stop_at(at, n, total)
            if kwargs.get("progress") is not None:
                kwargs["progress"](at, n, total)

        return rebuild_index(settings, embedder, **{**kwargs, "progress": both})

    index.rebuild.rebuild_index = hooked  # the CLI imports it when it runs
    args = ["rebuild", "--corpus", corpus, "--store", store, "--quiet", *(["--full"] if full else [])]
    return cli.main(args + (["--chroma-url", url] if url != "-" else []))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
