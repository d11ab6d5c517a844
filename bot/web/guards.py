"""What the server refuses from a client before doing any work: oversized requests and foreign Host headers.

Any client can call the page's API with its own inputs; these bounds keep one request's work and memory small,
and the Host check keeps a page on another site from reaching a chat bound to 127.0.0.1 (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.engine import question_problem

# A conversation's turns are all re-read for each follow-up and re-rendered in the passage store and export:
# bounded, so the hundredth question costs what the first did. A real answer bubble is a few kB of HTML.
MAX_TURNS = 50
MAX_HISTORY_MESSAGES = 2 * MAX_TURNS + 2
MAX_HISTORY_CHARS = 2_000_000


def request_problem(question: str, history: Sequence[Any], turns: Sequence[Any]) -> str | None:
    """Why this request is refused (what the user should do), or None."""
    problem = question_problem(question)
    if problem is not None:
        return problem
    if len(turns) >= MAX_TURNS:
        return f"This conversation already has {len(turns)} questions, the most one chat holds: click New chat."
    if len(history) > MAX_HISTORY_MESSAGES or _chars(history) > MAX_HISTORY_CHARS:
        return ("The chat history sent with this question is too large "
                f"(over {MAX_HISTORY_MESSAGES} messages or {MAX_HISTORY_CHARS:,} characters): click New chat.")
    return None


def _chars(history: Sequence[Any]) -> int:
    total = 0
    for message in history:
        content = message.get("content", "") if isinstance(message, dict) else message
        total += len(content) if isinstance(content, str) else len(repr(content))
        if total > MAX_HISTORY_CHARS:
            break
    return total


LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address) is this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The host of a Host header without its port ("[::1]:7860" -> "::1", "Example:80" -> "example")."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.rpartition(":")[0] if header.count(":") == 1 else header


class LocalHostOnly:
    """Refuse requests whose Host header names another site, for a server bound to a loopback address.

    A page on evil.example can make its name resolve to 127.0.0.1 and then call this chat as if it were its own
    site (DNS rebinding); the browser still sends `Host: evil.example`, which is refused here. Gradio only checks
    Origin against Host, which such a page passes. Own ASGI code because Starlette's TrustedHostMiddleware cuts
    "[::1]:7860" at the first colon.
    """

    def __init__(self, app: ASGIApp, allowed: Sequence[str]) -> None:
        self.app = app
        self.allowed = {name.lower() for name in allowed}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            header = Headers(scope=scope).get("host", "")
            if host_name(header) not in self.allowed:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                response = PlainTextResponse(
                    f"Host {header!r} is not this chat: it only answers at 127.0.0.1 or localhost.", status_code=421
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def host_middleware(bound_to: str) -> list[Any]:
    """The middleware for a server bound to `bound_to`: the Host check when that is a loopback address."""
    from starlette.middleware import Middleware

    if not is_loopback(bound_to):
        return []  # served to the network on purpose: any name may reach it
    return [Middleware(LocalHostOnly, allowed=(*LOCAL_NAMES, bound_to))]
