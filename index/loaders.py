"""Read articles from .txt, .md, .html, .json and .jsonl files; skip and report what cannot be read."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.documents import Article
from index.progress import CountProgressFn
from index.text import quick_sentence_spans

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES

MAX_ARTICLE_CHARS = 2_000_000  # ~2 MB of text: far beyond any news article, small enough to embed
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_UNDECODABLE_SHARE = 0.02  # a UTF-8 file with more broken bytes than this is read as another encoding
MAX_CHAOS = 0.2  # charset-normalizer's "mess" score above which a decoding is not believable text


@dataclass(frozen=True)
class Skipped:
    """A file (or one article in a file) that was not indexed, and why.

    `unreadable` marks a whole file that is still there but cannot be used right now (broken, binary, empty…):
    a rebuild keeps the articles it indexed from that file before, rather than deleting them.
    """

    origin: str
    reason: str
    unreadable: bool = False


@dataclass
class LoadResult:
    """Articles that loaded, files that were skipped, and warnings about ones loaded with repairs."""

    articles: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)
    files_seen: int = 0
    files: dict[str, str] = field(default_factory=dict)  # article id -> corpus file it came from


class _SkipFile(Exception):
    """Internal: the current file (or article) is skipped for the given reason."""

    def __init__(self, reason: str, unreadable: bool = True) -> None:
        super().__init__(reason)
        self.unreadable = unreadable


def load_articles(path: Path, progress: CountProgressFn | None = None) -> LoadResult:
    """Load every article under `path` (a folder, searched recursively, or a single file).

    `progress(done, total)` is called before each file is read.
    """
    path = Path(path)
    result = LoadResult()
    if not path.exists():
        result.skipped.append(Skipped(str(path), "no such file or folder"))
        return result
    root = path if path.is_dir() else path.parent
    files = [path] if path.is_file() else list(_walk(path, result))
    seen_ids: dict[str, str] = {}
    seen_hashes: dict[str, str] = {}
    for done, file in enumerate(files):
        if progress is not None:
            progress(done, len(files))
        result.files_seen += 1
        origin = _relative(file, root)
        try:
            articles = list(_load_file(file, root, origin, result))
        except _SkipFile as exc:
            result.skipped.append(Skipped(origin, str(exc), unreadable=exc.unreadable))
            continue
        for article in articles:
            duplicate = seen_ids.get(article.id) or seen_hashes.get(article.content_hash)
            if duplicate is not None:
                result.skipped.append(Skipped(article.origin, f"duplicate of the article in {duplicate}"))
                continue
            seen_ids[article.id] = article.origin
            seen_hashes[article.content_hash] = article.origin
            result.articles.append(article)
            result.files[article.id] = origin
    if progress is not None:
        progress(len(files), len(files))
    result.skipped.sort(key=lambda s: s.origin)  # one list in corpus order, however each file was skipped
    return result


def _walk(folder: Path, result: LoadResult) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            file = Path(dirpath) / name
            if file.suffix.lower() not in SUPPORTED_SUFFIXES:
                result.skipped.append(
                    Skipped(_relative(file, folder), f"unsupported file type {file.suffix or '(none)'!r}; "
                            f"use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}")
                )
                continue
            yield file


def _relative(file: Path, root: Path) -> str:
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return file.as_posix()


def _load_file(file: Path, root: Path, origin: str, result: LoadResult) -> Iterator[Article]:
    if file.is_symlink():
        target = file.resolve()
        if not target.is_relative_to(root.resolve()):
            raise _SkipFile(f"symlink points outside the corpus folder (to {target})", unreadable=False)
    text = _read_text(file, origin, result)
    suffix = file.suffix.lower()
    if suffix in JSON_SUFFIXES:
        yield from _from_json(text, origin, result)
    elif suffix in JSONL_SUFFIXES:
        yield from _from_jsonl(text, origin, result)
    elif suffix in HTML_SUFFIXES:
        yield _from_html(text, origin)
    elif suffix in MARKDOWN_SUFFIXES:
        yield _from_markdown(text, origin, file)
    else:
        yield _from_plain_text(text, origin, file)


def _read_text(file: Path, origin: str, result: LoadResult) -> str:
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _SkipFile(f"file is {size / 1e6:.0f} MB, over the {MAX_FILE_BYTES / 1e6:.0f} MB limit")
        data = file.read_bytes()
    except FileNotFoundError as exc:
        raise _SkipFile("file disappeared while the corpus was being read", unreadable=False) from exc
    except PermissionError as exc:
        raise _SkipFile("permission denied: make the file readable") from exc
    except IsADirectoryError as exc:
        raise _SkipFile("is a folder, not a file") from exc
    if not data.strip():
        raise _SkipFile("empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _SkipFile(f"broken UTF-16 text ({exc.reason}); convert it to UTF-8") from exc
    if b"\x00" in data[:8192]:
        raise _SkipFile("binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if any(ord(c) > 0x7F and c != "\ufffd" for c in text) and bad / max(len(text), 1) <= MAX_UNDECODABLE_SHARE:
        # Valid multi-byte UTF-8 around a few broken bytes: a damaged UTF-8 file, not another encoding.
        result.warnings.append(Skipped(origin, f"{bad} bytes were not valid UTF-8 and were replaced by �"))
        return text
    return _decode_legacy(data, origin, bad, result)


def _decode_legacy(data: bytes, origin: str, bad: int, result: LoadResult) -> str:
    """Text in another encoding (Latin-1, Windows-1252, Shift JIS…), detected by charset-normalizer."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > MAX_CHAOS:
        raise _SkipFile(
            f"not UTF-8 text ({bad} undecodable bytes) and not text in any encoding we recognise; convert it to UTF-8"
        )
    result.warnings.append(Skipped(origin, f"not UTF-8: read as {best.encoding}; convert it to UTF-8 to be sure"))
    return str(best)


def _article_id(url: str | None, origin: str) -> str:
    key = url.strip().rstrip("/").lower() if url else origin
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text if text and text.lower() not in ("none", "null") else None


_ISO = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def normalize_date(value: Any) -> str | None:
    """ISO 8601 form of a date given as text or a date object, or None if it cannot be read."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    match = _ISO.match(text)
    if not match:
        return None
    day, clock, fraction, zone = match.groups()
    if not clock:
        return day
    if clock.count(":") == 1:
        clock += ":00"
    micro = (fraction or "")[:7]  # datetime takes at most 6 fractional digits
    zone = "+00:00" if zone in (None, "Z") else (zone if ":" in zone else f"{zone[:3]}:{zone[3:]}")
    try:
        return dt.datetime.fromisoformat(f"{day}T{clock}{micro}{zone}").isoformat()
    except ValueError:
        return None


def _fallback_title(body: str, file: Path | None, origin: str) -> str:
    # The first line or sentence: the quick split ends one at every line break, where a headline ends.
    body = body.strip()
    start, end = quick_sentence_spans(body)[0]
    first = body[start:end].strip()
    if 0 < len(first) <= 120:
        return first
    stem = file.stem if file else origin
    return re.sub(r"[_-]+", " ", stem).strip() or origin


def _make_article(record: dict[str, Any], origin: str, file: Path | None = None) -> Article:
    body = record.get("body")
    if body is None or not isinstance(body, str):
        raise _SkipFile("article has no 'body' text")
    body = body.strip()
    if not body:
        raise _SkipFile("article body is empty")
    if len(body) > MAX_ARTICLE_CHARS:
        raise _SkipFile(
            f"article body is {len(body) / 1e6:.1f} MB of text, over the {MAX_ARTICLE_CHARS / 1e6:.0f} MB limit; "
            "split it into several articles"
        )
    url = _clean(record.get("url"))
    title = _clean(record.get("title")) or _fallback_title(body, file, origin)
    return Article(
        id=_article_id(url, origin),
        title=title,
        body=body,
        origin=origin,
        outlet=_clean(record.get("source")),
        published_at=normalize_date(record.get("published_at")),
        url=url,
        author=_clean(record.get("author")),
        category=_clean(record.get("category")),
    )


def _from_json(text: str, origin: str, result: LoadResult) -> Iterator[Article]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _SkipFile(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    if isinstance(data, dict):
        yield _make_article(data, origin)
        return
    if not isinstance(data, list):
        raise _SkipFile("JSON must be an article object or a list of article objects")
    yield from _records(enumerate(data), origin, result)


def _from_jsonl(text: str, origin: str, result: LoadResult) -> Iterator[Article]:
    records: list[tuple[int, Any]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((lineno, json.loads(line)))
        except json.JSONDecodeError as exc:
            result.skipped.append(Skipped(f"{origin}:{lineno}", f"invalid JSON: {exc.msg}"))
    if not records and not result.skipped:
        raise _SkipFile("no JSON lines")
    yield from _records(records, origin, result, sep=":")


def _records(items: Any, origin: str, result: LoadResult, sep: str = "#") -> Iterator[Article]:
    for position, record in items:
        item_origin = f"{origin}{sep}{position}"
        if not isinstance(record, dict):
            result.skipped.append(Skipped(item_origin, "not a JSON object"))
            continue
        try:
            yield _make_article(record, item_origin)
        except _SkipFile as exc:
            result.skipped.append(Skipped(item_origin, str(exc)))


def _from_html(text: str, origin: str) -> Article:
    import trafilatura  # heavy import, only needed for HTML

    doc: Any = trafilatura.bare_extraction(text, with_metadata=True, favor_recall=True)
    if doc is None or not (doc.text or "").strip():
        raise _SkipFile("no article text found in the HTML")
    body = doc.text.strip()
    title = _clean(doc.title)
    if title and body.startswith(title):
        body = body[len(title):].lstrip()
    return _make_article(
        {
            "title": title,
            "body": body,
            "source": doc.sitename or doc.hostname,
            "url": doc.url,
            "published_at": doc.date,
            "author": doc.author,
            "category": (doc.categories or [None])[0],
        },
        origin,
    )


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def _from_markdown(text: str, origin: str, file: Path) -> Article:
    import frontmatter
    import yaml

    meta: dict[str, Any] = {}
    body = text
    if _FRONT_MATTER.match(text):
        try:
            post = frontmatter.loads(text)
        except yaml.YAMLError as exc:
            raise _SkipFile(f"invalid YAML front matter: {exc}") from exc
        meta = dict(post.metadata)
        body = post.content
    heading = re.match(r"\A\s*#\s+(.+?)\s*(?:\n|\Z)", body)
    if heading and not meta.get("title"):
        meta["title"] = heading.group(1)
    if heading:
        body = body[heading.end():]
    meta["body"] = body
    if "date" in meta and "published_at" not in meta:
        meta["published_at"] = meta["date"]
    if "outlet" in meta and "source" not in meta:
        meta["source"] = meta["outlet"]
    return _make_article(meta, origin, file)


_TITLE_LINE = re.compile(r"\A\s*([^\n]{1,150})\n\s*\n")


def _from_plain_text(text: str, origin: str, file: Path) -> Article:
    # A short first line set off by a blank line, without closing punctuation, is the headline.
    match = _TITLE_LINE.match(text)
    if match and not match.group(1).rstrip().endswith((".", "!", "?", ":", ";", ",")):
        return _make_article({"title": match.group(1), "body": text[match.end():]}, origin, file)
    return _make_article({"body": text}, origin, file)
