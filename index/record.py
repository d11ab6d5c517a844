"""What an index records about itself with each snapshot: the corpus it was built from, and what that corpus holds.

The corpus path is kept so that a rebuild without --corpus syncs with the articles the index came from (not
with whatever ./corpus holds); outlets, categories and the date range are kept so that `index stats` can say
what the index covers without reading every chunk. Both live in the snapshot's Chroma metadata (so a Chroma
server carries them to every machine); an embedded store also mirrors the corpus path to a small file, so
that the advice for a damaged store can still name the command that rebuilds it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.documents import Chunk, timestamp_of
from index.settings import DEFAULT_CORPUS

CORPUS_KEY = "corpus"  # snapshot metadata: the resolved path of the corpus it was built from
PROFILE_KEY = "profile"  # snapshot metadata: JSON of the outlets, categories and date range it holds
MIRROR_FILE = "corpus.json"  # in an embedded store's folder: the corpus path, readable without Chroma


@dataclass(frozen=True)
class IndexProfile:
    """What the indexed articles cover: articles per outlet and per category, first and last publication date."""

    outlets: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    first: str | None = None  # YYYY-MM-DD
    last: str | None = None


def corpus_entry(corpus: Path) -> str:
    """How a corpus path is recorded: resolved, so it means the same from any working directory."""
    return str(Path(corpus).expanduser().resolve())


def recorded_corpus(metadata: Mapping[str, Any] | None) -> Path | None:
    """The corpus a snapshot records, or None (built before corpora were recorded)."""
    value = (metadata or {}).get(CORPUS_KEY)
    return Path(str(value)) if value else None


def corpus_to_use(given: Path | None, metadata: Mapping[str, Any] | None) -> Path:
    """The corpus to sync with: the one given, else the one the index records, else ./corpus."""
    if given is not None:
        return Path(given)
    return recorded_corpus(metadata) or DEFAULT_CORPUS


def profile_entry(chunks: Iterable[Chunk]) -> str:
    """The profile of these chunks' articles, as recorded in snapshot metadata."""
    outlets: dict[str, set[str]] = {}
    categories: dict[str, set[str]] = {}
    stamps: list[int] = []
    for chunk in chunks:
        if chunk.outlet:
            outlets.setdefault(chunk.outlet, set()).add(chunk.article_id)
        if chunk.category:
            categories.setdefault(chunk.category, set()).add(chunk.article_id)
        if (ts := timestamp_of(chunk.published_at)) is not None:
            stamps.append(ts)
    return json.dumps({
        "outlets": {name: len(ids) for name, ids in sorted(outlets.items())},
        "categories": {name: len(ids) for name, ids in sorted(categories.items())},
        "first": _day(min(stamps)) if stamps else None,
        "last": _day(max(stamps)) if stamps else None,
    })


def read_profile(metadata: Mapping[str, Any] | None) -> IndexProfile | None:
    """The profile a snapshot records, or None (built before profiles were recorded, or unreadable)."""
    raw = (metadata or {}).get(PROFILE_KEY)
    if not raw:
        return None
    try:
        data = json.loads(str(raw))
        return IndexProfile(
            outlets={str(k): int(v) for k, v in dict(data["outlets"]).items()},
            categories={str(k): int(v) for k, v in dict(data["categories"]).items()},
            first=data.get("first"),
            last=data.get("last"),
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def write_mirror(folder: Path, metadata: Mapping[str, Any]) -> None:
    """Mirror the corpus path of the snapshot just activated into `folder` (best effort: only advice reads it)."""
    corpus = recorded_corpus(metadata)
    if corpus is None:
        return
    with contextlib.suppress(OSError):
        temporary = folder / (MIRROR_FILE + ".tmp")
        temporary.write_text(json.dumps({CORPUS_KEY: str(corpus)}))
        temporary.replace(folder / MIRROR_FILE)


def read_mirror(folder: Path) -> str | None:
    """The corpus path mirrored in an embedded store's folder, or None."""
    try:
        value = json.loads((folder / MIRROR_FILE).read_text()).get(CORPUS_KEY)
    except (OSError, ValueError, AttributeError):
        return None
    return str(value) if value else None


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")
