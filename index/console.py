"""The command-line edge: a known failure becomes one `error: …` line, a closed pipe or Ctrl-C ends quietly.

Every command (`python -m index`, `python -m bot`, app.py) runs its body through `run_command`, so what a
user sees on a failure is one line that says what to do, never a traceback; `… | head` closing the pipe
early ends the command without a BrokenPipeError.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

EXIT_FAILED = 1
EXIT_PIPE_CLOSED = 141  # what a shell reports for a program ended by SIGPIPE (128 + 13), like `yes | head`
EXIT_INTERRUPTED = 130  # 128 + SIGINT


def run_command(body: Callable[[], int], known: tuple[type[BaseException], ...]) -> int:
    """Run a command; `known` failures print `error: MESSAGE` on stderr and return 1."""
    try:
        status = body()
        sys.stdout.flush()  # here, so a closed pipe is noticed while it can still be handled
        return status
    except known as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_PIPE_CLOSED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _silence_stdout() -> None:
    """Point stdout at /dev/null: the interpreter flushes it once more on exit, which would fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
