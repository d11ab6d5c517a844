"""Concurrent load on the chat server: C clients, each its own session, asking one question after another.

Each client behaves as the single user it is compared with (bot.lab.bench.serving.one_session): its chat history
goes back with every question, and it starts a new chat when the page would ask for one. Each client asks its
next question as soon as its last answer is complete, for `seconds`; questions in flight
when time is up are waited for and counted. Per answer: the time to the first streamed update (the page shows
the question and a waiting or working bubble) and to the complete answer; an exception or an error bubble is an
error. Questions per second are complete answers over the wall time from the first question to the last answer.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.lab.bench.serving import ERROR_MARK, new_client, room_for_question
from bot.lab.stats import percentile


@dataclass
class _Tally:
    """What the clients measured, shared between their threads."""

    first_ms: list[float] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, first: float | None, total: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.total_ms.append(total * 1000)
                self.first_ms.append((total if first is None else first) * 1000)
            else:
                self.errors.append(error)


def timed_question(
    client: Any, question: str, history: list[Any]
) -> tuple[float | None, float, str | None, list[Any]]:
    """(seconds to the first streamed update, seconds to the complete answer, the error or None, the chat history
    after it), asking with `history`."""
    started = time.perf_counter()
    first: float | None = None
    try:
        job = client.submit(question, history, [], [], "", "", api_name="/respond")
        for _ in job:
            if first is None:
                first = time.perf_counter() - started
        result = job.result()
        total = time.perf_counter() - started  # the answer is complete; the page then fetches the passage store
        client.predict(api_name="/after_answer")
    except Exception as exc:  # any failure of a request is an error the figure counts
        return first, time.perf_counter() - started, f"{type(exc).__name__}: {exc}"[:300], []
    after = list(result[1]) if len(result) > 1 else []
    if not after or ERROR_MARK in str(after[-1]["content"]):
        return first, total, "error bubble: " + (str(after[-1]["content"])[:200] if after else "no answer"), []
    return first, total, None, after


def run_load(url: str, questions: Sequence[str], clients: int, seconds: float) -> dict[str, Any]:
    """`clients` concurrent sessions asking `questions` (round robin) for `seconds`; latency, errors, rate."""
    sessions = [new_client(url) for _ in range(clients)]  # connected before the clock starts
    pool = itertools.cycle(questions)
    pool_lock = threading.Lock()
    tally = _Tally()
    start_gate = threading.Barrier(clients + 1)
    deadline = 0.0

    def work(client: Any) -> None:
        start_gate.wait()
        history: list[Any] = []
        while time.perf_counter() < deadline:
            with pool_lock:
                question = next(pool)
            first, total, error, history = timed_question(client, question, room_for_question(client, history))
            tally.add(first, total, error)

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in sessions]
    for t in threads:
        t.start()
    started = time.perf_counter()
    deadline = started + seconds
    start_gate.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    for client in sessions:
        client.close()
    done = len(tally.total_ms)
    return {
        "clients": clients, "seconds": seconds, "wall_s": wall, "answers": done, "errors": len(tally.errors),
        "error_samples": sorted(set(tally.errors))[:3], "questions_per_s": done / wall if wall else 0.0,
        "p50_ms": percentile(tally.total_ms, 50), "p95_ms": percentile(tally.total_ms, 95),
        "first_update_p50_ms": percentile(tally.first_ms, 50), "first_update_p95_ms": percentile(tally.first_ms, 95),
    }
