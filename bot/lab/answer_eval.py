"""The answer harness: does the answer a user reads contain the answer? (`python -m bot.lab.eval answers`).

Reads two question shapes:
- natural questions (`natural-questions/dev.json`): correct when the answer text contains `must_contain`;
  `kind == "not-in-corpus"` questions should be refused;
- MultiHop-RAG (`queries_dev.json`): correct when the answer text contains the gold `answer`, scored on questions
  whose answer is not Yes/No (the gold answer's closing full stop aside); `null_query` questions should be
  refused.
Matching ignores case, folds curly quotes and dashes, collapses white space, and reads the answer without its
`[n]` markers and Markdown emphasis. The bold short answer that opens an answer (its lead) is scored on its own over
every answerable question: right when it and the expected answer contain one another ("Nov. 3" for "Stallions on
Nov. 3"), or list the same names in another order; a name leading a yes/no question is wrong.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.engine import ChatEngine
from bot.types import Answer

_FOLD = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "\u00a0": " "})
_MARKERS = re.compile(r"\s*\[\d+\]")
_EMPHASIS = re.compile(r"\*\*|__")
YES_NO = frozenset({"yes", "no"})


@dataclass(frozen=True)
class AnswerQuestion:
    """One question of an answer set: what must appear in the answer, and whether the corpus answers it."""

    id: str
    question: str
    group: str  # natural questions' `kind`, MultiHop-RAG's `question_type`
    expected: str  # the string the answer must contain ("" when not answerable)
    answerable: bool
    scored: bool  # counted in the contains rate (MultiHop-RAG: not a Yes/No answer)


@dataclass(frozen=True)
class AnswerResult:
    """What the chat answered to one question, and how it scores."""

    question: AnswerQuestion
    answer: str
    refused: bool
    contains: bool
    cited_contains: bool
    retrieved_contains: bool
    words: int
    latency_ms: float
    lead: str = ""  # the bold short answer the answer opens with ("" when none)
    lead_right: bool = False  # the lead and the expected answer contain one another


def fold(text: str) -> str:
    """Lower-cased text with curly quotes and dashes folded and white space collapsed."""
    return " ".join(text.translate(_FOLD).lower().split())


def answer_text(answer: Answer) -> str:
    """The answer as a reader sees it, without citation markers and Markdown emphasis."""
    return _plain(answer.text)


def _plain(text: str) -> str:
    """Text without `[n]` citation markers and Markdown emphasis."""
    return _EMPHASIS.sub("", _MARKERS.sub("", text))


def load_answer_questions(path: Path) -> list[AnswerQuestion]:
    """Questions of a natural-questions or MultiHop-RAG file, recognised by their fields."""
    items = json.loads(Path(path).read_text(encoding="utf-8"))
    return [_question(item, i) for i, item in enumerate(items)]


def _question(item: dict[str, Any], i: int) -> AnswerQuestion:
    if "must_contain" in item:
        answerable = item.get("kind") != "not-in-corpus"
        return AnswerQuestion(item.get("id", f"q{i}"), item["question"], item.get("kind", "?"),
                              item["must_contain"] if answerable else "", answerable, answerable)
    answerable = item.get("question_type") != "null_query"
    gold = str(item.get("answer", "")).strip().removesuffix(".")  # "Sam Altman." ends a sentence, not the name
    return AnswerQuestion(f"mh-{i}", item["query"], item.get("question_type", "?"), gold if answerable else "",
                          answerable, answerable and gold.strip().lower() not in YES_NO)


def run_answers(engine: ChatEngine, questions: Iterable[AnswerQuestion]) -> list[AnswerResult]:
    """Ask every question through the chat engine (extractive unless an LLM is configured), timing each."""
    engine.answer("warm-up question about the news")
    results = []
    for q in questions:
        started = time.perf_counter()
        answer = engine.answer(q.question)
        elapsed = (time.perf_counter() - started) * 1000
        results.append(score_answer(q, answer, elapsed))
    return results


def score_answer(q: AnswerQuestion, answer: Answer, latency_ms: float = 0.0) -> AnswerResult:
    """How one answer scores against its question."""
    text = answer_text(answer)
    needle = fold(q.expected)

    def holds(haystacks: Iterable[str]) -> bool:
        return bool(needle) and any(needle in fold(h) for h in haystacks)

    lead = _plain(next((s.text for s in answer.sentences if s.lead), "") if answer.covered else "").strip()
    folded_lead = fold(lead)
    return AnswerResult(
        question=q,
        answer=text,
        refused=not answer.covered,
        contains=answer.covered and holds([text]),
        cited_contains=holds(c.chunk.text for c in answer.citations),
        retrieved_contains=holds(h.chunk.text for h in answer.hits),
        words=len(text.split()),
        latency_ms=latency_ms,
        lead=lead,
        lead_right=bool(needle and folded_lead) and (needle in folded_lead or folded_lead in needle
                                                     or _same_list(needle, folded_lead)),
    )


_LIST_SEPARATOR = re.compile(r",\s*(?:and\s+)?|\s+and\s+")


def _same_list(expected: str, lead: str) -> bool:
    """Whether two lists of names hold the same names in any order ("taylor swift and travis kelce")."""
    mine, theirs = set(_LIST_SEPARATOR.split(lead)), set(_LIST_SEPARATOR.split(expected))
    return len(mine) > 1 and mine == theirs


def _rate(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def figures(results: Sequence[AnswerResult]) -> dict[str, Any]:
    """Contains rates over the scored questions, refusal rates, answer length and latency."""
    scored = [r for r in results if r.question.scored]
    answerable = [r for r in results if r.question.answerable]
    unanswerable = [r for r in results if not r.question.answerable]
    leads = [r for r in answerable if r.lead]
    return {
        "questions": len(results),
        "answerable": len(answerable),
        "scored": len(scored),
        "contains": _rate(sum(r.contains for r in scored), len(scored)),
        "cited_contains": _rate(sum(r.cited_contains for r in scored), len(scored)),
        "retrieved_contains": _rate(sum(r.retrieved_contains for r in scored), len(scored)),
        "answerable_refused": _rate(sum(r.refused for r in answerable), len(answerable)),
        "unanswerable": len(unanswerable),
        "unanswerable_refused": _rate(sum(r.refused for r in unanswerable), len(unanswerable)),
        "answer_words_p50": statistics.median([r.words for r in answerable if not r.refused] or [0]),
        "leads": len(leads),
        "lead_right": _rate(sum(r.lead_right for r in leads), len(leads)),
    }


def summarize_answers(results: Sequence[AnswerResult], percentile: Any) -> dict[str, Any]:
    """The harness's JSON line: overall figures, latency, and the same figures per group."""
    summary = figures(results)
    latencies = sorted(r.latency_ms for r in results)
    summary["latency_ms_p50"] = round(percentile(latencies, 50), 1)
    summary["latency_ms_p95"] = round(percentile(latencies, 95), 1)
    groups: dict[str, list[AnswerResult]] = defaultdict(list)
    for r in results:
        groups[r.question.group].append(r)
    summary["by_group"] = {g: figures(rs) for g, rs in sorted(groups.items())}
    return summary


def dump_answers(results: Sequence[AnswerResult], path: Path) -> None:
    """Write every question with its answer and scores, for reading the misses."""
    rows = [{**asdict(r.question), **{k: v for k, v in asdict(r).items() if k != "question"}} for r in results]
    Path(path).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
