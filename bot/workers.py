"""Answer worker processes: each holds its own ChatEngine and computes whole answers, streamed back over a socket.

Answers at once in one process share one interpreter lock: on 2 cores, 10 users were served 3.4 questions/s
with two answer threads and 6.1 with two worker processes (same index, same questions; docs/benchmarks.md).
A worker is `python -m bot.workers FD`, not a multiprocessing child: that would re-run app.py's imports
(Gradio) in every worker. Workers follow rebuilds themselves (the retriever switches to a newer snapshot
before each answer) and exit when the server's end of their socket closes.
"""

from __future__ import annotations

import os
import pickle
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import cast

import index.offline  # noqa: F401  (before chromadb is imported, in the worker process too)
from bot.engine import ChatEngine
from bot.errors import AnswerWorkerError, BotError
from bot.retrieval.filters import Filters
from bot.types import Answer
from index.embedding import load_embedder
from index.errors import IndexLayerError
from index.settings import Settings

Say = Callable[[str], None]
ROOT = Path(__file__).resolve().parents[1]
WORKERS_STARTING = "answer worker processes starting"
WORKERS_READY = "answer workers ready"
WORKER_FAILED = "an answer worker could not start"
Request = tuple[str, list[tuple[str, str]], Filters | None, int | None]  # question, history, filters, k


@dataclass
class _Worker:
    proc: subprocess.Popen[bytes]
    conn: Connection


class AnswerWorkers:
    """`count` worker processes started in the background; `take` lends an idle one, `stream` answers with it."""

    def __init__(self, settings: Settings, count: int, say: Say | None = None) -> None:
        if count < 1:
            raise ValueError(f"answer workers must be 1 or more (got {count})")
        self.settings = settings
        self.count = count
        self._say = say or (lambda message: None)
        self._idle: list[_Worker] = []  # a stack: the worker used last has the warmest caches
        self._all: list[_Worker] = []
        self._lock = threading.Condition()
        self._closed = False
        # The cores shared out: with a model thread per core in each worker, answers at once ran more threads
        # than cores (10 users on 2 cores: 6.31 → 6.80 questions/s with one each; one user's p50 the same).
        self.model_threads = max(1, len(os.sched_getaffinity(0)) // count)
        self._say(f"{count} {WORKERS_STARTING} (until they are ready, answers are computed in this process)")
        for _ in range(count):
            self._start_in_background()

    def ready(self) -> int:
        """Workers started and idle now."""
        with self._lock:
            return len(self._idle)

    def wait_ready(self, timeout: float) -> bool:
        """Wait up to `timeout` s until every worker is idle; True when they are."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self._idle) == self.count, timeout=timeout)

    def take(self) -> _Worker | None:
        """An idle worker, taken out of the pool (give it back through `stream`); None when none is idle."""
        with self._lock:
            return self._idle.pop() if self._idle else None

    def stream(
        self,
        worker: _Worker,
        question: str,
        history: Sequence[tuple[str, str]] = (),
        filters: Filters | None = None,
        k: int | None = None,
    ) -> Generator[Answer, None, None]:
        """ChatEngine.stream_answer computed by `worker`; the worker goes back to the pool however this ends."""
        ended = False
        failure: BaseException | None = None
        try:
            self._send(worker, (question, list(history), filters, k))
            while True:
                kind, value = self._receive(worker)
                if kind == "end":
                    ended = True
                    if failure is not None:
                        raise failure
                    return
                if kind == "error":
                    failure = cast(BaseException, value)  # raised once "end" has come: the worker is free then
                else:
                    yield cast(Answer, value)
        finally:
            if worker.proc.poll() is not None:
                self._replace(worker)
            elif ended:
                self._give_back(worker)
            else:  # closed early (the user left): the rest of its answer is read off in the background
                threading.Thread(target=self._drain, args=(worker,), daemon=True).start()

    def close(self) -> None:
        """Stop every worker (they would also exit once this process ends)."""
        with self._lock:
            self._closed = True
            workers, self._all, self._idle = self._all, [], []
        for worker in workers:
            worker.conn.close()
            try:
                worker.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.proc.kill()
                worker.proc.wait()

    def pids(self) -> list[int]:
        """The process ids of the workers started and not stopped."""
        with self._lock:
            return [worker.proc.pid for worker in self._all]

    def _send(self, worker: _Worker, request: Request) -> None:
        try:
            worker.conn.send(request)
        except OSError as exc:
            raise self._stopped(worker) from exc

    def _receive(self, worker: _Worker) -> tuple[str, object]:
        try:
            message: tuple[str, object] = worker.conn.recv()
            return message
        except (EOFError, OSError) as exc:
            raise self._stopped(worker) from exc

    @staticmethod
    def _stopped(worker: _Worker) -> AnswerWorkerError:
        code = worker.proc.wait()
        return AnswerWorkerError(
            f"the process computing this answer stopped (exit code {code}); ask again — a new one is starting"
        )

    def _drain(self, worker: _Worker) -> None:
        try:
            while self._receive(worker)[0] != "end":
                pass
        except AnswerWorkerError:
            self._replace(worker)
            return
        self._give_back(worker)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(worker)
                self._lock.notify_all()
                return
        worker.conn.close()

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            if self._closed:
                return
        self._say(f"an answer worker stopped (exit code {worker.proc.poll()}); starting another")
        self._start_in_background()

    def _start_in_background(self) -> None:
        threading.Thread(target=self._start, daemon=True, name="answer-worker-start").start()

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        with theirs:
            # The project's root on the path: a worker imports `bot` however the server was started.
            path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
            proc = subprocess.Popen([sys.executable, "-m", "bot.workers", str(theirs.fileno())],
                                    pass_fds=[theirs.fileno()], env=os.environ | {"PYTHONPATH": path})
        worker = _Worker(proc, Connection(ours.detach()))
        try:
            worker.conn.send((self.settings, self.model_threads))
            kind, value = worker.conn.recv()
        except (EOFError, OSError):
            kind, value = "failed", f"exit code {proc.wait()}"
        if kind != "ready":
            worker.conn.close()
            self._say(f"{WORKER_FAILED} ({value}); answers are computed in the server's process")
            return
        with self._lock:
            if self._closed:
                worker.conn.close()
                return
            self._all.append(worker)
            self._idle.append(worker)
            self._lock.notify_all()
            everyone = len(self._all) == self.count
        if everyone:
            self._say(f"{WORKERS_READY} ({self.count})")


def _portable(exc: BaseException) -> BaseException:
    """`exc` itself when it survives pickling (the caller then catches it by type), else a BotError saying it."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # any exception may fail to pickle, for any reason
        return BotError(f"{type(exc).__name__}: {exc}")


def serve(conn: Connection) -> int:
    """The worker's side: load the engine from the Settings sent first, then answer until the socket closes."""
    settings, model_threads = conn.recv()
    try:
        engine = ChatEngine(settings, load_embedder(settings.embed_model, threads=model_threads))
    except (IndexLayerError, BotError) as exc:
        conn.send(("failed", str(exc)))
        return 1
    conn.send(("ready", os.getpid()))
    try:
        while True:
            _answer_one(engine, conn, conn.recv())
    except (EOFError, _ServerGone):
        return 0  # the server closed its end: it stopped, or it stops this worker


class _ServerGone(Exception):
    """The server's end of the socket is closed."""


def _answer_one(engine: ChatEngine, conn: Connection, request: Request) -> None:
    def send(message: tuple[str, object]) -> None:
        try:
            conn.send(message)
        except OSError as exc:
            raise _ServerGone from exc

    question, history, filters, k = request
    try:
        for answer in engine.stream_answer(question, history, filters=filters, k=k):
            send(("answer", answer))
    except _ServerGone:
        raise
    except Exception as exc:  # raised again in the server, as computing in-process would
        send(("error", _portable(exc)))
    send(("end", None))


if __name__ == "__main__":
    raise SystemExit(serve(Connection(int(sys.argv[1]))))
