"""Split articles into ~300-token, sentence-aligned chunks with exact character offsets."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from itertools import pairwise

from index.documents import Article, Chunk
from index.lexicon import load_vocabulary
from index.text import Span, load_sentence_model, sentence_spans


@lru_cache(maxsize=1)
def token_counter() -> Callable[[str], list[int]]:
    """The cl100k tokenizer that ships offline with llama-index."""
    from llama_index.core.utils import get_tokenizer

    return get_tokenizer()


def load_text_models() -> None:
    """Load the Punkt sentence model, the cl100k tokenizer and the vocabulary of everyday words now rather than on
    first use (about 3 s here)."""
    load_sentence_model()
    token_counter()
    load_vocabulary()


def count_tokens(text: str) -> int:
    """Number of cl100k tokens in `text`."""
    return len(token_counter()(text))


def _split_sentences_keep_whitespace(text: str) -> list[str]:
    # SentenceSplitter re-joins these pieces, so they must concatenate back to `text` exactly.
    spans = sentence_spans(text)
    if not spans:
        return [text]
    cuts = [0] + [start for start, _ in spans[1:]] + [len(text)]
    return [text[a:b] for a, b in pairwise(cuts) if b > a]


@lru_cache(maxsize=8)
def _splitter(chunk_tokens: int, chunk_overlap: int) -> object:
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(
        chunk_size=chunk_tokens,
        chunk_overlap=chunk_overlap,
        tokenizer=token_counter(),
        chunking_tokenizer_fn=_split_sentences_keep_whitespace,
    )


def split_into_chunks(article: Article, chunk_tokens: int = 300, chunk_overlap: int = 40) -> list[Chunk]:
    """Sentence-aware chunks of the article body; each keeps its offsets and the article's metadata."""
    splitter = _splitter(chunk_tokens, chunk_overlap)
    texts: list[str] = splitter.split_text(article.body)  # type: ignore[attr-defined]
    chunks: list[Chunk] = []
    floor = 0
    for n, piece in enumerate(t for t in texts if t.strip()):
        start, end = locate(article.body, piece, floor)
        floor = start + 1
        chunks.append(
            Chunk(
                article_id=article.id,
                n=n,
                text=article.body[start:end],
                start=start,
                end=end,
                title=article.title,
                outlet=article.outlet,
                published_at=article.published_at,
                url=article.url,
                author=article.author,
                category=article.category,
                content_hash=article.content_hash,
            )
        )
    return chunks


def locate(body: str, piece: str, floor: int = 0) -> Span:
    """Span of `piece` in `body` at or after `floor`, tolerating whitespace the splitter normalised."""
    piece = piece.strip()
    index = body.find(piece, floor)
    if index < 0:
        index = body.find(piece)
    if index >= 0:
        return index, index + len(piece)
    pattern = r"\s+".join(re.escape(word) for word in piece.split())
    match = re.compile(pattern).search(body, floor) or re.compile(pattern).search(body)
    if match is None:
        raise ValueError(f"chunk text not found in the article body: {piece[:60]!r}")
    return match.start(), match.end()
