"""The typed records that cross the index's boundaries: Article and Chunk."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

# The outlet is stored under the input formats' field name (Chroma metadata, BM25 columns): indexes stay readable.
OUTLET_KEY = "source"


@dataclass(frozen=True)
class Article:
    """One news article as loaded from the corpus; `body` is the text chunk offsets point into."""

    id: str
    title: str
    body: str
    origin: str  # file (relative to the corpus root) and, for multi-article files, "#index"
    outlet: str | None = None  # stored as `source`, the field name of the input formats
    published_at: str | None = None  # ISO 8601
    url: str | None = None
    author: str | None = None
    category: str | None = None

    @property
    def content_hash(self) -> str:
        """Hash of everything that ends up in the index; unchanged hash means nothing to re-embed."""
        payload = {k: v for k, v in asdict(self).items() if k not in ("id", "origin")}
        payload[OUTLET_KEY] = payload.pop("outlet")  # the stored key, so existing indexes keep their hashes
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()[:32]

    @property
    def published_ts(self) -> int | None:
        """Publication time as a Unix timestamp, for date filters."""
        return timestamp_of(self.published_at)


def chunk_id(article_id: str, n: int) -> str:
    """The id of an article's n-th passage (`article_id:n`; 0 is its opening)."""
    return f"{article_id}:{n}"


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: `article.body[start:end] == text`; id is `article_id:n`."""

    article_id: str
    n: int
    text: str
    start: int
    end: int
    title: str
    outlet: str | None = None  # stored as `source`, the field name of the input formats
    published_at: str | None = None
    url: str | None = None
    author: str | None = None
    category: str | None = None
    content_hash: str = ""

    @property
    def id(self) -> str:
        """Stable id `article_id:n`."""
        return chunk_id(self.article_id, self.n)

    def to_metadata(self) -> dict[str, str | int]:
        """Flat metadata for the vector store (None values are left out, as Chroma requires)."""
        meta: dict[str, Any] = {
            "article_id": self.article_id,
            "n": self.n,
            "start": self.start,
            "end": self.end,
            "title": self.title,
            OUTLET_KEY: self.outlet,
            "published_at": self.published_at,
            "url": self.url,
            "author": self.author,
            "category": self.category,
            "content_hash": self.content_hash,
        }
        ts = timestamp_of(self.published_at)
        if ts is not None:
            meta["published_ts"] = ts
        return {k: v for k, v in meta.items() if v is not None}

    @classmethod
    def from_metadata(cls, text: str, meta: dict[str, Any]) -> Chunk:
        """Rebuild a Chunk from what the store returned."""
        return cls(
            article_id=str(meta["article_id"]),
            n=int(meta["n"]),
            text=text,
            start=int(meta["start"]),
            end=int(meta["end"]),
            title=str(meta.get("title", "")),
            outlet=meta.get(OUTLET_KEY),
            published_at=meta.get("published_at"),
            url=meta.get("url"),
            author=meta.get("author"),
            category=meta.get("category"),
            content_hash=str(meta.get("content_hash", "")),
        )


def timestamp_of(iso: str | None) -> int | None:
    """Unix timestamp of an ISO 8601 date or date-time (UTC when no zone is given)."""
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())
