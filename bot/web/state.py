"""The session's conversation: the finished turns, kept in the page's gr.State (never read back from its HTML).

A turn keeps what the page needs later, and no more: the question, the answer's text and sentences, and its
passages by chunk id with the span to highlight. Passage texts are fetched by id when a view needs them
again (bot.web.handlers), so a session costs a few kilobytes per turn however long the passages are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.answering.rewrite import HISTORY_TURNS
from bot.retrieval.filters import Filters
from bot.types import NOT_COVERED, Answer, AnswerSentence
from bot.views.evidence import Evidence, outlet_of
from index.documents import Chunk

SESSION_TTL_S = 6 * 3600  # a session's turns are dropped this long after its last answer (Gradio's State TTL)
STORE_TURNS = 20  # the page holds the passages of this many recent turns; older markers say to ask again


@dataclass(frozen=True)
class Source:
    """A citation as the export and the copy text name it: marker, passage id, quote and article details."""

    n: int
    chunk_id: str
    quote: str
    title: str
    outlet: str
    published_at: str | None
    url: str | None


@dataclass(frozen=True)
class PassageRef:
    """A passage behind an answer, by id: its number in the answer, whether it is cited, the span to highlight."""

    n: int
    chunk_id: str
    cited: bool
    start: int
    end: int
    spans: tuple[tuple[int, int], ...] = ()  # every span the answer drew from it (Evidence.spans)


@dataclass(frozen=True)
class Turn:
    """One finished question and answer of the conversation, with what was searched."""

    number: int
    question: str
    text: str  # the answer with its [n] markers
    mode: str
    scope: str
    sentences: tuple[AnswerSentence, ...] = ()
    notes: tuple[str, ...] = ()
    standalone_question: str | None = None
    sources: tuple[Source, ...] = ()
    passages: tuple[PassageRef, ...] = ()
    filters: Filters = field(default_factory=Filters)  # what was searched (the topic tabs search under it too)

    @property
    def covered(self) -> bool:
        """False when the corpus did not cover the question."""
        return self.mode != NOT_COVERED


def finished_turn(
    number: int, question: str, answer: Answer, scope: str, evidence: Sequence[Evidence] = (),
    filters: Filters | None = None,
) -> Turn:
    """What the session keeps of a complete answer and the passages it drew on (`evidence`)."""
    sources = tuple(
        Source(c.n, c.chunk.id, c.quote, c.chunk.title, outlet_of(c.chunk), c.chunk.published_at, c.chunk.url)
        for c in answer.citations
    )
    passages = tuple(PassageRef(ev.n, ev.chunk.id, ev.cited, ev.start, ev.end, ev.spans) for ev in evidence)
    return Turn(number, question, answer.text, answer.mode, scope, tuple(answer.sentences),
                tuple(answer.notes), answer.standalone_question, sources, passages, filters or Filters())


def turn_evidence(turn: Turn, chunks: Mapping[str, Chunk]) -> list[Evidence]:
    """The turn's passages as evidence again, from `chunks` by id (a passage gone from the index is left out)."""
    return [Evidence(p.n, chunks[p.chunk_id], p.cited, p.start, p.end, p.spans) for p in turn.passages
            if p.chunk_id in chunks]


def history_pairs(turns: Sequence[Turn]) -> list[tuple[str, str]]:
    """(question, answer text) of the recent turns: what a follow-up question is read against."""
    return [(turn.question, turn.text) for turn in turns[-HISTORY_TURNS:]]


def stored_turns(turns: Sequence[Turn]) -> list[Turn]:
    """The recent turns whose passages the page holds, so their markers open."""
    return list(turns[-STORE_TURNS:])


def next_number(turns: Sequence[Turn]) -> int:
    """The number of the next turn (markers and passages of turn n are keyed `n-…`)."""
    return (turns[-1].number if turns else 0) + 1
