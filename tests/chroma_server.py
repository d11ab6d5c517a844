"""A real `chroma run` server for tests, on a free port over a temporary folder."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.settings import Settings
from tests.conftest import free_port

CHROMA_CLI = Path(sys.executable).with_name("chroma")


@contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """Start `chroma run --path PATH` on 127.0.0.1 and a free port; yield its URL; stop it afterwards."""
    port = free_port()
    path.mkdir(parents=True, exist_ok=True)
    log = path.with_name(f"{path.name}.log")
    with open(log, "w") as out:  # a file, not a pipe: a full pipe would stall the server mid-request
        proc = subprocess.Popen(
            [str(CHROMA_CLI), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not _listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"chroma run did not start on port {port}:\n{log.read_text()}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass(frozen=True)
class Backend:
    """Where a test's index lives: the embedded store, or a real Chroma server (`url`)."""

    name: str
    url: str | None = None

    def settings(self, corpus: Path, store: Path) -> Settings:
        """Settings for `corpus` with the index in `store` (the local BM25 cache folder in server mode)."""
        return Settings(corpus=corpus, store=store, chroma_url=self.url)

    def cli_args(self, store: Path) -> list[str]:
        """The `--store`/`--chroma-url` flags for this backend."""
        return ["--store", str(store), *(["--chroma-url", self.url] if self.url else [])]


@pytest.fixture(params=["embedded", "server"], name="backend")
def backend_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Run the test against the embedded store and against a fresh `chroma run` server."""
    if request.param == "embedded":
        yield Backend("embedded")
        return
    with chroma_server(tmp_path / "chroma-server") as url:
        yield Backend("server", url)
