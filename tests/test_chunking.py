"""Chunking: sentence-aligned ~N-token chunks with exact offsets into the article body."""

from __future__ import annotations

from index.chunking import count_tokens, locate, split_into_chunks
from index.documents import Article
from index.loaders import load_articles
from tests.conftest import FIXTURE_CORPUS


def harbor() -> Article:
    return next(a for a in load_articles(FIXTURE_CORPUS).articles if a.origin == "harbor-bridge.md")


def test_exact_chunk_boundaries_small_chunks() -> None:
    article = harbor()
    chunks = split_into_chunks(article, chunk_tokens=64, chunk_overlap=16)
    assert [(c.id, c.start, c.end) for c in chunks] == [
        (f"{article.id}:0", 0, 224),
        (f"{article.id}:1", 184, 408),
        (f"{article.id}:2", 409, 665),
    ]
    # Boundaries fall on sentence starts and ends.
    assert chunks[0].text.endswith("Mayor Dana Reyes cut the ribbon at dawn.")
    assert chunks[1].text.startswith("Mayor Dana Reyes cut the ribbon at dawn.")  # the overlap
    assert chunks[2].text.endswith("Councillor Amir Haddad called for an independent audit of the contract.")


def test_offsets_point_into_the_body_and_cover_it() -> None:
    for article in load_articles(FIXTURE_CORPUS).articles:
        chunks = split_into_chunks(article, chunk_tokens=48, chunk_overlap=8)
        assert chunks, article.origin
        for chunk in chunks:
            assert article.body[chunk.start:chunk.end] == chunk.text
            assert count_tokens(chunk.text) <= 48
        covered: set[int] = set()
        for chunk in chunks:
            covered.update(range(chunk.start, chunk.end))
        uncovered = [i for i in range(len(article.body)) if i not in covered and not article.body[i].isspace()]
        assert uncovered == [], article.origin


def test_default_chunking_keeps_metadata() -> None:
    article = harbor()
    chunks = split_into_chunks(article)
    assert len(chunks) == 1  # 150 tokens fit one 300-token chunk
    chunk = chunks[0]
    assert (chunk.start, chunk.end) == (0, len(article.body))
    assert chunk.title == article.title
    assert chunk.outlet == "Coastal Courier"
    assert chunk.published_at == "2023-10-04T09:30:00+00:00"
    assert chunk.url == article.url
    assert chunk.content_hash == article.content_hash
    meta = chunk.to_metadata()
    assert meta["article_id"] == article.id and meta["start"] == 0
    assert meta["published_ts"] == 1696411800
    assert "author" in meta and "category" in meta


def test_locate_tolerates_normalised_whitespace() -> None:
    body = "First line.\n  Second   line here."
    assert locate(body, "Second line here.") == (14, 33)
    assert locate(body, "First line.") == (0, 11)
