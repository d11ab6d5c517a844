"""Citation markers of generated answers, and the verifier that checks every sentence against what it cites."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import numpy as np

from index.chunking import sentence_spans
from index.documents import Chunk
from index.embedding import Embedder
from index.lexical import analyze

# `[1]`, `[1, 3]`, `[1-3]`, `[1; 2]`, `[^1]`, `[passage 2]`, `[Source 1, 2]`.
MARKER = re.compile(
    r"\[\s*(?:\^|(?:passages?|sources?|docs?|documents?)\s*)?(\d+(?:\s*(?:,|;|-|–|&|and)\s*\d+)*)\s*\]",
    re.IGNORECASE,
)
MAX_RANGE = 10  # "[1-3]" expands to 1, 2, 3; a wider range is read as its two ends

# Support thresholds (cosine of MiniLM embeddings; share of the sentence's content terms found in the span).
# Calibrated on altered and mismatched MultiHop-RAG sentence/passage pairs (python -m bot.eval_answers).
STRONG_SIMILARITY = 0.75
MIN_SIMILARITY = 0.45
MIN_COVERAGE = 0.5

_WORD = re.compile(r"[^\W\d_][\w’'.-]*")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s*(?:-\s*)?([A-Za-z]+))?")
_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6, "mln": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12,
}
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}
_OPENERS = ':;"“‘(—–-'
DATE_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}
# Words a paraphrase adds without changing what is claimed; left out of the content-term coverage.
_FILLER_TERMS = set(analyze(["said says say saying told according reported reports also would could"])[0])


@dataclass(frozen=True)
class ParsedSentence:
    """One sentence of a generated answer: as displayed (with markers), as a claim (without), and its citations."""

    display: str
    claim: str
    citations: tuple[int, ...]


@dataclass(frozen=True)
class ParsedAnswer:
    """A generated answer split into sentences, with the out-of-range markers it dropped."""

    sentences: list[ParsedSentence]
    separators: list[str]  # whitespace before each sentence in the displayed text
    dropped: tuple[int, ...]

    @property
    def text(self) -> str:
        """The displayed answer: normalised markers, out-of-range ones removed."""
        return "".join(sep + s.display for sep, s in zip(self.separators, self.sentences)).strip()


def marker_numbers(group: str) -> list[int]:
    """The passage numbers inside one marker's brackets, in order ("1-3" → 1, 2, 3)."""
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|;|&|and)\s*", group.strip()):
        ends = [int(x) for x in re.split(r"\s*[-–]\s*", part) if x.strip().isdigit()]
        if len(ends) == 2 and 0 <= ends[1] - ends[0] <= MAX_RANGE:
            numbers.extend(range(ends[0], ends[1] + 1))
        else:
            numbers.extend(ends)
    return numbers


def normalize_markers(text: str, n_passages: int) -> tuple[str, list[int]]:
    """Rewrite every marker as `[a][b]` and drop numbers outside 1..n_passages; returns (text, dropped)."""
    dropped: list[int] = []

    def fix(match: re.Match[str]) -> str:
        numbers = marker_numbers(match.group(1))
        dropped.extend(n for n in numbers if not 1 <= n <= n_passages)
        kept = list(dict.fromkeys(n for n in numbers if 1 <= n <= n_passages))
        return "".join(f"[{n}]" for n in kept)

    fixed = MARKER.sub(fix, text)
    # A marker removed entirely leaves a space before the punctuation that followed it.
    fixed = re.sub(r"[ \t]+([.,;:!?])", r"\1", fixed) if dropped else fixed
    return fixed, dropped


_SINGLE = re.compile(r"\[(\d+)\]")
_LEADING_MARKERS = re.compile(r"^(\s*(?:\[\d+\]\s*)+)")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def parse_answer(text: str, n_passages: int) -> ParsedAnswer:
    """Split a generated answer into cited sentences; a marker opening a sentence belongs to the one before."""
    fixed, dropped = normalize_markers(text.strip(), n_passages)
    pieces: list[tuple[str, str]] = []  # (separator, sentence with markers)
    cursor = 0
    for start, end in sentence_spans(fixed):
        pieces.append((fixed[cursor:start], fixed[start:end]))
        cursor = end
    if pieces and cursor < len(fixed):
        sep, last = pieces[-1]
        pieces[-1] = (sep, last + fixed[cursor:].rstrip())
    # Markers written before their sentence throughout ("[1] The bridge…") stay where they are.
    leading_style = bool(pieces) and bool(_LEADING_MARKERS.match(pieces[0][1]))
    merged: list[tuple[str, str]] = []
    for sep, sentence in pieces:
        lead = _LEADING_MARKERS.match(sentence)
        if lead and merged and not leading_style:
            prev_sep, prev = merged[-1]
            merged[-1] = (prev_sep, prev.rstrip() + " " + lead.group(1).strip())
            sentence = sentence[lead.end():]
        if not re.search(r"\w", _SINGLE.sub("", sentence)):
            if merged and sentence.strip():
                prev_sep, prev = merged[-1]
                merged[-1] = (prev_sep, prev.rstrip() + " " + sentence.strip())
            continue
        merged.append((_separator(sep) if merged else "", sentence.strip()))
    sentences = [
        ParsedSentence(display, claim_text(display), tuple(dict.fromkeys(int(n) for n in _SINGLE.findall(display))))
        for _, display in merged
    ]
    return ParsedAnswer(sentences, [sep for sep, _ in merged], tuple(dict.fromkeys(dropped)))


def claim_text(sentence: str) -> str:
    """A sentence without its markers, bullets and doubled spaces."""
    text = _BULLET.sub("", _SINGLE.sub("", MARKER.sub("", sentence)))
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" ([.,;:!?])", r"\1", text)


def _separator(whitespace: str) -> str:
    if "\n\n" in whitespace:
        return "\n\n"
    return "\n" if "\n" in whitespace else " "


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


@dataclass
class _Passage:
    chunk: Chunk
    spans: list[tuple[int, int]]
    terms: list[set[str]]
    vectors: np.ndarray
    facts: _Facts

    @property
    def singles(self) -> int:
        """How many of the spans are single sentences (the rest are adjacent pairs)."""
        return (len(self.spans) + 1) // 2

    def local_facts(self, start: int, end: int) -> _Facts:
        """Facts of the span, the sentence before and after it (pronouns there), the title, outlet and date."""
        sentences = self.spans[: self.singles]
        inside = [i for i, (a, b) in enumerate(sentences) if a < end and b > start]
        first, last = max(min(inside) - 1, 0), min(max(inside) + 1, len(sentences) - 1)
        chunk = self.chunk
        context = chunk.text[sentences[first][0]:sentences[last][1]]
        return text_facts("\n".join([chunk.title, chunk.source or "", context, *date_forms(chunk.published_at)]))


@dataclass
class _Facts:
    words: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)
    values: set[float] = field(default_factory=set)

    def update(self, other: _Facts) -> None:
        self.words |= other.words
        self.stems |= other.stems
        self.numbers |= other.numbers
        self.values |= other.values


class Verifier:
    """Decides, sentence by sentence, whether the cited passages support what the sentence says."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def verify(self, claims: Sequence[tuple[str, Sequence[int]]], passages: Mapping[int, Chunk]) -> list[Verdict]:
        """One Verdict per (claim, cited passage numbers); numbers missing from `passages` are ignored."""
        verdicts: list[Verdict | None] = [_verbatim(claim, cited, passages) for claim, cited in claims]
        pending = [i for i, verdict in enumerate(verdicts) if verdict is None]
        needed = sorted({n for i in pending for n in claims[i][1] if n in passages})
        prepared = self._prepare({n: passages[n] for n in needed})
        texts = [claims[i][0] for i in pending]
        vectors = self.embedder.embed_cached(texts) if texts else np.zeros((0, self.embedder.dim), np.float32)
        for i, vector in zip(pending, vectors):
            claim, cited = claims[i]
            verdicts[i] = self._verify_one(claim, [n for n in dict.fromkeys(cited) if n in prepared], prepared, vector)
        return [verdict for verdict in verdicts if verdict is not None]

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
        facts = _Facts()
        for n in cited:
            facts.update(passages[n].facts)
        missing = missing_facts(claim, facts)
        refs = "".join(f"[{n}]" for n in cited)
        if missing:
            listed = ", ".join(f"“{m}”" for m in missing)
            return Verdict(False, tuple(matches), missing, f"{listed} appears in none of the cited passages {refs}")
        if not matches:
            return Verdict(False, note=f"the cited passages {refs} are empty")
        # Every name and number must also sit near the span that says the rest: a name taken from elsewhere in
        # the passage ("Haddad cut the ribbon" where Reyes did) is as unsupported as one from nowhere.
        local = _Facts()
        for m in matches:
            local.update(passages[m.n].local_facts(m.start, m.end))
        misplaced = missing_facts(claim, local)
        if misplaced:
            listed = ", ".join(f"“{m}”" for m in misplaced)
            note = f"{listed} is not in the part of the cited passages {refs} that says this"
            return Verdict(False, tuple(matches), misplaced, note)
        similarity = max(m.similarity for m in matches)
        coverage = len(covered) / len(claim_terms) if claim_terms else 1.0
        if is_support(similarity, coverage):
            return Verdict(True, tuple(matches))
        return Verdict(False, tuple(matches), note=f"the cited passages {refs} do not say this")


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


def is_support(similarity: float, coverage: float) -> bool:
    """Whether a span this close to the sentence (embedding similarity, content-term coverage) supports it."""
    return similarity >= STRONG_SIMILARITY or (similarity >= MIN_SIMILARITY and coverage >= MIN_COVERAGE)


def candidate_spans(text: str) -> list[tuple[int, int]]:
    """Sentences of a passage and pairs of adjacent ones (an answer sentence may merge two)."""
    spans = [(a, b) for a, b in sentence_spans(text) if re.search(r"\w", text[a:b])]
    return spans + [(spans[i][0], spans[i + 1][1]) for i in range(len(spans) - 1)]


# --- numbers, dates and names -----------------------------------------------------------------------------------


def passage_facts(chunk: Chunk) -> _Facts:
    """The words, stems and numbers a sentence citing this passage may use: its text, title, outlet and date."""
    parts = [chunk.title, chunk.source or "", chunk.text, *date_forms(chunk.published_at)]
    return text_facts("\n".join(parts))


def text_facts(text: str) -> _Facts:
    """Lower-cased words, their stems, and the numbers (as written and as values) of `text`."""
    facts = _Facts()
    for match in _WORD.finditer(text):
        for word in _word_variants(match.group()):
            facts.words.add(word)
            facts.stems.add(_stem(word))
            if word in _NUMBER_WORDS:
                facts.values.add(float(_NUMBER_WORDS[word]))
    for written, value, scaled in _numbers(text):
        facts.numbers.add(written)
        facts.values.add(value)
        if scaled is not None:
            facts.values.add(scaled)
    return facts


def date_forms(published_at: str | None) -> list[str]:
    """How a sentence may write the article's publication date (year, month, day, weekday)."""
    if not published_at:
        return []
    try:
        moment = datetime.fromisoformat(published_at)
    except ValueError:
        return [published_at]
    return [published_at[:10], moment.strftime("%B %d %Y %A %b"), str(moment.day)]


def missing_facts(claim: str, facts: _Facts) -> tuple[str, ...]:
    """Numbers, dates and names of `claim` that `facts` (its cited passages) do not contain."""
    missing: list[str] = []
    for written, value, scaled in _numbers(claim):
        if written in facts.numbers or value in facts.values or (scaled is not None and scaled in facts.values):
            continue
        missing.append(written)
    for word in claim_number_words(claim):
        if float(_NUMBER_WORDS[word]) not in facts.values and word not in facts.words:
            missing.append(word)
    missing.extend(name for name in claim_names(claim) if not has_name(name, facts))
    return tuple(dict.fromkeys(missing))


def has_name(name: str, facts: _Facts) -> bool:
    """Whether `facts` mention `name` (ignoring case, possessives, dots and inflection)."""
    return any(v in facts.words or _stem(v) in facts.stems for v in _word_variants(name))


def passages_facts(chunks: Sequence[Chunk]) -> _Facts:
    """The facts of several passages together."""
    facts = _Facts()
    for chunk in chunks:
        facts.update(passage_facts(chunk))
    return facts


def claim_names(claim: str) -> list[str]:
    """Capitalised words of a sentence that name something (a sentence-initial common word is not a name)."""
    names: list[str] = []
    for match in _WORD.finditer(claim):
        word = match.group().rstrip(".-’'")
        for part in re.split(r"[-–]", word):
            part = re.sub(r"(?:['’]s|['’])$", "", part)
            if len(part) < 2 or not part[0].isupper():
                continue
            before = claim[:match.start()].rstrip()
            initial = not before or before[-1] in _OPENERS or before[-1] in ".!?"
            if part.lower() in STOPWORDS or (initial and part == word and _common_word(part)):
                continue
            names.append(part)
    return names


def claim_number_words(claim: str) -> list[str]:
    """Spelled-out numbers of a sentence ("three", "twenty"), which must match like digits."""
    return [w.lower() for w in _WORD.findall(claim) if w.lower() in _NUMBER_WORDS]


def _numbers(text: str) -> list[tuple[str, float, float | None]]:
    out: list[tuple[str, float, float | None]] = []
    for match in _NUMBER.finditer(text):
        whole, decimals, unit = match.groups()
        written = whole.replace(",", "") + (f".{decimals}" if decimals else "")
        value = float(written)
        scale = _SCALES.get((unit or "").lower())
        out.append((written, value, value * scale if scale else None))
    return out


def _word_variants(word: str) -> list[str]:
    """A word lower-cased, with and without possessive, dots and hyphen-joined parts."""
    low = word.lower().rstrip(".-’'")
    base = re.sub(r"(?:['’]s|['’])$", "", low)
    variants = {low, base, base.replace(".", "")}
    variants.update(p for p in re.split(r"[-–]", base) if p)
    return [v for v in variants if v]


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))  # type: ignore[attr-defined]


@lru_cache(maxsize=65536)
def _common_word(word: str) -> bool:
    """True when Punkt's English model has seen the word lower-case (so a capital may only open a sentence)."""
    from nltk.tokenize.punkt import _ORTHO_LC

    from index.chunking import _punkt

    params = _punkt()._params  # type: ignore[attr-defined]
    return bool(params.ortho_context.get(word.lower(), 0) & _ORTHO_LC)


STOPWORDS = {
    "a", "an", "the", "and", "or", "but", "if", "then", "so", "as", "at", "by", "for", "from", "in", "into", "of",
    "on", "onto", "to", "with", "without", "about", "after", "before", "during", "while", "since", "until", "over",
    "under", "between", "among", "through", "this", "that", "these", "those", "it", "its", "he", "she", "they",
    "we", "you", "his", "her", "their", "our", "your", "my", "me", "him", "them", "us", "who", "whom", "whose",
    "which", "what", "when", "where", "why", "how", "is", "are", "was", "were", "be", "been", "being", "has",
    "have", "had", "do", "does", "did", "not", "no", "yes", "also", "both", "either", "neither", "all", "any",
    "some", "each", "every", "there", "here", "however", "meanwhile", "according", "overall", "yet", "still",
    "although", "though", "because", "despite", "instead", "whereas", "moreover", "furthermore", "i",
}
