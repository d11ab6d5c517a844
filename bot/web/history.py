"""Saved conversations: a small SQLite file beside the index, so a conversation survives a reload or a restart.

Why SQLite on this machine rather than the browser's storage: the chat is local-first, the file sits with the
index it was asked against (STORE/history.sqlite3, or the server's cache folder for a Chroma server), and
SQLite gives atomic writes, safe concurrent sessions and bounded size without a hand-written format.

Each conversation belongs to an *owner*: "local" when the chat listens on 127.0.0.1 (one person's machine: every
browser there sees the list), else a random id the browser keeps (history_ui.py), so people sharing a server
never see each other's conversations. A conversation keeps what re-renders it, never the hit lists: the chat as
it was shown, and the session's light turns (bot.web.state: passages by chunk id, fetched again on reopening).

An unreadable file is renamed aside (history.sqlite3.broken-<time>) and reported once; a file that cannot be
written (a read-only folder) turns saving off, reported once. Neither ever stops the chat.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.retrieval.filters import Filters
from bot.types import AnswerSentence
from bot.web.state import PassageRef, Source, Turn
from index.settings import Settings
from index.snapshot import snapshot_files

log = logging.getLogger(__name__)
_T = TypeVar("_T")

HISTORY_FILE = "history.sqlite3"
LOCAL_OWNER = "local"  # the owner of every conversation when the chat listens on this machine only
KEEP_PER_OWNER = 100  # conversations kept per owner; saving one more drops the least recently used
KEEP_ALL = 2000  # conversations kept in the file across owners (a server shared by many browsers)
KEEP_TURNS = 50  # turns kept per conversation (the page refuses more: guards.MAX_TURNS)
MAX_CHAT_CHARS = 2_000_000  # a conversation's rendered chat above this is not saved (guards.MAX_HISTORY_CHARS)
TITLE_CHARS = 80
BUSY_TIMEOUT_S = 10.0  # how long a write waits for another process's write to finish
SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    title TEXT NOT NULL,
    questions INTEGER NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    chat TEXT NOT NULL,
    turns TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS recent ON conversations (owner, updated DESC);
"""


@dataclass(frozen=True)
class Summary:
    """A conversation as the list shows it: its id, title (the first question), number of questions, last use."""

    id: str
    title: str
    questions: int
    updated: float  # seconds since the epoch


@dataclass(frozen=True)
class Conversation:
    """A saved conversation: the chat as it was shown and the turns behind it."""

    id: str
    title: str
    updated: float
    chat: list[dict[str, Any]]
    turns: list[Turn]


def history_path(settings: Settings) -> Path:
    """Where the conversations of this index are kept: beside the index's own side files."""
    return snapshot_files(settings.store, settings.chroma_url).root / HISTORY_FILE


def title_of(question: str) -> str:
    """A conversation's title: its first question on one line, cut to TITLE_CHARS."""
    line = " ".join(question.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


class ConversationHistory:
    """The saved conversations in one SQLite file; every method is safe to call from any session's thread."""

    def __init__(self, path: Path, keep: int = KEEP_PER_OWNER, keep_all: int = KEEP_ALL) -> None:
        self.path = Path(path)
        self.keep = keep
        self.keep_all = keep_all
        self.writable = True  # False once a write failed: saving stays off until the chat restarts
        self._notice: str | None = None
        self._reported: set[str] = set()
        self._notice_lock = threading.Lock()
        self._lock = threading.Lock()  # one writer at a time in this process; SQLite's lock covers others

    # ------------------------------------------------------------ reading

    def summaries(self, owner: str) -> list[Summary]:
        """The owner's conversations, most recently used first."""
        rows = self._read("SELECT id, title, questions, updated FROM conversations WHERE owner = ? "
                          "ORDER BY updated DESC, rowid DESC", (owner,))
        return [Summary(str(r[0]), str(r[1]), int(r[2]), float(r[3])) for r in rows]

    def load(self, owner: str, conversation_id: str) -> Conversation | None:
        """One of the owner's conversations, or None when it is gone (or cannot be read back)."""
        rows = self._read("SELECT id, title, updated, chat, turns FROM conversations WHERE owner = ? AND id = ?",
                          (owner, conversation_id))
        if not rows:
            return None
        cid, title, updated, chat, turns = rows[0]
        try:
            return Conversation(str(cid), str(title), float(updated), _chat_from_json(chat), _turns_from_json(turns))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("saved conversation %s cannot be read back (%s)", cid, exc)
            return None

    # ------------------------------------------------------------ writing

    def save(self, owner: str, conversation_id: str | None, chat: Sequence[dict[str, Any]],
             turns: Sequence[Turn]) -> str | None:
        """Save the conversation (a new one when `conversation_id` is None or unknown), drop the oldest beyond the
        caps; its id, or None when nothing was saved (no turns, too large, or saving is off)."""
        if not turns:
            return None
        chat_json = json.dumps(list(chat), ensure_ascii=False)
        if len(chat_json) > MAX_CHAT_CHARS:
            self._report(f"This conversation is too long to save (over {MAX_CHAT_CHARS:,} characters): "
                         "click New chat to start one that is saved.")
            return None
        turns_json = json.dumps([asdict(t) for t in list(turns)[-KEEP_TURNS:]], ensure_ascii=False)
        title = title_of(turns[0].question)

        def write(db: sqlite3.Connection) -> str:
            now = time.time()
            cid = conversation_id or uuid.uuid4().hex
            updated = db.execute("UPDATE conversations SET questions = ?, updated = ?, chat = ?, turns = ? "
                                 "WHERE id = ? AND owner = ?", (len(turns), now, chat_json, turns_json, cid, owner))
            if updated.rowcount == 0:  # new, or deleted meanwhile (another tab): saved again under a new id
                cid = uuid.uuid4().hex
                db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (cid, owner, title, len(turns), now, now, chat_json, turns_json))
            self._prune(db, owner)
            return cid

        return self._transaction(write)

    def delete(self, owner: str, conversation_id: str) -> bool:
        """Delete one of the owner's conversations; False when it was not there (or could not be deleted)."""
        deleted = self._transaction(lambda db: db.execute(
            "DELETE FROM conversations WHERE owner = ? AND id = ?", (owner, conversation_id)).rowcount > 0)
        return bool(deleted)

    def take_notice(self) -> str | None:
        """What went wrong with the history since the last call (each problem is reported once), or None."""
        with self._notice_lock:
            notice, self._notice = self._notice, None
        return notice

    # ------------------------------------------------------------ the file

    def _prune(self, db: sqlite3.Connection, owner: str) -> None:
        """Drop the owner's least recently used conversations beyond `keep`, then any beyond `keep_all`."""
        db.execute("DELETE FROM conversations WHERE id IN (SELECT id FROM conversations WHERE owner = ? "
                   "ORDER BY updated DESC, rowid DESC LIMIT -1 OFFSET ?)", (owner, self.keep))
        db.execute("DELETE FROM conversations WHERE id IN (SELECT id FROM conversations "
                   "ORDER BY updated DESC, rowid DESC LIMIT -1 OFFSET ?)", (self.keep_all,))

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if not create and not self.path.exists():
            return None  # nothing saved yet: reading never creates the file (nor its folder)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            db.executescript(SCHEMA)
        except BaseException:
            db.close()
            raise
        return db

    def _read(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            db = self._connect(create=False)
            if db is None:
                return []
            with contextlib.closing(db):
                return list(db.execute(sql, args).fetchall())
        except sqlite3.OperationalError as exc:  # locked past the timeout, unreadable folder: nothing to show
            self._report(f"Saved conversations cannot be read now ({exc}).")
            return []
        except sqlite3.DatabaseError as exc:  # not a database, or damaged
            self._set_aside(exc)
            return []

    def _transaction(self, work: Callable[[sqlite3.Connection], _T]) -> _T | None:
        """`work` in one immediate transaction (all of it or nothing); None when it could not be done. A damaged
        file is set aside and the work done once more in a new one; any other failure turns saving off."""
        with self._lock:
            for _ in range(2):
                if not self.writable:
                    return None
                try:
                    db = self._connect(create=True)
                except (OSError, sqlite3.Error) as exc:
                    if self._failed(exc):
                        continue
                    return None
                assert db is not None
                with contextlib.closing(db):
                    try:
                        db.execute("BEGIN IMMEDIATE")
                        result = work(db)
                        db.execute("COMMIT")
                        return result
                    except sqlite3.Error as exc:
                        with contextlib.suppress(sqlite3.Error):
                            db.execute("ROLLBACK")
                        if not self._failed(exc):
                            return None
            return None

    def _failed(self, exc: BaseException) -> bool:
        """A write failed: set a damaged file aside (True: try again in a new one), or turn saving off."""
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            return self._set_aside(exc)
        self.writable = False
        self._report(f"Conversations are not being saved: {self.path} cannot be written ({exc}). Check that "
                     "the index folder is writable and restart the chat.")
        return False

    def _set_aside(self, exc: BaseException) -> bool:
        """Rename the unreadable file out of the way (the next save starts a new one) and say so once."""
        aside = self.path.with_name(f"{self.path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            self.path.replace(aside)
            for extra in ("-journal", "-wal", "-shm"):  # SQLite's side files belong to the damaged file
                with contextlib.suppress(FileNotFoundError):
                    self.path.with_name(self.path.name + extra).replace(aside.with_name(aside.name + extra))
        except FileNotFoundError:
            return True  # another session set it aside first, and reported it
        except OSError as rename_error:
            self.writable = False
            self._report(f"Saved conversations in {self.path} cannot be read ({exc}) and the file cannot be moved "
                         f"aside ({rename_error}): conversations are not being saved. Move it away and restart.")
            return False
        self._report(f"Saved conversations could not be read ({exc}): the file was set aside as {aside.name} and "
                     "new conversations are saved in a new one.")
        return True

    def _report(self, message: str) -> None:
        """Log a problem and keep it for the page, once per distinct message."""
        with self._notice_lock:
            if message in self._reported:
                return
            self._reported.add(message)
            self._notice = message
        log.warning("%s", message)


def _chat_from_json(text: str) -> list[dict[str, Any]]:
    chat = json.loads(text)
    if not isinstance(chat, list) or not all(isinstance(m, dict) and {"role", "content"} <= m.keys() for m in chat):
        raise ValueError("the saved chat is not a list of messages")
    return [{"role": str(m["role"]), "content": m["content"]} for m in chat]


def _turns_from_json(text: str) -> list[Turn]:
    """The turns saved by `save` (asdict of state.Turn), with their tuples and nested dataclasses rebuilt."""
    turns = []
    for raw in json.loads(text):
        sentences = tuple(AnswerSentence(**_tupled(s)) for s in raw.pop("sentences"))
        turns.append(Turn(
            **raw | {"sentences": sentences, "notes": tuple(raw["notes"]),
                     "sources": tuple(Source(**s) for s in raw["sources"]),
                     "passages": tuple(PassageRef(**p | {"spans": tuple(tuple(span) for span in p.get("spans", ()))})
                                       for p in raw["passages"]),
                     "filters": Filters(**_tupled(raw.get("filters") or {}))}
        ))
    return turns


def _tupled(fields: dict[str, Any]) -> dict[str, Any]:
    """JSON's lists back into the tuples the dataclass holds."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
