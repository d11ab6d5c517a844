"""Bounds on one reply of the LLM server, enforced on its bytes as they arrive: size, overall time, `[DONE]`.

The per-read timeout alone lets a server that drips a byte every few seconds hold a request forever, and the
`openai` client buffers whatever one event holds; so every response body is wrapped (an httpx response hook,
which also covers proxies) in a stream that counts bytes and checks the clock, and notes whether the stream
ended with `data: [DONE]`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx

from bot.errors import LLMError

MAX_REPLY_BYTES = 4 * 1024 * 1024  # a 700-token answer streams in ~200 kB of events
# A whole reply may take this many times the timeout (which bounds each wait for the next bytes): a server
# dripping a byte every few seconds cannot hold a request forever. `--llm-timeout`'s help says so.
DEADLINE_FACTOR = 4
DONE_MARK = b"data: [DONE]"
_STARTED = "llm_started"  # request extension: when the request was sent
_STATE = "llm_reply"  # response extension: the ReplyState of its body


@dataclass
class ReplyState:
    """What the bounded body has seen so far."""

    received: int = 0
    done: bool = False  # the `data: [DONE]` line that ends a complete stream
    tail: bytes = b""


@dataclass(frozen=True)
class ReplyLimits:
    """The bounds, and the errors raised when one is passed (messages name the server and what to do)."""

    deadline: float  # seconds from the request to the end of the reply
    max_bytes: int
    too_slow: Callable[[], LLMError]
    too_large: Callable[[], LLMError]

    def event_hooks(self) -> dict[str, list[Callable[..., None]]]:
        """httpx event hooks that apply these bounds to every request and response body."""
        return {"request": [self._started], "response": [self._bound]}

    def _started(self, request: httpx.Request) -> None:
        request.extensions = {**request.extensions, _STARTED: time.monotonic()}

    def _bound(self, response: httpx.Response) -> None:
        started = float(response.request.extensions.get(_STARTED, time.monotonic()))
        state = ReplyState()
        response.extensions = {**response.extensions, _STATE: state}
        response.stream = _BoundedStream(response.stream, self, started + self.deadline, state)  # type: ignore[arg-type]


def reply_state(response: httpx.Response) -> ReplyState | None:
    """The bounded body's state of a response (None if it was not sent through ReplyLimits)."""
    state = response.extensions.get(_STATE)
    return state if isinstance(state, ReplyState) else None


class _BoundedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, limits: ReplyLimits, end_by: float, state: ReplyState) -> None:
        self._inner, self._limits, self._end_by, self._state = inner, limits, end_by, state

    def __iter__(self) -> Iterator[bytes]:
        state = self._state
        for part in self._inner:
            state.received += len(part)
            if state.received > self._limits.max_bytes:
                raise self._limits.too_large()
            if time.monotonic() > self._end_by:
                raise self._limits.too_slow()
            window = state.tail + part
            state.done = state.done or DONE_MARK in window
            state.tail = window[-len(DONE_MARK):]
            yield part

    def close(self) -> None:
        self._inner.close()
