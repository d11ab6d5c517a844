"""`python -m bot.lab.reshape`: a corpus rewritten as snippets, each a document of its own.

Retrieval should hold on a corpus of short items as well as on whole articles (issue #17: the ranker once lost
to plain BM25 on another benchmark's 969 news snippets). This writes every article as consecutive windows of
whole sentences, about `--words` words each, with the article's title, outlet, date and link, so the same
questions can be asked of the same text with no article structure left (no lede, no neighbouring passages):
index the output with `python -m index rebuild --corpus OUT --store DIR` and run `python -m bot.lab.eval
retrieval` on it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from index.documents import Article
from index.loaders import load_articles
from index.text import sentence_spans

WORDS = 70  # a window closes at the first sentence end past this many words (~80 on average on news)


def windows(body: str, words: int = WORDS) -> list[str]:
    """The body as consecutive runs of whole sentences, each closed once it holds `words` words (the last may hold
    fewer)."""
    out: list[str] = []
    start, count = None, 0
    for a, b in sentence_spans(body):
        if not body[a:b].strip():
            continue
        start = a if start is None else start
        count += len(body[a:b].split())
        if count >= words:
            out.append(body[start:b].strip())
            start, count = None, 0
    if start is not None:
        out.append(body[start:].strip())
    return out


def snippets(article: Article, words: int = WORDS) -> list[dict[str, Any]]:
    """One record per window of the article, in the corpus JSON format, its link marked with the window's number."""
    base = article.url or article.id
    return [{"title": article.title, "body": text, "source": article.outlet, "published_at": article.published_at,
             "url": f"{base}#snippet-{n}", "author": article.author, "category": article.category}
            for n, text in enumerate(windows(article.body, words))]


def build_parser() -> argparse.ArgumentParser:
    """Argument parser of the reshaping command."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.lab.reshape",
        description="Write a corpus as snippets of about N words, each its own document (to measure retrieval on "
                    "a corpus of short items).")
    parser.add_argument("--corpus", type=Path, required=True, help="corpus file or folder (any format the index reads)")
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write (refused if it exists)")
    parser.add_argument("--words", type=int, default=WORDS, help=f"words per snippet, at least (default {WORDS})")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: writes the snippets, prints what it wrote, returns the exit code."""
    args = build_parser().parse_args(argv)
    if args.words < 1:
        print("error: --words must be at least 1", file=sys.stderr)
        return 2
    if args.out.exists():
        print(f"error: {args.out} exists; give another --out (nothing is overwritten)", file=sys.stderr)
        return 1
    if not args.corpus.exists():
        print(f"error: no corpus at {args.corpus}", file=sys.stderr)
        return 1
    loaded = load_articles(args.corpus)
    records = [r for article in loaded.articles for r in snippets(article, args.words)]
    try:
        args.out.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc}", file=sys.stderr)
        return 1
    mean = statistics.fmean(len(r["body"].split()) for r in records) if records else 0.0
    print(f"wrote {len(records)} snippets of {len(loaded.articles)} articles to {args.out} "
          f"({mean:.0f} words on average); {len(loaded.skipped)} skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
