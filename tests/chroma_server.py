"""A real `chroma run` server for tests, on a free port over a temporary folder."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.settings import Settings
from tests.conftest import free_port, start_server, stop_process

CHROMA_CLI = Path(sys.executable).with_name("chroma")


def start_chroma(path: Path, port: int) -> subprocess.Popen[bytes]:
    """A `chroma run --path PATH` process listening on 127.0.0.1:port (stop it with stop_process)."""
    path.mkdir(parents=True, exist_ok=True)
    log = path.with_name(f"{path.name}.log")
    command = [str(CHROMA_CLI), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    return start_server(command, port, log, timeout=60)


@contextmanager
def chroma_server(path: Path, port: int | None = None) -> Iterator[str]:
    """Start `chroma run --path PATH` on 127.0.0.1 and `port` (default: a free one); yield its URL; stop it after."""
    port = port or free_port()
    proc = start_chroma(path, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc)


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
