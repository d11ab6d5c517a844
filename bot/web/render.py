"""The page's HTML through Jinja2 templates (templates/): answers, source cards, the passage store, evidence views.

Autoescape is on, so text from articles and users is always escaped, in the form html.escape writes it
(`&quot;`, `&#x27;`); only http(s) links are ever made (labels.safe_url). Python prepares what a view shows, the
templates hold the markup. A line break in a template, with the indentation after it, is dropped, so the HTML
comes out on one line as it always has (whitespace matters around inline elements): a space that matters is
written within a line, or as {{ " " }} at the start of one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.ext import Extension
from markupsafe import Markup

from bot.types import GENERATED, QUOTED, SUPPORT_MEANING, Answer, AnswerSentence, label_summary
from bot.views.evidence import Evidence, gather_evidence, outlet_of
from bot.views.quotes import Quote
from bot.web import state as web_state
from bot.web.export import answer_markdown
from bot.web.labels import MARKER, dateline, marker_numbers, mode_label, safe_url, sentence_with_markers
from bot.web.state import Turn, turn_evidence
from index.documents import Chunk
from index.text import counted

TEMPLATES = Path(__file__).parent / "templates"


class _OneLine(Extension):
    """Drop each line break of a template and the indentation after it (see the module docstring)."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return re.sub(r"\n\s*", "", source)


def _escaped(value: Any) -> Any:
    """Every printed string, escaped as html.escape does; markup (a macro's output) is left as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return Markup(html.escape(value, quote=True))
    return value


_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    finalize=_escaped,
    undefined=StrictUndefined,
    extensions=[_OneLine],
)


_ENV.filters["counted"] = counted  # "1 article", "6 articles": never "article(s)"


def _render(template: str, **context: Any) -> str:
    return str(_ENV.get_template(template).render(**context))


def fragment(template: str, **context: Any) -> str:
    """One of templates/ rendered with this module's escaping, for the page's other views (reader.py)."""
    return _render(template, **context)


def _macro(template: str, name: str) -> Callable[..., Markup]:
    macro: Callable[..., Markup] = getattr(_ENV.get_template(template).module, name)
    return macro


# ---------------------------------------------------------------- small pieces


def empty_view(text: str) -> str:
    """A view with nothing to show, saying why or what will appear there."""
    return str(_macro("notices.html", "empty")(text))


EMPTY_SOURCES = empty_view(
    "Ask a question: the passages behind the answer appear here, the cited span of each highlighted. "
    "Click a marker such as [1] in the answer, or a card, to read it."
)
EMPTY_TIMELINE = empty_view(
    "The coverage timeline plots every article on your question's topic by publication date and outlet, with "
    "counts per outlet and week, so you can see who reported what, when."
)
EMPTY_COMPARE = empty_view(
    "Outlet comparison puts the outlets that covered your question's topic side by side, each with the statement "
    "of its articles most central to the topic, cited."
)
EMPTY_QUOTES = empty_view(
    "Quotes lists who said what in the passages behind an answer, with the speaker where the article names one."
)
WORKING = empty_view("Working on the answer…")
TOPIC_SEARCHING = empty_view("Searching every article on this topic…")  # Timeline, Compare (coverage.py)


def user_bubble(question: str) -> dict[str, Any]:
    """The user's message in the chat, as text."""
    return {"role": "user", "content": str(_macro("notices.html", "question")(question))}


def format_error(message: str) -> str:
    """A bubble for something that went wrong, saying what to do."""
    return str(_macro("notices.html", "error")(message))


def format_waiting(ahead: int) -> str:
    """The answer's bubble while its question waits in line: how many questions are ahead of it."""
    return str(_macro("notices.html", "waiting")(ahead))


def placeholder(indexed: bool, with_examples: bool) -> str:
    """What the empty chat says: how to get an index, or what to ask (above the example questions)."""
    return str(_macro("notices.html", "placeholder")(indexed, with_examples))


# ---------------------------------------------------------------- the answer bubble


def marker_parts(text: str, known: set[int]) -> list[str | int]:
    """The text cut at its `[n]` / `[n, m]` markers: each known passage number an int (a link), the rest text."""
    parts: list[str | int] = []
    last = 0
    for marker in MARKER.finditer(text):
        parts.append(text[last : marker.start()])
        parts.extend(n if n in known else f"[{n}]" for n in marker_numbers(marker))
        last = marker.end()
    parts.append(text[last:])
    return parts


def link_markers(text: str, turn: int, known: set[int]) -> str:
    """The text as HTML, its markers of known passages links to them (`#psg-<turn>-<n>`); unknown numbers stay text."""
    return str(_macro("markers.html", "linked")(marker_parts(text, known), turn))


@dataclass(frozen=True)
class _Sentence:
    parts: list[str | int]
    supported: bool
    why: str  # why it is not supported
    lead: bool = False  # the short answer, shown first and bold
    disagree: str = ""  # "sources disagree: [1] vs [3]" when another article states other figures
    checked: str = ""  # "quoted" or "supported by [1]": what the check found for a generated sentence
    meaning: str = ""  # the checked label's tooltip: what it does and does not say
    source: str = ""  # the article it comes from, when the answer gives one article a line


def _checked(answer: Answer, s: AnswerSentence) -> tuple[str, str]:
    """The label of a supported generated sentence and its tooltip. An extractive answer's sentences are all
    quoted by construction (its meta line says so and the tally counts them): labelling each would be noise."""
    if answer.mode != GENERATED or not s.supported or s.disagrees or s.lead or not s.label:
        return "", ""
    if s.label == QUOTED:
        return s.label, "A cited passage has this sentence word for word; that is not to say it is true"
    return s.label, SUPPORT_MEANING


def format_answer(answer: Answer, turn: int = 1, scope: str = "", hint: str = "") -> str:
    """The chat bubble: text with clickable markers, unsupported sentences flagged, notes, scope, copy link."""
    known = {c.n for c in answer.citations}
    sentences = [
        _Sentence(marker_parts(sentence_with_markers(s), known), s.supported,
                  s.note or "its cited passages do not support it", s.lead, s.label if s.disagrees else "",
                  *_checked(answer, s), source=s.source)
        for s in answer.sentences  # an extractive answer streams sentence by sentence; a generated one as text
    ]
    standalone = answer.standalone_question
    rewritten = standalone if standalone and standalone.strip() != answer.question.strip() else None
    meta = " · ".join(x for x in (scope, mode_label(answer.mode) if answer.done else "answering…") if x)
    return _render(
        "answer.html", answer=answer, turn=turn, sentences=sentences, parts=marker_parts(answer.text or "…", known),
        hint=hint, rewritten=rewritten, meta=meta, copy=answer.done and bool(answer.citations),
        checked=label_summary(answer.sentences) if answer.done else "",
    )


# ---------------------------------------------------------------- sources: cards and the passage store


@dataclass(frozen=True)
class _Passage:
    """A passage as a card or a hidden holder shows it (the data-* attributes static/passage_viewer.js reads)."""

    key: str  # `<turn>-<n>`, what markers link to
    n: int
    title: str
    meta: str
    url: str  # empty when there is no http(s) link
    start: int  # the first span to highlight (the passage viewer scrolls to it)
    end: int
    where: str
    text: str
    label: str  # "cited" or "retrieved"
    spans: tuple[tuple[int, int], ...] = ()  # every span to highlight
    outside: str = ""  # why it is outside the outlets or dates the question names

    @property
    def pieces(self) -> list[tuple[str, bool]]:
        """The text cut at the highlighted spans: (piece, highlighted), in order."""
        out, cursor = [], 0
        for a, b in sorted(s for s in self.spans if 0 <= s[0] < s[1] <= len(self.text)):
            if a < cursor:
                continue
            out += [(self.text[cursor:a], False), (self.text[a:b], True)]
            cursor = b
        return [*out, (self.text[cursor:], False)]


def _passage(turn: int, ev: Evidence) -> _Passage:
    chunk = ev.chunk
    return _Passage(
        key=f"{turn}-{ev.n}", n=ev.n, title=chunk.title, meta=dateline(outlet_of(chunk), chunk.published_at),
        url=safe_url(chunk.url) or "", start=ev.start, end=ev.end,
        where=f"passage {chunk.n + 1} of the article, characters {chunk.start}–{chunk.end}",
        text=chunk.text, label="cited" if ev.cited else "retrieved", spans=ev.highlights if ev.cited else (),
        outside=ev.outside,
    )


def format_card(turn: int, ev: Evidence) -> str:
    """A source card: number, title, outlet, date, link, and the passage with the cited span highlighted."""
    return str(_macro("passages.html", "card")(_passage(turn, ev)))


# Cards shown open in the Sources tab (cited first); further retrieved ones fold under one line. An answer reads
# as much text as ten passages of articles hold, so on a corpus of short snippets it reads ~30 of them: listed
# open, the cited cards are lost in a long scroll.
PASSAGES_OPEN = 10


def format_sources(turn: int, answer: Answer, evidence: Sequence[Evidence] | None = None) -> str:
    """The Sources tab for an answer: cited passages first, then the other retrieved ones."""
    evidence = list(evidence) if evidence is not None else gather_evidence(answer)
    if answer.covered and not evidence:
        return WORKING
    passages = [_passage(turn, ev) for ev in evidence]
    cited = [p for p in passages if p.label == "cited"]
    other = [p for p in passages if p.label != "cited"]
    open_other = max(0, PASSAGES_OPEN - len(cited))
    return _render(
        "sources.html", covered=answer.covered, closest=passages, cited=cited, other=other[:open_other],
        folded=other[open_other:],
    )


def format_store(turns: Sequence[Turn], chunks: Mapping[str, Chunk], *, append: bool = False) -> str:
    """Hidden holders of these turns' passages (`chunks` by id; a passage gone from the index is left out) and copy
    texts, which the page adds to its archive (`append`: one new answer) or starts it over with (a reopened or new
    chat), so markers of earlier answers still open."""
    held = [{"number": t.number, "markdown": answer_markdown(t),
             "passages": [_passage(t.number, ev) for ev in turn_evidence(t, chunks)]} for t in turns]
    return _render("store.html", turns=held, mode="append" if append else "replace", keep=web_state.STORE_TURNS)


# ---------------------------------------------------------------- evidence views


def format_quotes(turn: int, quotes: Sequence[Quote]) -> str:
    """Who said what: every quoted statement in the answer's passages, with its speaker when named."""
    if not quotes:
        return empty_view("No quoted statement in the passages behind this answer.")
    return _render(
        "quotes.html", turn=turn, named=sum(1 for q in quotes if q.speaker),
        quotes=[(q, dateline(outlet_of(q.chunk), q.chunk.published_at)) for q in quotes],
    )
