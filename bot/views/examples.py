"""Example questions built from the indexed corpus itself: its quoted speakers and most-covered names."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.engine import ChatEngine
from bot.views.quotes import clean_name, find_quotes
from index.documents import Chunk
from index.text import CALENDAR_WORDS, NAME

MAX_EXAMPLES = 4
MAX_TRIES = 4  # candidates checked per kind of question before giving up on that kind
# Month and weekday names: capitalised, but never the subject of a question.
_NAME_RUN = re.compile(rf"(?<![\w’'\-])({NAME})")
_LOWER_WORD = re.compile(r"(?<![\w’'])[a-z][a-z’'\-]+")
# Where a capitalised word is capitalised only because a sentence, line or quote starts there.
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*|[“\"(]\s*)$")


@dataclass
class _Mentions:
    articles: set[str] = field(default_factory=set)
    outlets: set[str] = field(default_factory=set)
    days: set[str] = field(default_factory=set)
    count: int = 0
    titles: set[str] = field(default_factory=set)
    in_titles: set[str] = field(default_factory=set)  # outlets whose headlines name it: a topic, not a passing word
    mid_sentence: int = 0  # occurrences not at a sentence start: evidence it is a name, not a capitalised word


@dataclass(frozen=True)
class ExampleQuestion:
    """A question to offer on an empty chat, and which view it shows off."""

    text: str
    kind: str  # "quotes", "compare", "timeline" or "topic"


Phrase = Callable[[str], tuple[str, list[str]]]  # name -> (question, further names it asks about)


@dataclass
class _Corpus:
    """What one pass over the chunks finds: capitalised names, quoted speakers, and words that rule names out."""

    names: dict[str, _Mentions] = field(default_factory=dict)
    speakers: dict[str, _Mentions] = field(default_factory=dict)
    outlet_words: set[str] = field(default_factory=set)
    lower: dict[str, int] = field(default_factory=dict)  # how often each word is written in lower case


def example_questions(
    chunks: Iterable[Chunk],
    limit: int = MAX_EXAMPLES,
    answerable: Callable[[str], bool] | None = None,
    tries: int = MAX_TRIES,
) -> list[ExampleQuestion]:
    """Up to `limit` questions about the corpus's most quoted speakers and most widely covered names.

    With `answerable`, a question is offered only if it says yes (at most `tries` candidates per kind).
    """
    corpus = _read(chunks)
    topics = {n: m for n, m in corpus.names.items() if _usable(n, m, corpus)}
    used: list[str] = []  # names tried already: each is asked about once at most
    plans = _plans(corpus.speakers, topics, used, limit)
    out: list[ExampleQuestion] = []
    for kind, pool, phrase in plans:
        if len(out) >= limit:
            break
        attempts = 0
        for name in pool:
            if attempts >= tries:
                break
            if any(_overlaps(name, other) for other in used):
                continue
            attempts += 1
            used.append(name)
            question, also = phrase(name)
            if answerable is None or answerable(question):
                used.extend(also)
                out.append(ExampleQuestion(question, kind))
                break
    return out


def _read(chunks: Iterable[Chunk]) -> _Corpus:
    """Every capitalised name and quoted speaker of the chunks, with where they are mentioned."""
    corpus = _Corpus()
    seen_quotes: set[tuple[str, int]] = set()
    capitalised_inside: set[str] = set()  # words capitalised in the middle of a sentence somewhere
    runs: list[tuple[str, Chunk, bool]] = []  # (name, chunk, at a sentence start)
    for chunk in chunks:
        for word in _LOWER_WORD.findall(chunk.text):
            corpus.lower[word] = corpus.lower.get(word, 0) + 1
        if chunk.outlet:
            corpus.outlet_words.update(chunk.outlet.split())
        for match in _NAME_RUN.finditer(chunk.text):
            name = clean_name(match.group(1))
            if not name:
                continue
            at_start = bool(_SENTENCE_START.search(chunk.text[max(0, match.start() - 3) : match.start()]))
            if not at_start:
                capitalised_inside.update(name.split())
            runs.append((name, chunk, at_start))
        for start, _, speaker in find_quotes(chunk.text):
            key = (chunk.article_id, chunk.start + start)
            if speaker and key not in seen_quotes:
                seen_quotes.add(key)
                _note(corpus.speakers.setdefault(speaker, _Mentions()), chunk)
    for name, chunk, at_start in runs:
        words = name.split()
        if at_start and len(words) >= 3 and words[0] not in capitalised_inside:
            # "Goalkeeper Tomas Berg saved…": a role capitalised only because the sentence starts with it.
            name = " ".join(words[1:])
        mentions = corpus.names.setdefault(name, _Mentions())
        _note(mentions, chunk)
        if name in chunk.title:
            mentions.in_titles.add(chunk.outlet or "")
        if not at_start:
            mentions.mid_sentence += 1
    return corpus


def _usable(name: str, mentions: _Mentions, corpus: _Corpus) -> bool:
    """Whether a capitalised name can be the subject of a question (not a common word, month or outlet)."""
    words = name.split()
    # A capitalised word more often written in lower case is a common word that began a sentence.
    if len(words) == 1 and corpus.lower.get(name.lower(), 0) * 10 >= mentions.count:
        return False
    return (
        len(name) >= 3
        and not re.match(r"I['’]", name)
        and not any(w in CALENDAR_WORDS for w in words)  # capitalised, never a subject
        and not set(words) <= corpus.outlet_words
        and (len(words) > 1 or mentions.mid_sentence > 0)
    )


def _plans(
    speakers: dict[str, _Mentions], topics: dict[str, _Mentions], used: list[str], limit: int
) -> list[tuple[str, list[str], Phrase]]:
    """(kind, names best first, how to ask about one) for each kind of question, in the order offered."""

    def ranked(pool: Iterable[str], *keys: Callable[[_Mentions], int]) -> list[str]:
        return sorted(pool, key=lambda n: (*(-key(topics[n]) for key in keys), n))

    in_titles, n_articles = (lambda m: len(m.in_titles)), (lambda m: len(m.articles))
    quoted = sorted(
        (s for s in speakers if " " in s),  # full names read better than a bare surname
        key=lambda s: (-len(speakers[s].articles), -speakers[s].count, s),
    )

    def about(speaker: str) -> tuple[str, list[str]]:
        """Ask what `speaker` said about the most covered name in the headlines of the articles quoting them."""
        found = [
            n for n in topics
            if topics[n].in_titles and any(n in t for t in speakers[speaker].titles)
            and not any(_overlaps(n, other) for other in [speaker, *used])
        ]
        best = ranked(found, n_articles, in_titles)
        if not best:
            return f"What did {speaker} say?", []
        return f"What did {speaker} say about {best[0]}?", [best[0]]

    def plain(template: str) -> Phrase:
        return lambda name: (template.format(name), [])

    plans: list[tuple[str, list[str], Phrase]] = [
        ("quotes", quoted, about),
        ("compare", ranked((n for n in topics if len(topics[n].outlets) >= 2), in_titles, lambda m: len(m.outlets),
                           n_articles), plain("How did different outlets report on {}?")),
        ("timeline", ranked((n for n in topics if len(topics[n].days) >= 2), in_titles, lambda m: len(m.days),
                            n_articles), plain("How did the coverage of {} develop over time?")),
    ]
    topic_pool = ranked(topics, in_titles, n_articles, lambda m: m.count)
    return plans + [("topic", topic_pool, plain("What do the articles say about {}?"))] * limit


def _overlaps(a: str, b: str) -> bool:
    return a in b or b in a


def _note(mentions: _Mentions, chunk: Chunk) -> None:
    mentions.count += 1
    mentions.titles.add(chunk.title)
    mentions.articles.add(chunk.article_id)
    mentions.outlets.add(chunk.outlet or "")
    if chunk.published_at:
        mentions.days.add(chunk.published_at[:10])


def answerable_by(engine: ChatEngine) -> Callable[[str], bool]:
    """Whether the index holds a passage relevant to a question: the chat's "not covered" gate, without an LLM."""

    def check(question: str) -> bool:
        return engine.assess(question)[1].covered

    return check
