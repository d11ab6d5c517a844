"""What a failure of Chroma (or of a write beside it) means for the user: the cause, and advice that fits it.

Chroma reports a full disk, a damaged file and a server that went away as many different exceptions and
messages (sqlite codes, Rust errors, httpx transport errors); this module turns each into one of the index
layer's errors with a one-line message, so the CLI and the page never show a traceback.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlparse

import httpx
from chromadb.errors import ChromaError

from index.errors import DamagedStoreError, DiskFullError, StoreError, StoreUnreachableError
from index.record import read_mirror

# Everything Chroma's client raises when its store cannot be used (the Rust bindings raise ChromaError
# subclasses; the HTTP client raises httpx errors; the file system raises OSError).
CHROMA_FAILURES: tuple[type[BaseException], ...] = (ChromaError, httpx.HTTPError, OSError, sqlite3.Error)

# Words of the messages Chroma gives when its own files no longer hold what it wrote.
_DAMAGED = (
    "malformed", "not a database", "failed to pull logs", "error finding id", "error loading hnsw",
    "corrupt", "invalid data", "unexpected eof", "failed to fill whole buffer",
)
_DISK_FULL = ("disk is full", "no space left", "database or disk is full")
_UNREACHABLE = ("connection refused", "connecterror", "connection reset", "server disconnected", "errno 111",
                "remoteprotocolerror", "could not connect", "connect call failed", "name or service not known")
_READ_ONLY = ("readonly", "read-only", "permission denied")
_FREE_BYTES = 1 << 20  # less than this free on the store's disk: a write failed because it is full


def one_line(exc: BaseException, limit: int = 240) -> str:
    """The exception's message on one line, cut to `limit` characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def explain(exc: BaseException, action: str, location: str, server: bool) -> StoreError:
    """The index layer's error for a failure to `action` the index at `location` (a folder or a server URL)."""
    detail = one_line(exc)
    text = f"{type(exc).__name__} {detail}".lower()
    if server and (isinstance(exc, httpx.TransportError | ConnectionError) or _has(text, _UNREACHABLE)):
        return StoreUnreachableError(
            f"cannot reach the Chroma server at {location} to {action} the index ({detail}) — start it with "
            f"{server_command(location)} (or fix --chroma-url / BOT_CHROMA_URL), then run this again"
        )
    if _is_disk_full(exc, text, None if server else location):
        return DiskFullError(
            f"the disk holding the index at {location} is full ({detail}) — free some space, then run this again; "
            "the previous index is unchanged"
        )
    if _has(text, _DAMAGED):
        return damaged(location, detail, server)
    if _has(text, _READ_ONLY) or (isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EROFS)):
        return StoreError(
            f"cannot {action} the index at {location}: {detail} — give this user write access to the folder, "
            "or pass --store (or BOT_STORE) a folder you can write to"
        )
    advice = "check the Chroma server is running" if server else "check the folder exists and is readable"
    return StoreError(f"cannot {action} the index at {location}: {detail} — {advice}, then run this again")


def damaged(location: str, detail: str, server: bool) -> DamagedStoreError:
    """The error for an index whose stored files cannot be read back, naming what to delete and what to run."""
    if server:
        return DamagedStoreError(
            f"the Chroma server at {location} cannot read the index ({detail}) — rebuild it with "
            f"`python -m index rebuild --full --chroma-url {location}`; if that fails too, stop the server, "
            "delete the folder it was started with (--path) and start it again before rebuilding"
        )
    corpus = read_mirror(Path(location))
    corpus_flag = f" --corpus {corpus}" if corpus else " --corpus DIR (the folder of your articles)"
    return DamagedStoreError(
        f"the index at {location} is damaged ({detail}) — delete the folder {location}, then rebuild it with "
        f"`python -m index rebuild --store {location}{corpus_flag}`"
    )


def server_command(url: str) -> str:
    """The `chroma run` command that serves `url`."""
    parsed = urlparse(url if "://" in url else f"http://{url}")
    return f"`chroma run --path DIR --host {parsed.hostname} --port {parsed.port or 8000}`"


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def _is_disk_full(exc: BaseException, text: str, folder: str | None) -> bool:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    if _has(text, _DISK_FULL):
        return True
    # Chroma may word a failed write on a full disk as anything ("Error in compaction: Failed to apply logs …"):
    # the free space says what happened.
    if folder is None:
        return False
    try:
        return shutil.disk_usage(_existing(Path(folder))).free < _FREE_BYTES
    except OSError:
        return False


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path
