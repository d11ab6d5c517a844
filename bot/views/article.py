"""One whole article read back from the index (its chunks in order), with the spans an answer cites in it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index.collection import ChunkCollection
from index.documents import Chunk

# An article is read back in one Chroma get of at most this many chunks (~1,000 words each at most): a long
# article is shown up to there, and the reader says it is cut.
MAX_ARTICLE_CHUNKS = 200


@dataclass(frozen=True)
class Article:
    """An article as the reader shows it: its details, its text, and where each of its chunks lies in the text."""

    article_id: str
    title: str
    outlet: str | None
    published_at: str | None
    url: str | None
    text: str
    chunks: dict[int, tuple[int, int]]  # chunk number -> where it lies in `text` (start, end)
    truncated: bool  # the article has more chunks than were read


def read_article(collection: ChunkCollection, article_id: str, limit: int = MAX_ARTICLE_CHUNKS) -> Article | None:
    """The article with this id from the index (None when it is not there), its chunks stitched into one text."""
    chunks = collection.article(article_id, limit + 1)
    if not chunks:
        return None
    return stitch(chunks[:limit], truncated=len(chunks) > limit)


def stitch(chunks: Sequence[Chunk], truncated: bool = False) -> Article:
    """One text from an article's chunks, sorted by position: their overlaps kept once, the whitespace between
    them (which the splitter drops) put back as a space, or as line breaks where it was wider.

    Chunks record their offsets in the article body, so the text comes back as it was indexed and a span of a
    chunk lies at its start (`chunks[n][0]`) plus the span's offset in it.
    """
    ordered = sorted(chunks, key=lambda c: (c.start, c.n))
    text, where = "", {}
    for chunk in ordered:
        if chunk.start >= len(text):
            gap = chunk.start - len(text)  # whitespace the splitter dropped: a space, or a paragraph break
            text += (" " if gap == 1 else "\n" * gap) + chunk.text
        elif chunk.start + len(chunk.text) > len(text):
            text += chunk.text[len(text) - chunk.start:]
        where[chunk.n] = (chunk.start, chunk.start + len(chunk.text))
    first = ordered[0]
    return Article(first.article_id, first.title, first.outlet, first.published_at, first.url, text, where,
                   truncated)


def article_spans(
    article: Article, spans: Iterable[tuple[int, int, int]], quotes: Iterable[tuple[int, str]] = ()
) -> list[tuple[int, int]]:
    """Where cited text lies in the article: `spans` as (chunk number, start, end) in that chunk, `quotes` as
    (chunk number, quoted text) found in that chunk; sorted, overlaps merged, those of chunks not read left out."""
    found = []
    for n, a, b in spans:
        lo, hi = article.chunks.get(n, (0, -1))
        if 0 <= a < b and lo + b <= hi:
            found.append((lo + a, lo + b))
    for n, quote in quotes:
        lo, hi = article.chunks.get(n, (0, -1))
        at = article.text.find(quote, lo, hi) if quote.strip() else -1
        if at >= 0:
            found.append((at, at + len(quote)))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(found):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged
