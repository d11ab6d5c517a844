"""The full-article reader: from a marker, a card or the passage window, the whole article with every span the
answer cites from it highlighted and the clicked passage scrolled into view.

The page's script (static/passage_viewer.js) writes the request ("<turn>-<n>:<start>:<end>:<nonce>") into a
hidden textbox; `open_article` reads the article in one Chroma get and renders it into #article-reader, which
the script shows over the page. The spans come from the session's turns (gr.State), never from the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from itertools import pairwise

import gradio as gr

from bot.views.article import Article, article_spans, read_article
from bot.web import render
from bot.web.chat_app import ChatApp
from bot.web.labels import dateline, safe_url
from bot.web.layout import Page
from bot.web.state import PassageRef, Turn

_REQUEST = re.compile(r"(\d{1,6})-(\d{1,4})(?::(\d{1,7}):(\d{1,7}))?(?::[\w.]{0,24})?")


@dataclass(frozen=True)
class ReaderRequest:
    """Which passage was clicked (`turn`, `n`) and, when a marker named one, the span to bring into view."""

    turn: int
    n: int
    start: int = 0
    end: int = 0
    raw: str = ""  # the request as written: the script knows its answer by it


def parse_request(raw: str | None) -> ReaderRequest | None:
    """The request the page's script wrote, or None when it is not one."""
    match = _REQUEST.fullmatch((raw or "").strip())
    if match is None:
        return None
    start, end = int(match[3] or 0), int(match[4] or 0)
    return ReaderRequest(int(match[1]), int(match[2]), start, end, match[0])


@dataclass(frozen=True)
class _Piece:
    text: str
    marked: bool  # a span the answer cites
    passage: bool  # inside the clicked passage
    focus: bool = False  # the piece scrolled into view


def _chunk_number(chunk_id: str) -> tuple[str, int]:
    article_id, _, n = chunk_id.rpartition(":")
    return article_id, int(n) if n.isdigit() else -1


def reader_view(article: Article, turn: Turn, clicked: PassageRef, request: ReaderRequest) -> str:
    """The reader's HTML: title, outlet, date, link, and the text with the turn's cited spans of it marked."""
    mine = [(ref, _chunk_number(ref.chunk_id)[1]) for ref in turn.passages
            if _chunk_number(ref.chunk_id)[0] == article.article_id]
    by_n = {ref.n: n for ref, n in mine}
    quotes = [(by_n[c], q) for s in turn.sentences for c, q in zip(s.citations, s.quotes) if c in by_n]
    spans = article_spans(article, [(n, ref.start, ref.end) for ref, n in mine if ref.cited], quotes)
    chunk_n = _chunk_number(clicked.chunk_id)[1]
    lo, hi = article.chunks.get(chunk_n, (0, 0))
    focus_a, focus_b = (request.start, request.end) if request.end > request.start else (clicked.start, clicked.end)
    focus = (lo + focus_a, lo + focus_b) if focus_b > focus_a and lo + focus_b <= hi else (lo, hi)
    pieces = _pieces(article.text, spans, (lo, hi), focus)
    return render.fragment(
        "reader.html", article=article, pieces=pieces, meta=dateline(article.outlet, article.published_at),
        url=safe_url(article.url) or "", cited=len(spans), request=request.raw,
        markers=sorted(ref.n for ref, _ in mine if ref.cited),
    )


def _pieces(
    text: str, spans: list[tuple[int, int]], passage: tuple[int, int], focus: tuple[int, int]
) -> list[_Piece]:
    cuts = sorted({0, len(text), *passage, *focus, *(x for span in spans for x in span)})
    cuts = [c for c in cuts if 0 <= c <= len(text)]
    pieces: list[_Piece] = []
    focused = False
    for a, b in pairwise(cuts):  # the cuts are distinct, so no piece is empty
        marked = any(x <= a and b <= y for x, y in spans)
        here = focus[0] <= a < focus[1] and not focused
        focused = focused or here
        pieces.append(_Piece(text[a:b], marked, passage[0] <= a and b <= passage[1], here))
    return pieces


def _message(text: str, request: str) -> str:
    return render.fragment("reader.html", article=None, message=text, request=request)


def open_article(app: ChatApp, raw: str | None, turns: list[Turn] | None) -> str:
    """The article behind the clicked passage of this session's turn, or a message saying why it cannot open."""
    request = parse_request(raw)
    if request is None:
        return ""
    key = request.raw
    turn = next((t for t in turns or [] if t.number == request.turn), None)
    clicked = next((p for p in turn.passages if p.n == request.n), None) if turn else None
    if turn is None or clicked is None:
        return _message("This answer is no longer loaded: ask the question again to read its articles.", key)
    if app.engine is None:
        return _message("There is no index to read the article from: rebuild the index first.", key)
    article = read_article(app.engine.retriever.collection, _chunk_number(clicked.chunk_id)[0])
    if article is None:
        return _message("This article is no longer in the index (it was removed by a rebuild).", key)
    return reader_view(article, turn, clicked, request)


def attach_reader(app: ChatApp, ui: Page) -> None:
    """Add the reader to the page: the hidden request box the script writes, and the reader it fills."""
    request = gr.Textbox("", visible="hidden", elem_id="reader-request", label="Reader request")
    reader = gr.HTML("", elem_id="article-reader", padding=False)
    request.change(partial(open_article, app), [request, ui.turns], reader, api_name="open_article",
                  api_visibility="private", queue=False)
