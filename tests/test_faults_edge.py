"""Fault matrix, the edges: a port already in use, settings that cannot work, a reader that closes the pipe.

Each row runs the command a user runs and asserts the exit status and the one line it prints (none for a
closed pipe, like any Unix tool), and that the index still answers afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from index.embedding import Embedder
from index.rebuild import RebuildReport
from index.settings import Settings
from tests.conftest import ROOT, free_port, run_module
from tests.fault_helpers import QUESTION, assert_answers, assert_one_line_error


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "OPENAI_"))}
    env["PYTHONPATH"] = str(ROOT)
    return env | extra


def _app(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], cwd=ROOT, env=env or _env(),
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("via", ["flag", "env"])
def test_port_in_use(fixture_index: tuple[Settings, RebuildReport], embedder: Embedder, via: str) -> None:
    settings, _ = fixture_index
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        if via == "flag":
            result = _app("--store", str(settings.store), "--port", str(port))
        else:
            result = _app(env=_env(BOT_STORE=str(settings.store), BOT_PORT=str(port)))
    assert_one_line_error(result, f"port {port} on 127.0.0.1 is already in use (another chat or program is "
                                  f"listening there) — stop it, or pass --port (or BOT_PORT) another port, e.g. "
                                  f"--port {port + 1}")
    assert "chat ready" not in result.stdout  # nothing claims to be ready
    assert_answers(settings, embedder)


def test_port_out_of_range(fixture_index: tuple[Settings, RebuildReport], embedder: Embedder) -> None:
    settings, _ = fixture_index
    result = _app("--store", str(settings.store), "--port", "99999")
    assert_one_line_error(result, "the port must be between 1 and 65535, got 99999 (check --port or BOT_PORT)")
    assert_answers(settings, embedder)


def test_host_that_is_not_this_machine(fixture_index: tuple[Settings, RebuildReport]) -> None:
    settings, _ = fixture_index
    port = free_port()
    result = _app("--store", str(settings.store), "--host", "192.0.2.1", "--port", str(port))  # TEST-NET-1
    assert_one_line_error(result, f"cannot listen on 192.0.2.1:{port} ([Errno 99] Cannot assign requested address) "
                                  "— pass --host (or BOT_HOST) an address of this machine, such as 127.0.0.1")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BOT_CHUNK_TOKENS": "-5"},
         "the chunk size must be a positive number of tokens, got -5 (check BOT_CHUNK_TOKENS)"),
        ({"BOT_CHUNK_OVERLAP": "-10"}, "the chunk overlap cannot be negative, got -10 (check BOT_CHUNK_OVERLAP)"),
        ({"BOT_CHUNK_TOKENS": "many"}, "chunk tokens must be a whole number, got 'many' (check BOT_CHUNK_TOKENS)"),
    ],
    ids=["negative-chunk-size", "negative-overlap", "not-a-number"],
)
def test_settings_that_cannot_work(
    fixture_index: tuple[Settings, RebuildReport], embedder: Embedder, tmp_path: Path, env: dict[str, str],
    message: str,
) -> None:
    settings, _ = fixture_index
    result = run_module("index", "rebuild", "--store", str(settings.store), "--quiet", env=env)
    assert_one_line_error(result, message)
    result = run_module("bot", "ask", QUESTION, "--store", str(settings.store), env=env)
    assert_one_line_error(result, message)
    assert_answers(settings, embedder)


@pytest.mark.parametrize("command", [("bot", "ask", QUESTION), ("index", "stats")], ids=["bot-ask", "index-stats"])
def test_closed_stdout_pipe(
    fixture_index: tuple[Settings, RebuildReport], embedder: Embedder, command: tuple[str, ...]
) -> None:
    settings, _ = fixture_index
    proc = subprocess.Popen([sys.executable, "-m", *command, "--store", str(settings.store)], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before anything is printed, as with `| head` that has had enough
    err = proc.stderr.read()
    assert (proc.wait(timeout=300), err) == (141, "")  # no BrokenPipeError traceback; the status a shell expects
    assert_answers(settings, embedder)
