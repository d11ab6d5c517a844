"""The chat server as users meet it: memory over one long session and over many short ones, temp files, load.

app.py runs as its own process on 127.0.0.1 (a free port; --no-build, so the index is only read), its temp
folders (TMPDIR, GRADIO_TEMP_DIR) inside the bench's work folder so every file it leaves there is counted.
The bench talks to it through gradio_client as the page does, sending the chat history back with every
question as a browser does:

- one session: N questions in one client session; the server's resident memory (VmRSS) at 0, N/3, 2N/3 and N
  turns, and the latency of every answer (the single-user figures);
- N one-turn sessions: a fresh session per question; RSS at 0, N/3, 2N/3 and N sessions;
- temp files the server left after those 2N answers;
- concurrent load (bot.lab.bench.load): C clients asking for S seconds each, per C.

Growth from N/3 to N must stay within GROWTH_TARGET: memory levels off once caches are warm.
"""

from __future__ import annotations

import functools
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from bot.lab import REPO
from bot.lab.bench.indexing import BenchError, child_env
from bot.lab.bench.report import progress_bar, step
from bot.lab.stats import percentile
from bot.web.guards import MAX_TURNS
from bot.workers import WORKER_FAILED, WORKERS_READY, WORKERS_STARTING

READY_TIMEOUT_S = 600.0  # loading the model, the index and the example questions on a busy machine
ERROR_MARK = 'class="error-text"'  # what an error bubble holds (bot/web/templates/notices.html)


@dataclass(frozen=True)
class Server:
    """A running app.py: its process, URL and the temp folder it writes into."""

    proc: subprocess.Popen[bytes]
    url: str
    temp: Path
    log: Path

    def rss_mb(self) -> float:
        """The resident memory of the server and its answer workers now, in MB (VmRSS summed)."""
        return sum(_rss_mb(pid) for pid in _process_tree(self.proc.pid))

    def temp_files(self) -> list[Path]:
        """Every file under the server's temp folders."""
        return sorted(p for p in self.temp.rglob("*") if p.is_file())


def _rss_mb(pid: int) -> float:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except FileNotFoundError:  # the process ended since it was listed
        return 0.0
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise BenchError("no VmRSS in /proc: the serving figures need Linux")


def _process_tree(root: int) -> list[int]:
    """`root` and every process descended from it (the app's answer workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        parent = int(text[text.rindex(")") + 2:].split()[1])
        children.setdefault(parent, []).append(int(stat.parent.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(store: Path, work: Path, workers: int | None = None) -> Iterator[Server]:
    """app.py on `store` (read only) on 127.0.0.1, until the block ends; fails with its log if it does not start."""
    port = _free_port()
    temp = work / "serve-tmp"
    temp.mkdir(parents=True, exist_ok=True)
    (temp / "gradio").mkdir(exist_ok=True)
    log = work / "serve.log"
    env = child_env() | {"TMPDIR": str(temp), "GRADIO_TEMP_DIR": str(temp / "gradio"),
                         "GRADIO_ANALYTICS_ENABLED": "False"}
    command = [sys.executable, str(REPO / "app.py"), "--store", str(store), "--no-build", "--host", "127.0.0.1",
               "--port", str(port)] + ([] if workers is None else ["--workers", str(workers)])
    with open(log, "w") as out:  # a file: nobody drains a pipe, and a full one stalls the server
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(proc, f"http://127.0.0.1:{port}/", temp, log)
    try:
        _wait_until_ready(server, port)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_until_ready(server: Server, port: int) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while "chat ready on" not in server.log.read_text(errors="replace"):
        if server.proc.poll() is not None or time.monotonic() > deadline:
            tail = "\n".join(server.log.read_text(errors="replace").splitlines()[-20:])
            raise BenchError(f"app.py did not start (exit {server.proc.poll()}):\n{tail}")
        time.sleep(0.2)
    if WORKERS_STARTING in server.log.read_text(errors="replace"):  # measure once every worker has loaded
        while not any(line in server.log.read_text(errors="replace") for line in (WORKERS_READY, WORKER_FAILED)):
            if server.proc.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"app.py's answer workers did not start: see {server.log}")
            time.sleep(0.2)
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        if time.monotonic() > deadline:
            raise BenchError(f"app.py said it was ready but does not listen on port {port}")
        time.sleep(0.1)


def new_client(url: str) -> Any:
    """A gradio_client session with the server (files are left on the server, not downloaded)."""
    from gradio_client import Client

    # gradio_client opens a new httpx client for every request, and each would load the system's CA bundle
    # (~30 ms of CPU, taken from the server's cores; a browser loads it once): one context, made once, serves all.
    return Client(url, verbose=False, download_files=False, analytics_enabled=False, ssl_verify=_tls())


@functools.cache
def _tls() -> ssl.SSLContext:
    """The TLS settings every bench client shares (default verification; 127.0.0.1 is plain HTTP anyway)."""
    return ssl.create_default_context()


def room_for_question(client: Any, history: list[Any]) -> list[Any]:
    """The history to ask the next question with: a new chat (as a user clicks New chat) once the page would
    refuse another question in this one, else `history` itself."""
    if len(history) < 2 * MAX_TURNS:
        return history
    client.predict(api_name="/new_chat")
    return []


def ask(client: Any, question: str, history: list[Any]) -> tuple[list[Any], bool, float]:
    """Ask one question in the client's session as the page does: (the chat history after it, whether the answer
    is an error, seconds until the answer was complete)."""
    started = time.perf_counter()
    result = client.predict(question, history, [], [], "", "", api_name="/respond")
    seconds = time.perf_counter() - started  # what the user waits for; the page then fetches the passages
    client.predict(api_name="/after_answer")
    new_history = list(result[1])
    last = new_history[-1]["content"] if new_history else ""
    return new_history, ERROR_MARK in str(last), seconds


def marks_of(count: int) -> list[int]:
    """Where memory is read: 0, a third, two thirds and all of `count`."""
    return sorted({0, count // 3, 2 * count // 3, count})


def one_session(
    server: Server, questions: Sequence[str], tick: Callable[[int], None] = lambda done: None
) -> dict[str, Any]:
    """Every question in one session, the history sent back each time: RSS at the marks, latency, errors."""
    client = new_client(server.url)
    marks = marks_of(len(questions))
    rss = {0: server.rss_mb()}
    history: list[Any] = []
    latencies: list[float] = []
    errors = 0
    for i, question in enumerate(questions, start=1):
        history = room_for_question(client, history)
        started = time.perf_counter()
        try:
            history, failed, seconds = ask(client, question, history)
        except Exception:  # any failure of a request is an error the figure counts
            failed, seconds = True, time.perf_counter() - started
        latencies.append(seconds * 1000)
        errors += failed
        if i in marks:
            rss[i] = server.rss_mb()
        tick(i)
    return {"turns": len(questions), "rss_mb": {str(k): v for k, v in rss.items()}, "errors": errors,
            "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
            "growth": growth(rss, marks), "history_messages": len(history)}


def many_sessions(
    server: Server, questions: Sequence[str], tick: Callable[[int], None] = lambda done: None
) -> dict[str, Any]:
    """One question per fresh session (a new session hash each): RSS at the marks, errors."""
    client = new_client(server.url)
    marks = marks_of(len(questions))
    rss = {0: server.rss_mb()}
    errors = 0
    for i, question in enumerate(questions, start=1):
        client.reset_session()
        try:
            _, failed, _ = ask(client, question, [])
        except Exception:  # any failure of a request is an error the figure counts
            failed = True
        errors += failed
        if i in marks:
            rss[i] = server.rss_mb()
        tick(i)
    return {"sessions": len(questions), "rss_mb": {str(k): v for k, v in rss.items()}, "errors": errors,
            "growth": growth(rss, marks)}


def growth(rss: dict[int, float], marks: list[int]) -> float:
    """Relative growth of RSS from the first third of the run to its end (0.05 is 5%)."""
    start, end = marks[1] if len(marks) > 2 else marks[0], marks[-1]
    return (rss[end] - rss[start]) / rss[start]


def temp_figures(server: Server, answers: int) -> dict[str, Any]:
    """The files the server left in its temp folders after `answers` answers."""
    files = server.temp_files()
    return {"answers": answers, "files": len(files),
            "exports": sum(1 for f in files if f.name.startswith("news-chat-conversation-")),
            "bytes": sum(f.stat().st_size for f in files), "folder": str(server.temp)}


def measure_serving(
    store: Path, work: Path, questions: Sequence[str], parts: Sequence[str], clients: Sequence[int], seconds: float,
    workers: int | None, console: Console,
) -> dict[str, Any]:
    """Figure 6: app.py on `store`, measured by the parts asked for ("serving": memory and temp files over one
    long session and many short ones; "load": each number of concurrent clients for `seconds`)."""
    from bot.lab.bench.load import run_load  # imported here: gradio_client is needed only when serving is measured

    figures: dict[str, Any] = {"store": str(store), "workers": workers, "one_session": None, "many_sessions": None,
                               "temp_files": None, "load": []}
    step(console, f"starting app.py on {store} (--no-build: the index is only read)")
    with served(store, work, workers) as server:
        figures["rss_ready_mb"] = server.rss_mb()
        if "serving" in parts:
            n = len(questions)
            step(console, f"one session: {n} questions, the chat history sent back with each, as a browser does")
            with progress_bar(console) as bar:
                task = bar.add_task("turns", total=n)
                figures["one_session"] = one_session(server, questions, lambda i: bar.update(task, completed=i))
            step(console, f"{n} one-question sessions")
            with progress_bar(console) as bar:
                task = bar.add_task("sessions", total=n)
                figures["many_sessions"] = many_sessions(server, questions, lambda i: bar.update(task, completed=i))
            figures["temp_files"] = temp_figures(server, 2 * n)
        if "load" in parts:
            for count in clients:
                step(console, f"load: {count} concurrent clients for {seconds:.0f} s")
                figures["load"].append(run_load(server.url, questions, count, seconds))
        figures["rss_end_mb"] = server.rss_mb()
    return figures
