"""A local OpenAI-compatible chat-completions server on 127.0.0.1 that plays scripted replies."""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Request = dict[str, Any]


@dataclass
class Reply:
    """One scripted reply: text (or a function of the request), or an HTTP error, or a hang."""

    content: str | Callable[[Request], str] = ""
    status: int = 200
    error: str = ""  # message of an error reply
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0  # seconds to stall: before anything is sent, or after `stall_after` stream chunks
    stall_after: int | None = None
    piece: int = 7  # characters per streamed chunk
    finish: bool = True  # end the stream with a finish reason and `data: [DONE]` (False: just close it)
    drip: float = 0.0  # seconds between streamed chunks
    forever: bool = False  # repeat the chunks until the client goes away
    raw: Callable[[], Iterable[bytes]] | None = None  # the stream's body as given, instead of chat-completion events


class FakeLLM:
    """Serve `/v1/chat/completions` (streamed and not) and `/v1/models`; record every request."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[Request] = []
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The base URL a client is configured with (ends in /v1)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def script(self, *replies: Reply | str) -> None:
        """Replace the queue of replies; each request takes the next one."""
        self.replies = deque(r if isinstance(r, Reply) else Reply(r) for r in replies)
        self.requests = []

    def next_reply(self) -> Reply:
        """The reply for the request being served (a 500 when the script ran out)."""
        if self.replies:
            return self.replies.popleft()
        return Reply(status=500, error="the fake LLM has no scripted reply left")

    @property
    def stopping(self) -> bool:
        """True once the server is shutting down (endless replies stop)."""
        return self._stop.is_set()

    def stall(self, seconds: float) -> None:
        """Sleep, but wake up when the server shuts down."""
        self._stop.wait(seconds)

    def close(self) -> None:
        """Stop serving (stalled replies wake up and end)."""
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                self._json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})
            else:
                self._json(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._json(404, {"error": {"message": f"no route {self.path}"}})
                return
            fake.requests.append(body)
            reply = fake.next_reply()
            if reply.hang and reply.stall_after is None:
                fake.stall(reply.hang)
            if reply.status != 200:
                self._json(reply.status, {"error": {"message": reply.error, "type": "error"}}, reply.headers)
                return
            text = reply.content(body) if callable(reply.content) else reply.content
            if body.get("stream"):
                self._stream(body, text, reply)
            else:
                self._json(200, _completion(body, text))

        def _stream(self, body: Request, text: str, reply: Reply) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            pieces = [text[i:i + reply.piece] for i in range(0, len(text), reply.piece)]
            try:
                if reply.raw is not None:
                    for data in reply.raw():
                        self.wfile.write(data)
                        self.wfile.flush()
                    return
                self._event(_chunk(body, {"role": "assistant", "content": ""}))
                for i, piece in enumerate(itertools.cycle(pieces) if reply.forever else pieces):
                    if reply.stall_after is not None and i == reply.stall_after:
                        fake.stall(reply.hang)
                    if reply.drip:
                        fake.stall(reply.drip)
                    if fake.stopping:
                        return
                    self._event(_chunk(body, {"content": piece}))
                if reply.finish:
                    self._event(_chunk(body, {}, finish="stop"))
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def _event(self, data: dict[str, Any]) -> None:
            self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
            self.wfile.flush()

        def _json(self, status: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            payload = json.dumps(data).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def _completion(body: Request, text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake-model"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _chunk(body: Request, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "fake-model"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def sse_event(delta: dict[str, Any], finish: str | None = None) -> bytes:
    """One chat-completion chunk as a server-sent event, for `Reply.raw` bodies."""
    return f"data: {json.dumps(_chunk({}, delta, finish))}\n\n".encode()


def system_message(request: Request) -> str:
    """The system message of a recorded request."""
    return str(next(m for m in request["messages"] if m["role"] == "system")["content"])


def user_message(request: Request) -> str:
    """The last user message of a recorded request."""
    return str([m for m in request["messages"] if m["role"] == "user"][-1]["content"])


def passage_number(request: Request, title: str) -> int:
    """The number the prompt gave the passage of the article titled `title` (first one if several)."""
    match = re.search(rf"^\[(\d+)\] {re.escape(title)} \(", user_message(request), re.MULTILINE)
    if match is None:
        raise AssertionError(f"no passage of {title!r} in the prompt:\n{user_message(request)}")
    return int(match.group(1))
