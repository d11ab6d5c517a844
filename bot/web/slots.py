"""How many answers are computed at once, and the line the other questions wait in.

Answers are CPU-bound, so only `workers` run together (bot.web.server picks the number); the others wait in
arrival order. Gradio's own queue would hold them too, but a question waiting there cannot tell its user
anything but "queue: 3/5" on a spinner; waiting here, the answer bubble says how many questions are ahead.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque


class AnswerSlots:
    """At most `workers` answers at once; each question gets a ticket and waits its turn."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"answer workers must be 1 or more (got {workers})")
        self.workers = workers
        self._changed = threading.Condition()
        self._numbers = itertools.count(1)
        self._waiting: deque[int] = deque()
        self._running: set[int] = set()

    def join(self) -> int:
        """A ticket for a new question, at the end of the line."""
        with self._changed:
            ticket = next(self._numbers)
            self._waiting.append(ticket)
            self._admit()
            return ticket

    def wait(self, ticket: int, timeout: float) -> int:
        """Wait up to `timeout` s for the ticket's turn: 0 once it may run, else the questions still ahead of it
        (those answered now and those before it in line)."""
        with self._changed:
            self._changed.wait_for(lambda: ticket in self._running, timeout=timeout)
            if ticket in self._running:
                return 0
            return len(self._running) + self._waiting.index(ticket)

    def leave(self, ticket: int) -> None:
        """The ticket's answer is done, or its user left the line: the next question may start."""
        with self._changed:
            self._running.discard(ticket)
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            self._admit()

    def counts(self) -> tuple[int, int]:
        """(answers running, questions waiting)."""
        with self._changed:
            return len(self._running), len(self._waiting)

    def _admit(self) -> None:
        while self._waiting and len(self._running) < self.workers:
            self._running.add(self._waiting.popleft())
        self._changed.notify_all()
