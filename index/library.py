"""The articles of an index as a list, and the corpus-folder side of adding and removing articles.

Adding and removing only change files in the corpus folder; the index follows at the next rebuild (the
same sync the CLI runs). Nothing is ever deleted: an uploaded file never replaces one already there, and
removing an article moves its file (or, for a file of several articles, a copy of it before the article is
taken out) into the corpus folder's `.removed/` folder, which the corpus reader skips like every dot folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.collection import StoredChunk
from index.errors import IndexLayerError
from index.loaders import JSON_SUFFIXES, JSONL_SUFFIXES, SUPPORTED_SUFFIXES, Skipped, load_articles
from index.record import recorded_corpus
from index.settings import DEFAULT_CORPUS

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # per file from the page: thousands of articles; larger corpora are copied in
MAX_NAME_CHARS = 200
REMOVED_FOLDER = ".removed"  # inside the corpus folder: where removed articles' files are kept


class LibraryError(IndexLayerError):
    """An upload or a removal was refused; the message says why and what to do."""


@dataclass(frozen=True)
class ArticleEntry:
    """One indexed article as the library lists it."""

    id: str
    title: str
    outlet: str | None
    published_at: str | None
    url: str | None
    file: str | None  # corpus file it came from, relative to the corpus folder
    passages: int
    content_hash: str  # as Article.content_hash: finds the article in its file whatever its position

    @property
    def day(self) -> str:
        """The publication day, YYYY-MM-DD, or '' when the article has no date."""
        return (self.published_at or "")[:10]


@dataclass(frozen=True)
class Upload:
    """An uploaded file saved into the corpus folder: its name there, its articles, the records it skipped."""

    name: str
    articles: int
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True)
class Removal:
    """An article taken out of the corpus folder: its file, where the file as it was is kept, and how."""

    file: str
    kept_at: str  # relative to the corpus folder, under .removed/
    rewritten: bool  # the file holds other articles: it was rewritten without this one (else it was moved)
    articles_in_file: int  # articles the file held before: a rebuild may re-read all of them


def list_articles(chunks: Iterable[StoredChunk]) -> list[ArticleEntry]:
    """One entry per article of these chunks, newest first (undated last), then by title."""
    first: dict[str, StoredChunk] = {}
    counts: dict[str, int] = {}
    for stored in chunks:
        article_id = stored.chunk.article_id
        first.setdefault(article_id, stored)
        counts[article_id] = counts.get(article_id, 0) + 1
    entries = [
        ArticleEntry(
            id=article_id, title=s.chunk.title, outlet=s.chunk.outlet, published_at=s.chunk.published_at,
            url=s.chunk.url, file=s.file, passages=counts[article_id], content_hash=s.chunk.content_hash,
        )
        for article_id, s in first.items()
    ]
    entries.sort(key=lambda e: (e.title.lower(), e.id))
    entries.sort(key=lambda e: e.day, reverse=True)  # stable: same-day articles stay by title; '' sorts last
    return entries


def search_articles(entries: Iterable[ArticleEntry], query: str) -> list[ArticleEntry]:
    """The entries whose title, outlet, date or file contain every word of `query` (any case)."""
    words = query.lower().split()
    return [e for e in entries if all(w in _haystack(e) for w in words)]


def _haystack(entry: ArticleEntry) -> str:
    return " ".join([entry.title, entry.outlet or "", entry.day, entry.file or ""]).lower()


def corpus_to_change(given: Path | None, metadata: Mapping[str, Any] | None) -> Path:
    """The corpus folder that uploads go into and removals come from: the one the next rebuild syncs with.

    That is `given` (--corpus), else the one the index (`metadata`: its active snapshot's) records, else, with
    no index yet, ./corpus; an index that records no corpus is refused rather than guessed at.
    """
    if given is not None:
        return writable_corpus(given)
    if metadata is None:
        return writable_corpus(DEFAULT_CORPUS)
    recorded = recorded_corpus(metadata)
    if recorded is None:
        raise LibraryError("the index does not record the corpus folder it was built from (it was built before "
                           "corpora were recorded) — restart the chat with --corpus set to that folder, or rebuild "
                           "it once with python -m index rebuild --corpus FOLDER")
    return writable_corpus(recorded)


def writable_corpus(corpus: Path) -> Path:
    """The corpus folder, when it is one this process can add files to; else LibraryError saying why."""
    corpus = Path(corpus)
    if not corpus.exists():
        raise LibraryError(f"the corpus folder {corpus} does not exist — restart the chat with --corpus set to the "
                           "folder of your articles")
    if not corpus.is_dir():
        raise LibraryError(f"the index was built from the file {corpus}, not from a folder: articles can be added "
                           "and removed from the page only in a corpus folder — put the file in a folder and "
                           "rebuild with --corpus set to that folder")
    if not os.access(corpus, os.W_OK | os.X_OK):
        raise LibraryError(f"the corpus folder {corpus} is read-only for this program — make it writable, or "
                           "copy the articles into it yourself and click Sync")
    return corpus


def upload_name_problem(name: str) -> str | None:
    """Why a file of this name cannot be saved into the corpus folder (with what to do), or None."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or any(ord(c) < 32 for c in name):
        return f"{name!r} is not a plain file name — rename the file (letters, digits, - and _) and upload it again"
    if len(name) > MAX_NAME_CHARS:
        return f"the file name is over {MAX_NAME_CHARS} characters — shorten it and upload it again"
    if name.startswith("."):
        return f"{name} starts with a dot, and hidden files are never read — rename it and upload it again"
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        return (f"{name}: unsupported file type {Path(name).suffix or '(none)'!r} — save the article as one of "
                f"{', '.join(sorted(SUPPORTED_SUFFIXES))} and upload it again")
    return None


def save_upload(corpus: Path, source: Path, name: str) -> Upload:
    """Check the uploaded file `source` (named `name` by the user), then save it into the corpus folder.

    Refused with LibraryError (nothing saved): an unsafe or unsupported name, a file over MAX_UPLOAD_BYTES, a
    name the corpus already has, or a file in which no article can be read (the reasons, as a rebuild gives them).
    """
    folder = writable_corpus(corpus)
    problem = upload_name_problem(name)
    if problem is not None:
        raise LibraryError(problem)
    size = Path(source).stat().st_size
    if size > MAX_UPLOAD_BYTES:
        raise LibraryError(f"{name} is {size / 1e6:.0f} MB, over the {MAX_UPLOAD_BYTES / 1e6:.0f} MB limit for "
                           f"uploads — split it, or copy it into {folder} yourself and click Sync")
    target = folder / name
    if target.exists() or target.is_symlink():
        raise LibraryError(f"the corpus already has a file named {name} — rename your file and upload it again")
    loaded = load_articles(Path(source))
    skipped = [Skipped(name + s.origin[len(Path(source).name):], s.reason, s.unreadable) for s in loaded.skipped]
    if not loaded.articles:
        reasons = "; ".join(s.reason for s in skipped) or "no article found"
        raise LibraryError(f"{name} was skipped: {reasons} — fix the file and upload it again")
    _copy_new(Path(source), target)
    return Upload(name=name, articles=len(loaded.articles), skipped=skipped)


def _copy_new(source: Path, target: Path) -> None:
    """Copy `source` to `target`, which must not exist; a reader never sees a half-written file."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.upload")  # a dot file: rebuilds skip it
    shutil.copyfile(source, temporary)
    try:
        os.link(temporary, target)  # fails if the name was taken meanwhile: never replaces a file
    except FileExistsError as exc:
        raise LibraryError(f"the corpus already has a file named {target.name} — rename your file and upload "
                           "it again") from exc
    finally:
        temporary.unlink(missing_ok=True)


def remove_article(corpus: Path, entry: ArticleEntry) -> Removal:
    """Take one indexed article out of the corpus folder, keeping its file as it was under .removed/."""
    folder = writable_corpus(corpus)
    path = _corpus_file(folder, entry.file)
    loaded = load_articles(path)
    found = [a for a in loaded.articles if a.content_hash == entry.content_hash]
    if not found:
        raise LibraryError(f"{entry.file} no longer holds this article as indexed (it changed since the last "
                           "rebuild) — click Sync, then remove it again")
    suffix = path.suffix.lower()
    position = found[0].origin.rpartition(":" if suffix in JSONL_SUFFIXES else "#")[2]
    kept = _kept_path(folder, path)
    kept.parent.mkdir(parents=True, exist_ok=True)
    if suffix in JSONL_SUFFIXES | JSON_SUFFIXES and position.isdigit() and len(loaded.articles) > 1:
        shutil.copy2(path, kept)
        _rewrite_without(path, suffix, int(position))
        rewritten = True
    else:
        os.replace(path, kept)
        rewritten = False
    return Removal(file=str(entry.file), kept_at=kept.relative_to(folder).as_posix(), rewritten=rewritten,
                   articles_in_file=len(loaded.articles))


def _corpus_file(folder: Path, file: str | None) -> Path:
    """The article's file inside the corpus folder; LibraryError if it is outside it or gone."""
    path = folder / (file or "")
    inside = file and path.resolve().is_relative_to(folder.resolve()) and not Path(file).is_absolute()
    if not inside:
        raise LibraryError(f"the index does not record a file inside {folder} for this article — rebuild the "
                           "index (Sync), then remove it again")
    if not path.is_file():
        raise LibraryError(f"{file} is no longer in the corpus folder — click Sync to bring the index up to date")
    return path


def _kept_path(folder: Path, path: Path) -> Path:
    """Where the file as it was is kept: .removed/<its path>, numbered when that name is taken."""
    kept = folder / REMOVED_FOLDER / path.relative_to(folder)
    n = 1
    while kept.exists():
        n += 1
        kept = kept.with_name(f"{path.stem}.{n}{path.suffix}")
    return kept


def _rewrite_without(path: Path, suffix: str, position: int) -> None:
    """Rewrite a .jsonl without line `position` (1-based) or a .json list without item `position`, atomically."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as exc:
        raise LibraryError(f"{path.name} holds several articles and cannot be rewritten ({exc}) — take the "
                           "article out of the file yourself, then click Sync") from exc
    if suffix in JSONL_SUFFIXES:
        lines = text.splitlines(keepends=True)
        # Blanked, not dropped: the other lines keep their numbers, which name their articles when they have no url.
        lines[position - 1] = "\n"
        new = "".join(lines)
    else:
        items = json.loads(text)
        del items[position]
        new = json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.rewrite")
    try:
        temporary.write_text(new, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
