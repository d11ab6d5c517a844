"""A rebuild in its own process that freezes itself (SIGSTOP) at a chosen progress point.

`python tests/rebuild_child.py CORPUS STORE CHROMA_URL|- STAGE DONE [--full]`: runs the real
`rebuild_index` and, when it reports `STAGE` with `done >= DONE`, prints `stopped at STAGE DONE` and
stops, so a test can look at the store mid-rebuild and then SIGKILL or resume (SIGCONT) the process.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import index.offline  # noqa: F401
from index.embedding import load_embedder
from index.rebuild import rebuild_index
from index.settings import Settings


def main(argv: list[str]) -> int:
    """Run the rebuild; exit 0 when it completes."""
    corpus, store, url, stage, done = argv[:5]
    settings = Settings(corpus=Path(corpus), store=Path(store), chroma_url=None if url == "-" else url)
    embedder = load_embedder()
    stopped = False

    def progress(at: str, n: int, total: int) -> None:
        nonlocal stopped
        if not stopped and at == stage and n >= int(done):
            stopped = True
            print(f"stopped at {at} {n}", flush=True)
            os.kill(os.getpid(), signal.SIGSTOP)

    report = rebuild_index(settings, embedder, full="--full" in argv, progress=progress)
    for item in report.skipped:
        print(f"skipped {item.origin}: {item.reason}")
    print(f"done added={report.added} updated={report.updated} removed={report.removed}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
