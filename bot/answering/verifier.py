"""The verifier: checks every sentence of an answer against the passages it cites and finds the span behind each."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from bot.answering.alignment import missing_in_passages, polarity, words_of
from bot.answering.directives import directive_problem
from bot.answering.facts import Facts, missing_facts, passage_facts, text_facts
from bot.answering.support import Signals, SupportModel, load_support_model, on_topic
from index.documents import Chunk
from index.embedding import Embedder
from index.text import analyze, date_forms, numbers_in, sentence_spans

DISAGREE_SIMILARITY = 0.75  # another article's sentence this close to a claim speaks of the same thing
ALIGNED_SENTENCES = 3  # a claim may combine this many sentences of a passage (with their neighbours)

# Words a paraphrase adds without changing what is claimed; left out of the content-term coverage.
_FILLER_TERMS = set(analyze(["said says say saying told according reported reports also would could"])[0])


# --- the verifier -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpanMatch:
    """The best supporting span of one cited passage for a sentence."""

    n: int
    chunk: Chunk
    start: int
    end: int
    similarity: float
    coverage: float

    @property
    def quote(self) -> str:
        """The span, verbatim from the passage."""
        return self.chunk.text[self.start:self.end]


@dataclass(frozen=True)
class Verdict:
    """Whether a sentence's citations support it, the span behind each citation, and why not when they don't."""

    supported: bool
    matches: tuple[SpanMatch, ...] = ()
    missing: tuple[str, ...] = ()  # numbers, dates and names found in none of the cited passages
    note: str = ""
    signals: Signals | None = None  # what the support model weighed (None when no model was needed)
    disagrees: tuple[SpanMatch, ...] = ()  # spans of other articles' passages stating other numbers for this


@dataclass
class _Passage:
    chunk: Chunk
    spans: list[tuple[int, int]]
    terms: list[set[str]]
    vectors: np.ndarray
    facts: Facts

    @property
    def singles(self) -> int:
        """How many of the spans are single sentences (the rest are adjacent pairs)."""
        return (len(self.spans) + 1) // 2

    def local_text(self, start: int, end: int) -> str:
        """The span, the sentence before and after it (pronouns there), the title, outlet and date."""
        sentences = self.spans[: self.singles]
        inside = [i for i, (a, b) in enumerate(sentences) if a < end and b > start]
        first, last = max(min(inside) - 1, 0), min(max(inside) + 1, len(sentences) - 1)
        chunk = self.chunk
        context = chunk.text[sentences[first][0]:sentences[last][1]]
        return "\n".join([chunk.title, chunk.outlet or "", context, *date_forms(chunk.published_at)])


class Verifier:
    """Decides, sentence by sentence, whether the cited passages support what the sentence says."""

    def __init__(self, embedder: Embedder, model: SupportModel | None = None) -> None:
        self.embedder = embedder
        self.model = model or load_support_model()

    def verify(
        self, claims: Sequence[tuple[str, Sequence[int]]], passages: Mapping[int, Chunk], question: str | None = None
    ) -> list[Verdict]:
        """One Verdict per (claim, cited passage numbers); numbers missing from `passages` are ignored.

        With the `question` (generated answers), a claim that links elsewhere than its cited articles or tells the
        reader to do what the question did not ask is not supported, however closely a passage says it.
        """
        verdicts: list[Verdict | None] = [
            _directive(claim, cited, passages, question) or _verbatim(claim, cited, passages) for claim, cited in claims
        ]
        pending = [i for i, verdict in enumerate(verdicts) if verdict is None]
        needed = sorted({n for i in pending for n in claims[i][1] if n in passages})
        prepared = self._prepare({n: passages[n] for n in needed})
        texts = [claims[i][0] for i in pending]
        vectors = self.embedder.embed_cached(texts) if texts else np.zeros((0, self.embedder.dim), np.float32)
        for i, vector in zip(pending, vectors):
            claim, cited = claims[i]
            verdicts[i] = self._verify_one(claim, [n for n in dict.fromkeys(cited) if n in prepared], prepared, vector)
        done = [verdict for verdict in verdicts if verdict is not None]
        return self._with_disagreements(claims, done, passages, dict(zip(pending, vectors)))

    def _with_disagreements(
        self, claims: Sequence[tuple[str, Sequence[int]]], verdicts: list[Verdict], passages: Mapping[int, Chunk],
        vectors: Mapping[int, np.ndarray],
    ) -> list[Verdict]:
        """Supported claims with a number that the closest sentence of another retrieved article states otherwise
        ("82 million" where the other says "95 million"): the sources disagree, and both are shown. Only claims
        the model weighed (`vectors`, by claim index): a verbatim quote is checked without the embedding model."""
        checked = [i for i in vectors if verdicts[i].supported and _amounts(claims[i][0])]
        if not checked or len({chunk.article_id for chunk in passages.values()}) < 2:
            return verdicts
        prepared = self._prepare(passages)
        for i in checked:
            claim, cited = claims[i]
            own = {passages[c].article_id for c in cited if c in passages}
            found = []
            for n, passage in prepared.items():
                if passage.chunk.article_id in own or not passage.spans:
                    continue
                sims = passage.vectors[: passage.singles] @ vectors[i]
                best = int(sims.argmax())
                start, end = passage.spans[best]
                said = _amounts(passage.chunk.text[start:end])
                if sims[best] >= DISAGREE_SIMILARITY and _differ(_amounts(claim), said):
                    found.append(SpanMatch(n, passage.chunk, start, end, float(sims[best]), 0.0))
            if found:
                verdicts[i] = replace(verdicts[i], disagrees=tuple(found))
        return verdicts

    def _prepare(self, chunks: Mapping[int, Chunk]) -> dict[int, _Passage]:
        by_id: dict[str, tuple[list[tuple[int, int]], int]] = {}
        all_texts: list[str] = []
        for chunk in chunks.values():
            if chunk.id in by_id:
                continue
            spans = candidate_spans(chunk.text)
            by_id[chunk.id] = (spans, len(all_texts))
            all_texts.extend(chunk.text[a:b] for a, b in spans)
        vectors = self.embedder.embed_cached(all_texts) if all_texts else np.zeros((0, self.embedder.dim))
        terms = [set(t) for t in analyze(all_texts)] if all_texts else []
        prepared: dict[int, _Passage] = {}
        for n, chunk in chunks.items():
            spans, offset = by_id[chunk.id]
            window = slice(offset, offset + len(spans))
            prepared[n] = _Passage(chunk, spans, terms[window], vectors[window], passage_facts(chunk))
        return prepared

    def _verify_one(
        self, claim: str, cited: list[int], passages: Mapping[int, _Passage], vector: np.ndarray
    ) -> Verdict:
        if not cited:
            return Verdict(False, note="cites no passage")
        claim_terms = set(analyze([claim])[0]) - _FILLER_TERMS
        matches: list[SpanMatch] = []
        covered: set[str] = set()
        near_texts: list[str] = []  # the sentences most like the claim, with their neighbours
        near_terms: set[str] = set()
        for n in cited:
            passage = passages[n]
            if not passage.spans:
                continue
            sims = passage.vectors @ vector
            covs = [len(claim_terms & t) / len(claim_terms) if claim_terms else 1.0 for t in passage.terms]
            best = _best_span(passage, [float(x) for x in sims], covs)
            start, end = passage.spans[best]
            matches.append(SpanMatch(n, passage.chunk, start, end, float(sims[best]), covs[best]))
            covered |= claim_terms & passage.terms[best]
            for i in np.argsort(-sims[: passage.singles])[:ALIGNED_SENTENCES]:
                near_texts.append(passage.local_text(*passage.spans[int(i)]))
                near_terms.update(*passage.terms[max(int(i) - 1, 0):int(i) + 2])
        refs = "".join(f"[{n}]" for n in cited)
        facts = Facts()
        for n in cited:
            facts.update(passages[n].facts)
        missing = missing_in_passages(claim, facts, "\n".join(passages[n].chunk.text for n in cited))
        if not matches:
            return Verdict(False, missing=missing, note=f"the cited passages {refs} are empty")
        # Names and numbers away from the span that says the rest ("Haddad cut the ribbon" where Reyes did).
        local_texts = [passages[m.n].local_text(m.start, m.end) for m in matches]
        misplaced = missing_in_passages(claim, text_facts("\n".join(local_texts)), "\n".join(local_texts))
        far = missing_in_passages(claim, text_facts("\n".join(near_texts)), "\n".join(near_texts))
        closest = max(matches, key=lambda m: m.similarity)
        all_terms = set().union(*(t for n in cited for t in passages[n].terms))
        share = 1 / len(claim_terms) if claim_terms else 0.0
        signals = Signals(
            similarity=closest.similarity,
            coverage=len(covered) * share if claim_terms else 1.0,
            coverage_all=len(claim_terms & all_terms) * share if claim_terms else 1.0,
            novel=float(len({t for t in claim_terms - all_terms if t not in facts.stems})),
            missing=float(len(missing)),
            misplaced=float(len(misplaced)),
            far=float(len(far)),
            moved=len((claim_terms & all_terms) - near_terms) * share,
            polarity=polarity(words_of(claim), words_of(closest.quote)),
            terms=float(len(claim_terms)),
        )
        if self.model.supports(signals):
            return Verdict(True, tuple(matches), signals=signals)
        return Verdict(False, tuple(matches), missing or misplaced, _why_not(refs, missing, misplaced, signals),
                       signals=signals)


def _why_not(refs: str, missing: Sequence[str], misplaced: Sequence[str], signals: Signals) -> str:
    """The reason shown beside an unsupported sentence, the most specific first."""
    if missing:
        return f"{', '.join(f'“{m}”' for m in missing)} appears in none of the cited passages {refs}"
    negated, swapped, _ = signals.polarity  # a hedge weighs nothing in the shipped model: never the reason given
    if not on_topic(signals):
        return f"the cited passages {refs} do not say this"
    if negated:
        return f"the cited passages {refs} say the opposite (a negation added or dropped)"
    if swapped:
        return f"the cited passages {refs} say the opposite (an antonym)"
    if misplaced:
        listed = ", ".join(f"“{m}”" for m in misplaced)
        return f"{listed} is not in the part of the cited passages {refs} that says this"
    return f"the cited passages {refs} do not say this"


def _amounts(text: str) -> set[float]:
    """The values of the numbers of `text` that are not years (a year dates a claim; it is not its figure)."""
    values: set[float] = set()
    for _, value, scaled in numbers_in(text):
        if not (1900 <= value <= 2100 and scaled is None):
            values.add(scaled if scaled is not None else value)
    return values


def _differ(claim: set[float], other: set[float]) -> bool:
    """Both state figures, and none of them in common."""
    return bool(claim) and bool(other) and not claim & other


def _directive(
    claim: str, cited: Sequence[int], passages: Mapping[int, Chunk], question: str | None
) -> Verdict | None:
    """An instruction or foreign link in a generated claim: injected text the model obeyed, not an answer."""
    if question is None:
        return None
    problem = directive_problem(claim, question, (passages[n].url for n in cited if n in passages))
    return Verdict(False, note=f"not an answer: it {problem}") if problem else None


def _verbatim(claim: str, cited: Sequence[int], passages: Mapping[int, Chunk]) -> Verdict | None:
    """A claim quoted word for word from a cited passage supports itself: no model call needed."""
    needle = claim.strip()
    if len(needle.split()) < 4:  # "Yes." found somewhere in a passage says nothing about support
        return None
    for n in dict.fromkeys(cited):
        chunk = passages.get(n)
        start = chunk.text.find(needle) if chunk is not None else -1
        if chunk is not None and start >= 0:
            return Verdict(True, (SpanMatch(n, chunk, start, start + len(needle), 1.0, 1.0),))
    return None


def _best_span(passage: _Passage, sims: list[float], covs: list[float]) -> int:
    """Index of the span that best supports the claim; a two-sentence span only when it covers more."""
    singles = passage.singles
    score = [0.5 * s + 0.5 * c for s, c in zip(sims, covs)]
    best = max(range(singles), key=lambda i: score[i])
    for i in range(singles, len(passage.spans)):
        if covs[i] > covs[best] and score[i] > score[best]:
            best = i
    return best


def candidate_spans(text: str) -> list[tuple[int, int]]:
    """Sentences of a passage and pairs of adjacent ones (an answer sentence may merge two)."""
    spans = [(a, b) for a, b in sentence_spans(text) if re.search(r"\w", text[a:b])]
    return spans + [(spans[i][0], spans[i + 1][1]) for i in range(len(spans) - 1)]


def verify_phrase(phrase: str, cited: Sequence[int], passages: Mapping[int, Chunk]) -> Verdict:
    """A short answer ("Mira Murati", "82 million dollars") is a quotation, not a claim to weigh: supported when
    a cited passage writes it (ignoring case), or, for a name completed from the passages, every word of it."""
    needle = phrase.lower()
    matches = []
    for n in dict.fromkeys(cited):
        chunk = passages.get(n)
        start = chunk.text.lower().find(needle) if chunk is not None else -1
        if chunk is not None and start >= 0:
            matches.append(SpanMatch(n, chunk, start, start + len(phrase), 1.0, 1.0))
    if matches:
        return Verdict(True, tuple(matches))
    facts = Facts()
    for n in cited:
        if n in passages:
            facts.update(passage_facts(passages[n]))
    missing = missing_facts(phrase, facts)
    refs = "".join(f"[{n}]" for n in cited)
    if missing or not cited:
        listed = ", ".join(f"“{m}”" for m in missing) or f"“{phrase}”"
        return Verdict(False, missing=missing, note=f"{listed} appears in none of the cited passages {refs}")
    return Verdict(True)
