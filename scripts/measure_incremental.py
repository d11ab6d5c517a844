"""Time a full rebuild and a sync after editing one article, as a user runs them (`python -m index rebuild`).

    .venv/bin/python scripts/measure_incremental.py [--corpus ../shared/data/multihop-rag/corpus.json]
        [--work /tmp/newsbot-measure] [--chroma-url URL]

Copies the corpus into --work (never into the repository), runs `rebuild --full`, edits one article,
runs `rebuild` again (and once more with nothing changed), and prints wall-clock times of each command
(process start, model load and rebuild) and the rebuild's own time as it reports it, with the ratios.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "multihop-rag" / "corpus.json"


def rebuild(corpus: Path, store: Path, chroma_url: str | None, *extra: str) -> tuple[float, float, str]:
    """Run the CLI; return (wall seconds, seconds the rebuild reports, its summary)."""
    args = [sys.executable, "-m", "index", "rebuild", "--corpus", str(corpus), "--store", str(store), "--quiet"]
    if chroma_url:
        args += ["--chroma-url", chroma_url]
    started = time.perf_counter()
    done = subprocess.run([*args, *extra], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"rebuild failed ({done.returncode}):\n{done.stderr}")
    match = re.search(r" in ([0-9.]+) s ", done.stdout)
    return wall, float(match.group(1)) if match else float("nan"), done.stdout.strip()


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="a JSON list of articles")
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsbot-measure"), help="scratch folder")
    parser.add_argument("--chroma-url", help="measure against a Chroma server instead of the embedded store")
    parser.add_argument("--article", type=int, default=300, help="position of the article to edit")
    args = parser.parse_args()

    if args.work.resolve().is_relative_to(ROOT):
        sys.exit("--work must be outside the repository")
    shutil.rmtree(args.work, ignore_errors=True)
    corpus, store = args.work / "corpus", args.work / "store"
    corpus.mkdir(parents=True)
    articles = json.loads(args.corpus.read_text(encoding="utf-8"))
    (corpus / "corpus.json").write_text(json.dumps(articles), encoding="utf-8")

    full_wall, full_own, full_out = rebuild(corpus, store, args.chroma_url, "--full")
    print(full_out, flush=True)
    articles[args.article]["body"] += "\nThis sentence was added to measure an incremental sync."
    (corpus / "corpus.json").write_text(json.dumps(articles), encoding="utf-8")
    sync_wall, sync_own, sync_out = rebuild(corpus, store, args.chroma_url)
    print(sync_out, flush=True)
    noop_wall, noop_own, noop_out = rebuild(corpus, store, args.chroma_url)
    print(noop_out, flush=True)

    print(f"\n{len(articles)} articles, one edited (#{args.article}); store: {args.chroma_url or 'embedded'}")
    print(f"{'':24}{'command wall':>14}{'rebuild itself':>16}")
    for label, wall, own in (
        ("full rebuild (--full)", full_wall, full_own),
        ("sync, 1 article edited", sync_wall, sync_own),
        ("sync, nothing changed", noop_wall, noop_own),
    ):
        print(f"{label:24}{wall:>12.1f} s{own:>14.1f} s")
    print(f"{'ratio sync / full':24}{sync_wall / full_wall:>13.1%} {sync_own / full_own:>14.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
