"""The typed records that cross the bot's boundaries: Hit, Citation, AnswerSentence, Answer."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from index.documents import Chunk

EXTRACTIVE = "extractive"
GENERATED = "generated"
NOT_COVERED = "not_covered"
QUOTED = "quoted"  # a sentence's label when a cited passage has it word for word
NOT_SUPPORTED = "not supported"
DISAGREE = "sources disagree:"  # a label's opening when another article states other figures
SUPPORT_MEANING = "“supported” means the cited passage says so, not that it is true"


def label_summary(sentences: list[AnswerSentence]) -> str:
    """How the checked sentences came out, in words ("2 quoted, 1 supported by its citations, 1 not supported"),
    with what "supported" means; empty when no sentence was checked."""
    labels = [s.label for s in sentences if s.is_claim and not s.lead]
    if not labels:
        return ""
    quoted = labels.count(QUOTED)
    unsupported = labels.count(NOT_SUPPORTED)
    disagree = sum(label.startswith(DISAGREE) for label in labels)
    supported = len(labels) - quoted - unsupported - disagree
    parts = [f"{quoted} quoted" if quoted else "", f"{supported} supported by its citations" if supported else "",
             f"{disagree} where the sources disagree" if disagree else "",
             f"{unsupported} not supported" if unsupported else ""]
    return f"Checked against the cited passages: {', '.join(p for p in parts if p)} ({SUPPORT_MEANING})."


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the scores it was fused from."""

    chunk: Chunk
    score: float
    dense: float = 0.0
    lexical: float = 0.0
    rank: int = 0
    relevance: float = 0.0  # the learned ranker's probability that the passage holds evidence; orders the hits


@dataclass(frozen=True)
class Citation:
    """Marker `[n]`: a passage and the exact span of it (`quote`) that backs the sentence."""

    n: int
    chunk: Chunk
    quote: str
    quote_start: int  # offset of quote in chunk.text
    quote_end: int
    # Every span of the passage the answer draws on (one card per passage, several highlights); the quote first.
    spans: tuple[tuple[int, int], ...] = ()

    @property
    def highlights(self) -> tuple[tuple[int, int], ...]:
        """The spans to highlight in the passage, in order of position."""
        return tuple(sorted(set(self.spans) | {(self.quote_start, self.quote_end)}))

    @property
    def passage(self) -> str:
        """The cited passage (the chunk's text)."""
        return self.chunk.text

    def to_json(self) -> dict[str, Any]:
        """The citation as `python -m bot ask --json` prints it."""
        return {
            "n": self.n,
            "article_id": self.chunk.article_id,
            "chunk_id": self.chunk.id,
            "title": self.chunk.title,
            "outlet": self.chunk.outlet,
            "url": self.chunk.url,
            "published_at": self.chunk.published_at,
            "passage": self.passage,
            "quote": self.quote,
            "quote_start": self.quote_start,
            "quote_end": self.quote_end,
            "article_start": self.chunk.start + self.quote_start,
            "article_end": self.chunk.start + self.quote_end,
            "highlights": [list(span) for span in self.highlights],
        }


def _refs(numbers: tuple[int, ...]) -> str:
    return "".join(f"[{n}]" for n in numbers)


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer, whether its citations support it, and the supporting quotes."""

    text: str
    supported: bool
    citations: tuple[int, ...] = ()
    quotes: tuple[str, ...] = ()  # the best span of each cited passage, in the order of `citations`
    note: str = ""  # why the sentence is not supported
    lead: bool = False  # the short answer that opens the answer ("Mira Murati")
    is_claim: bool = True  # False for a heading or preamble ("Here is what the articles say:"): never checked
    disagrees: tuple[int, ...] = ()  # passages of other articles that state other figures for the same thing
    source: str = ""  # the article it is drawn from ("Valley Post · 25 Nov 2023") when the answer gives one line each

    @property
    def label(self) -> str:
        """What the check found, in words: "quoted" (verbatim in a cited passage), "supported by [n]" (the cited
        passage says so, which is not to say it is true), "not supported", or "" for a heading or preamble."""
        if not self.is_claim:
            return ""
        if not self.supported:
            return NOT_SUPPORTED
        if self.disagrees:
            return f"{DISAGREE} {_refs(self.citations)} vs {_refs(self.disagrees)}"
        bare = " ".join(self.text.split()).rstrip(".!?").lower()
        if bare and any(bare in " ".join(q.split()).lower() for q in self.quotes):
            return QUOTED
        return f"supported by {_refs(self.citations)}" if self.citations else "supported"

    def to_json(self) -> dict[str, Any]:
        """The sentence as `python -m bot ask --json` prints it."""
        return {
            "text": self.text,
            "supported": self.supported,
            "citations": list(self.citations),
            "quotes": list(self.quotes),
            "note": self.note,
            "lead": self.lead,
            "source": self.source,
            "label": self.label,
        }


@dataclass
class Answer:
    """An answer: its text with `[n]` markers, its citations, per-sentence support, how it was made."""

    question: str
    text: str = ""
    citations: list[Citation] = field(default_factory=list)
    sentences: list[AnswerSentence] = field(default_factory=list)
    mode: str = EXTRACTIVE
    hits: list[Hit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    standalone_question: str | None = None
    done: bool = False

    @property
    def short_answer(self) -> AnswerSentence | None:
        """The short answer the text leads with, when the question has one."""
        return next((s for s in self.sentences if s.lead), None)

    def snapshot(self) -> Answer:
        """A copy safe to hand out while this answer keeps growing."""
        return replace(self, citations=list(self.citations), sentences=list(self.sentences), notes=list(self.notes))

    @property
    def covered(self) -> bool:
        """False when the corpus does not cover the question."""
        return self.mode != NOT_COVERED

    def to_json(self) -> dict[str, Any]:
        """The JSON object of `python -m bot ask --json`."""
        return {
            "answer": self.text,
            "mode": self.mode,
            "citations": [c.to_json() for c in self.citations],
            "sentences": [s.to_json() for s in self.sentences],
            "short_answer": (None if self.short_answer is None else
                             {"text": self.short_answer.text, "citations": list(self.short_answer.citations)}),
            "notes": list(self.notes),
            "question": self.question,
            "standalone_question": self.standalone_question or self.question,
        }
