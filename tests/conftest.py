"""Shared fixtures: the fixture corpus, one embedder per session, and a built fixture index."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import index.offline  # noqa: F401
from index.embedding import Embedder, load_embedder
from index.rebuild import RebuildReport, rebuild_index
from index.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CORPUS = ROOT / "tests" / "fixtures" / "corpus"
SHARED_DATA = ROOT.parent / "shared" / "data"
MULTIHOP_CORPUS = SHARED_DATA / "multihop-rag" / "corpus.json"
MULTIHOP_QUERIES = SHARED_DATA / "multihop-rag" / "queries_dev.json"
NATURAL_QUESTIONS = SHARED_DATA / "natural-questions" / "dev.json"


def multihop_query(text: str, qtype: str, facts: list[str], url: str | None = None) -> dict[str, object]:
    """A question in MultiHop-RAG's query format; each evidence item carries the article's url when given."""
    evidence = [{"fact": f, **({"url": url} if url else {})} for f in facts]
    return {"query": text, "question_type": qtype, "answer": "", "evidence_list": evidence}


def require_shared() -> None:
    """Skip the calling test when ../shared/data (the MultiHop-RAG data) is not beside the repo."""
    if not MULTIHOP_CORPUS.exists():
        pytest.skip(f"shared MultiHop-RAG data not found at {MULTIHOP_CORPUS} (CI has it beside the repo)")


def require_natural_questions() -> None:
    """Skip the calling test when ../shared/data has no natural-questions dev set."""
    if not NATURAL_QUESTIONS.exists():
        pytest.skip(f"shared natural-questions dev set not found at {NATURAL_QUESTIONS} (CI has it beside the repo)")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The packaged MiniLM, loaded once for the whole test session."""
    return load_embedder()


@pytest.fixture(scope="session")
def fixture_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> tuple[Settings, RebuildReport]:
    """Settings pointing at an index built from the fixture corpus (built once per session)."""
    store = tmp_path_factory.mktemp("fixture-index")
    settings = Settings(corpus=FIXTURE_CORPUS, store=store)
    report = rebuild_index(settings, embedder)
    return settings, report


def run_module(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """Run `python -m ARGS` (from the repo root unless told) as a user would, without BOT_/OPENAI_ settings."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "OPENAI_"))}
    full_env.update(env or {})
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), full_env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=600
    )


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    command: list[str], port: int, log: Path, env: dict[str, str] | None = None, timeout: float = 120.0
) -> subprocess.Popen[bytes]:
    """Start a server process logging to `log`; return once it listens on 127.0.0.1:port, else fail with its log."""
    with open(log, "w") as out:  # a file, not a pipe: nobody drains a pipe, and a full one stalls the server
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_process(proc)
            raise AssertionError(f"{command[0]} did not listen on port {port} (exit {proc.returncode}):\n"
                                 f"{log.read_text()}")
        time.sleep(0.1)


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a test server, killing it if it does not exit within 20 s."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def running_app(
    fixture_index: tuple[Settings, RebuildReport], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The chat app launched as a real process on the fixture index; yields its URL."""
    settings, _ = fixture_index
    port = free_port()
    env = {**os.environ, "BOT_STORE": str(settings.store), "BOT_PORT": str(port)}
    env.pop("OPENAI_API_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    log = tmp_path_factory.mktemp("app") / "app.log"
    proc = start_server([sys.executable, str(ROOT / "app.py"), "--no-build"], port, log, env)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop_process(proc)


CHROMIUM = Path("/usr/bin/chromium")  # Debian's: `npx playwright install` cannot run here


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, one per test module (skipped with the reason when absent)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A desktop-sized page; the test fails if the page raised a JavaScript error."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(60_000)
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
