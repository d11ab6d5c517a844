"""The session's conversation: the finished turns, kept in the page's gr.State (never read back from its HTML)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.types import Answer
from bot.views.evidence import Evidence


@dataclass(frozen=True)
class Turn:
    """One finished question and answer of the conversation, with what was searched."""

    number: int
    question: str
    answer: Answer
    scope: str
    evidence: list[Evidence] = field(default_factory=list)


def history_pairs(turns: Sequence[Turn]) -> list[tuple[str, str]]:
    """(question, answer text) of every finished turn: what a follow-up question is read against."""
    return [(turn.question, turn.answer.text) for turn in turns]


def next_number(turns: Sequence[Turn]) -> int:
    """The number of the next turn (markers and passages of turn n are keyed `n-…`)."""
    return (turns[-1].number if turns else 0) + 1
