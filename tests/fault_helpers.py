"""Helpers of the fault matrix (tests/test_faults_*.py): a known question, one-line errors, a small disk to fill."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.retrieval.retriever import Retriever
from index.embedding import Embedder
from index.settings import Settings
from tests.conftest import FIXTURE_CORPUS

QUESTION = "Who won the hockey championship?"
ANSWER_TITLE = "Riverton Rockets win the championship"
FERRY = "# Ferry strike ends\n\nFerry workers in Port Elling ended a two-day strike, said Oswin Drabble.\n"


def assert_answers(settings: Settings, embedder: Embedder) -> None:
    """The index at `settings` answers the known question with the article that holds the answer."""
    hits = Retriever(settings, embedder).retrieve(QUESTION, k=1)
    assert hits and hits[0].chunk.title == ANSWER_TITLE


def fixture_copy(tmp_path: Path) -> Path:
    """A copy of the fixture corpus (7 articles) that a test may change."""
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    return corpus


def assert_one_line_error(result: subprocess.CompletedProcess[str], message: str) -> None:
    """Exit status 1 and exactly `error: MESSAGE` on stderr: one line, no traceback."""
    assert (result.returncode, result.stderr) == (1, f"error: {message}\n"), result.stderr


def error_line(stderr: str) -> str:
    """The one line a failing command printed (asserting there is exactly one and it is an error line)."""
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.fixture(name="small_disk")
def small_disk_fixture(tmp_path: Path) -> Iterator[Path]:
    """An 8 MiB tmpfs to fill up; skipped where the tests may not mount one (they need root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True,
                             text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up ({mounted.stderr.strip() or 'mount failed'}): the "
                    "disk-full rows need root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


def fill(disk: Path) -> Path:
    """Write zeros to a file on `disk` until it is full; return the file (delete it to free the space)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, bytes(1 << 16))
    except OSError:
        pass
    finally:
        os.close(fd)
    assert shutil.disk_usage(disk).free < 1 << 16
    return filler
