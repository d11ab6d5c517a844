"""index/failures.py: each kind of Chroma failure becomes the error whose advice fits its cause."""

from __future__ import annotations

import errno
from pathlib import Path

import httpx
from chromadb.errors import InternalError, InvalidArgumentError

from index.errors import DamagedStoreError, DiskFullError, StoreError, StoreUnreachableError
from index.failures import explain
from index.record import write_mirror

URL = "http://127.0.0.1:8765"


def test_a_server_that_is_gone_says_how_to_start_it() -> None:
    error = explain(httpx.ConnectError("[Errno 111] Connection refused"), "search", URL, server=True)
    assert isinstance(error, StoreUnreachableError)
    assert str(error) == (
        f"cannot reach the Chroma server at {URL} to search the index ([Errno 111] Connection refused) — start it "
        "with `chroma run --path DIR --host 127.0.0.1 --port 8765` (or fix --chroma-url / BOT_CHROMA_URL), then run "
        "this again"
    )


def test_damage_names_the_folder_and_the_recorded_corpus(tmp_path: Path) -> None:
    write_mirror(tmp_path, {"corpus": "/data/articles"})
    error = explain(InvalidArgumentError("Error executing plan: Failed to pull logs from the log store"), "read",
                    str(tmp_path), server=False)
    assert isinstance(error, DamagedStoreError)
    assert str(error) == (
        f"the index at {tmp_path} is damaged (Error executing plan: Failed to pull logs from the log store) — delete "
        f"the folder {tmp_path}, then rebuild it with `python -m index rebuild --store {tmp_path} --corpus "
        "/data/articles`"
    )
    unknown = explain(InternalError("database disk image is malformed"), "open", str(tmp_path / "other"), False)
    assert str(unknown).endswith(f"--store {tmp_path / 'other'} --corpus DIR (the folder of your articles)`")
    on_server = explain(InternalError("Error finding id"), "read", URL, server=True)
    assert isinstance(on_server, DamagedStoreError)
    assert f"rebuild it with `python -m index rebuild --full --chroma-url {URL}`" in str(on_server)


def test_a_full_disk_is_recognised_by_errno_by_message_and_by_free_space(tmp_path: Path) -> None:
    for exc in (OSError(errno.ENOSPC, "No space left on device"),
                InternalError("error returned from database: (code: 13) database or disk is full")):
        error = explain(exc, "write", str(tmp_path), server=False)
        assert isinstance(error, DiskFullError)
        assert str(error).endswith(" — free some space, then run this again; the previous index is unchanged")
    # Chroma's own wording on a full disk names no disk at all; with free space it is something else.
    other = explain(InternalError("Error in compaction: Failed to apply logs to the metadata segment"), "write",
                    str(tmp_path), server=False)
    assert type(other) is StoreError


def test_a_read_only_folder_says_so() -> None:
    error = explain(OSError(errno.EACCES, "Permission denied"), "write", "/srv/index", server=False)
    assert type(error) is StoreError
    assert str(error) == (
        "cannot write the index at /srv/index: [Errno 13] Permission denied — give this user write access to the "
        "folder, or pass --store (or BOT_STORE) a folder you can write to"
    )
