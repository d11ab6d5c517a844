"""The Timeline and Compare outlets tabs: a topic's coverage, searched only while one of them is open.

The topic search (bot.views.coverage) reads ten times the passages an answer does, so answers never wait for it:
it runs when the tab is opened, or after an answer while the tab is open, and its result is kept per question and
filters, so switching between the two tabs searches once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from bot.views.coverage import Coverage, topic_coverage
from bot.web.chat_app import ChatApp
from bot.web.coverage_view import format_topic_compare, format_topic_timeline
from bot.web.layout import Page
from bot.web.render import EMPTY_COMPARE, EMPTY_TIMELINE, TOPIC_SEARCHING
from bot.web.state import Turn, turn_evidence

TIMELINE, COMPARE = "timeline", "compare"
KEPT = 16  # coverages kept (a few sessions' latest questions)

_kept: OrderedDict[tuple[Any, ...], Coverage | None] = OrderedDict()
_lock = threading.Lock()


def open_view(app: ChatApp, ui: Page, which: str, turns: list[Turn] | None) -> dict[Any, Any]:
    """The Timeline or Compare outlets tab was opened: show the last question's topic there."""
    return {ui.open_view: which, **_view(app, ui, which, turns or [])}


def close_views(ui: Page) -> dict[Any, Any]:
    """Another evidence tab was opened: answers stop searching the topic."""
    return {ui.open_view: ""}


def refresh_views(app: ChatApp, ui: Page, turns: list[Turn] | None, which: str | None) -> dict[Any, Any]:
    """After an answer: the open topic tab shows the new question's topic; the other one waits until opened."""
    out = {ui.timeline: TOPIC_SEARCHING, ui.compare: TOPIC_SEARCHING}
    if which in (TIMELINE, COMPARE):
        out |= _view(app, ui, which, turns or [])
    return out


def _view(app: ChatApp, ui: Page, which: str, turns: list[Turn]) -> dict[Any, Any]:
    if not turns:
        return {ui.timeline: EMPTY_TIMELINE} if which == TIMELINE else {ui.compare: EMPTY_COMPARE}
    coverage = turn_coverage(app, turns[-1])
    number = turns[-1].number
    if which == TIMELINE:
        return {ui.timeline: format_topic_timeline(number, coverage)}
    return {ui.compare: format_topic_compare(number, coverage)}


def turn_coverage(app: ChatApp, turn: Turn) -> Coverage | None:
    """The topic of a turn's question under its filters (None when the corpus did not cover the question)."""
    if app.engine is None or not turn.covered:
        return None
    retriever = app.engine.retriever
    question = turn.standalone_question or turn.question
    key = (id(app), retriever.snapshot.name, question, turn.filters, turn.passages)
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    evidence = turn_evidence(turn, app.passages([p.chunk_id for p in turn.passages]))
    coverage = topic_coverage(retriever, question, turn.filters, evidence)
    with _lock:
        _kept[key] = coverage
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return coverage
