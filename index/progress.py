"""The progress callbacks of long jobs (rebuilds, loading, embedding), one name per signature, and a plain-line
reporter for output that is not a terminal (a log file, a pipe), where a progress bar shows only at the end."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

ProgressFn = Callable[[str, int, int], None]  # (stage, done, total): a job of several stages, as rebuild_index reports
CountProgressFn = Callable[[int, int], None]  # (done, total) within one stage, as load_articles reports
AdvanceFn = Callable[[int], None]  # (n): n more items done, as the embedder reports after each batch

STEPS = 10  # lines per stage at most from the count alone: one each tenth of the stage
EVERY_S = 30.0  # and one at least this often, so a log of a slow stage still shows it moving


class LineProgress:
    """A ProgressFn writing one flushed line when a stage starts, each tenth of it, every 30 s, and when it ends.

    Our own because rich's bar redraws in place: off a terminal it prints nothing until the job is over.
    """

    def __init__(self, out: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.out = out
        self.clock = clock
        self.stage = ""
        self.started = self.last_time = 0.0
        self.last_step = -1
        self.finished = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Report that `done` of `total` items of `stage` are done."""
        now = self.clock()
        if stage != self.stage:
            self.stage, self.started, self.last_step, self.finished = stage, now, -1, False
        if self.finished:
            return
        step = min(done, total) * STEPS // max(total, 1)
        if done >= total:
            self.finished = True
            self._line(f"{done}/{total} done in {now - self.started:.1f} s", now, step)
        elif step > self.last_step or now - self.last_time >= EVERY_S:
            self._line(f"{done}/{total}", now, step)

    def _line(self, text: str, now: float, step: int) -> None:
        print(f"{self.stage:<10} {text}", file=self.out, flush=True)
        self.last_time, self.last_step = now, step
