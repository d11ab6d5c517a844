"""Read articles from .txt, .md, .html, .json and .jsonl files; skip and report what cannot be read.

Reading a file is bounded and typed (index/file_reading.py) and metadata is validated (index/article_fields.py);
here each format is parsed without recursion limits or regexes that backtrack on long lines, and every failure
of one file or one article becomes a skip with its reason, never an error that stops the rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.article_fields import check_date, normalize_date, text_field, unescape_references
from index.documents import Article
from index.file_reading import SkipFile, read_corpus_text, value_error_reason
from index.progress import CountProgressFn
from index.text import quick_sentence_spans

__all__ = ["LoadResult", "Skipped", "load_articles", "normalize_date"]

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES

MAX_ARTICLE_CHARS = 2_000_000  # ~2 MB of text: far beyond any news article, small enough to embed
MAX_HTML_CHARS = 20_000_000  # a saved page with its images inlined; bounds the HTML parser's time
MAX_FRONT_MATTER_CHARS = 64_000  # a few fields of metadata; bounds the YAML parser's time
MAX_BROKEN_LINES_SHOWN = 3
TITLE_SCAN_CHARS = 1000  # a headline is in the first lines: no need to split the whole body to find it

Warn = Callable[[str], None]


@dataclass(frozen=True)
class Skipped:
    """A file (or one article in a file) that was not indexed, and why.

    `unreadable` marks a whole file that is still there but cannot be used right now (broken, binary, empty,
    some lines of a .jsonl broken…): a rebuild keeps the articles it indexed from that file before, rather
    than deleting them.
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
    files = [path] if not path.is_dir() else list(_walk(path, result))
    seen_ids: dict[str, str] = {}
    seen_hashes: dict[str, str] = {}
    for done, file in enumerate(files):
        if progress is not None:
            progress(done, len(files))
        result.files_seen += 1
        origin = _relative(file, root)
        try:
            articles = list(_load_file(file, root, origin, result))
        except SkipFile as exc:
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
    def unlisted(exc: OSError) -> None:
        where = _relative(Path(exc.filename), folder) if exc.filename else str(folder)
        result.skipped.append(Skipped(where, f"cannot list this folder ({exc.strerror or exc})", unreadable=True))

    # followlinks=False: a symlinked folder is not entered, so a link cycle cannot make the walk endless.
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False, onerror=unlisted):
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


def _warner(result: LoadResult, origin: str) -> Warn:
    return lambda reason: result.warnings.append(Skipped(origin, reason))


def _load_file(file: Path, root: Path, origin: str, result: LoadResult) -> Iterator[Article]:
    warn = _warner(result, origin)
    text = read_corpus_text(file, root, warn)
    suffix = file.suffix.lower()
    if suffix in JSON_SUFFIXES:
        yield from _from_json(text, origin, result)
    elif suffix in JSONL_SUFFIXES:
        yield from _from_jsonl(text, origin, result)
    elif suffix in HTML_SUFFIXES:
        yield _from_html(text, origin, warn)
    elif suffix in MARKDOWN_SUFFIXES:
        yield _from_markdown(text, origin, file, warn)
    else:
        yield _from_plain_text(text, origin, file, warn)


def _article_id(url: str | None, origin: str) -> str:
    key = url.strip().rstrip("/").lower() if url else origin
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _fallback_title(body: str, file: Path | None, origin: str) -> str:
    # The first line or sentence: the quick split ends one at every line break, where a headline ends.
    head = body.strip()[:TITLE_SCAN_CHARS]
    start, end = quick_sentence_spans(head)[0]
    first = head[start:end].strip()
    if 0 < len(first) <= 120:
        return first
    stem = file.stem if file else origin
    return re.sub(r"[_-]+", " ", stem).strip() or origin


_TEXT_FIELDS = ("title", "source", "url", "author", "category")
_SHOWN_FIELDS = ("title", "source", "author", "category")  # read as text: a URL's "&amp;" is left as it is


def _make_article(record: dict[str, Any], origin: str, warn: Warn, file: Path | None = None) -> Article:
    body = record.get("body")
    if body is None or not isinstance(body, str):
        raise SkipFile("article has no 'body' text")
    body = body.strip()
    if not body:
        raise SkipFile("article body is empty")
    if len(body) > MAX_ARTICLE_CHARS:
        raise SkipFile(
            f"article body is {len(body) / 1e6:.1f} MB of text, over the {MAX_ARTICLE_CHARS / 1e6:.0f} MB limit; "
            "split it into several articles"
        )
    values: dict[str, str | None] = {}
    for key in _TEXT_FIELDS:
        text, problem = text_field(record.get(key))
        if problem:
            warn(f"{key} {problem}; left out")
        values[key] = unescape_references(text) if text and key in _SHOWN_FIELDS else text
    published_at, problem = check_date(record.get("published_at"))
    if problem:
        warn(f"published_at {problem}; left out")
    url = values["url"]
    return Article(
        id=_article_id(url, origin),
        title=values["title"] or _fallback_title(body, file, origin),
        body=body,
        origin=origin,
        outlet=values["source"],
        published_at=published_at,
        url=url,
        author=values["author"],
        category=values["category"],
    )


def _json_value(text: str) -> Any:
    """One JSON document, or SkipFile saying what is wrong with it."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SkipFile(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise SkipFile("JSON nested too deeply to read; an article is one object of text fields") from exc
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise SkipFile(f"invalid JSON: {value_error_reason(exc)}") from exc


def _from_json(text: str, origin: str, result: LoadResult) -> Iterator[Article]:
    data = _json_value(text)
    if isinstance(data, dict):
        yield _make_article(data, origin, _warner(result, origin))
        return
    if not isinstance(data, list):
        raise SkipFile("JSON must be an article object or a list of article objects")
    yield from _records(enumerate(data), origin, result)


def _from_jsonl(text: str, origin: str, result: LoadResult) -> Iterator[Article]:
    records: list[tuple[int, Any]] = []
    broken: list[str] = []
    lines = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        lines += 1
        try:
            records.append((lineno, _json_value(line)))
        except SkipFile as exc:
            broken.append(f"line {lineno}: {str(exc).replace(' at line 1, column', ' at column')}")
    if broken:
        # One entry for the file, marked unreadable: the articles its broken lines held stay in the index.
        shown = "; ".join(broken[:MAX_BROKEN_LINES_SHOWN]) + ("; …" if len(broken) > MAX_BROKEN_LINES_SHOWN else "")
        result.skipped.append(Skipped(
            origin, f"{len(broken)} of {lines} lines could not be read ({shown}); the other lines were loaded, "
            "and articles indexed before from this file are kept until it is fixed", unreadable=True,
        ))
    elif not records:
        raise SkipFile("no JSON lines")
    yield from _records(records, origin, result, sep=":")


def _records(items: Any, origin: str, result: LoadResult, sep: str = "#") -> Iterator[Article]:
    for position, record in items:
        item_origin = f"{origin}{sep}{position}"
        if not isinstance(record, dict):
            result.skipped.append(Skipped(item_origin, "not a JSON object"))
            continue
        try:
            yield _make_article(record, item_origin, _warner(result, item_origin))
        except SkipFile as exc:
            result.skipped.append(Skipped(item_origin, str(exc)))


def _from_html(text: str, origin: str, warn: Warn) -> Article:
    import trafilatura  # heavy import, only needed for HTML

    if len(text) > MAX_HTML_CHARS:
        raise SkipFile(f"HTML page is {len(text) / 1e6:.0f} MB, over the {MAX_HTML_CHARS / 1e6:.0f} MB limit; "
                       "save the article without embedded images")
    try:
        doc: Any = trafilatura.bare_extraction(text, with_metadata=True, favor_recall=True)
    except RecursionError as exc:
        raise SkipFile("HTML nested too deeply to read") from exc
    if doc is None or not (doc.text or "").strip():
        raise SkipFile("no article text found in the HTML")
    body = doc.text.strip()
    title, _ = text_field(doc.title)
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
        warn,
    )


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def _from_markdown(text: str, origin: str, file: Path, warn: Warn) -> Article:
    from index.front_matter import parse_front_matter

    meta: dict[str, Any] = {}
    body = text
    front = _FRONT_MATTER.match(text)
    if front:
        if len(front.group(1)) > MAX_FRONT_MATTER_CHARS:
            raise SkipFile(f"front matter is {len(front.group(1)):,} characters, over the "
                           f"{MAX_FRONT_MATTER_CHARS:,} limit; it holds a few fields of metadata")
        meta, body = parse_front_matter(text)
    heading, rest = _heading(body)
    if heading and not meta.get("title"):
        meta["title"] = heading
    if heading:
        body = rest
    meta["body"] = body
    if "date" in meta and "published_at" not in meta:
        meta["published_at"] = meta["date"]
    if "outlet" in meta and "source" not in meta:
        meta["source"] = meta["outlet"]
    return _make_article(meta, origin, warn, file)


def _heading(body: str) -> tuple[str | None, str]:
    """A leading `# heading` line's text and the body after it (string operations: a regex backtracked here)."""
    text = body.lstrip()
    if not text.startswith("#") or text[1:2] not in (" ", "\t"):
        return None, body
    line, _, rest = text.partition("\n")
    title = line[1:].strip()
    return (title, rest) if title else (None, body)


TITLE_LINE_CHARS = 150


def _from_plain_text(text: str, origin: str, file: Path, warn: Warn) -> Article:
    # A short first line set off by a blank line, without closing punctuation, is the headline.
    text = text.lstrip()
    first, _, rest = text.partition("\n")
    if (
        0 < len(first.strip()) <= TITLE_LINE_CHARS
        and rest.partition("\n")[0].strip() == ""
        and "\n" in rest
        and not first.rstrip().endswith((".", "!", "?", ":", ";", ","))
    ):
        return _make_article({"title": first.strip(), "body": rest}, origin, warn, file)
    return _make_article({"body": text}, origin, warn, file)
