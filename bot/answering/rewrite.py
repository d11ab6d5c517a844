"""Follow-up questions rewritten into standalone ones before retrieval: by the LLM, or by carrying entities over."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answering.llm import LLMClient, Message
from bot.answering.markers import MARKER
from bot.errors import LLMError
from index.text import STOPWORDS, analyze, name_phrases, name_words, sentence_spans

MAX_TURNS = 3  # earlier turns of the conversation given to the LLM
MAX_ANSWER_CHARS = 600
MAX_CARRIED = 5
MAX_QUESTION_CHARS = 500

REWRITE_SYSTEM_PROMPT = """You rewrite the last question of a conversation about news articles into a standalone \
question that can be understood without the conversation. Replace pronouns and references such as "he", "it", \
"that" or "the company" by the names, outlets, places and dates they refer to. Keep the question's meaning and \
language. Reply with the rewritten question only. If it is already standalone, repeat it unchanged."""

_OPENING_CONJUNCTION = re.compile(r"^(?:and|but|so|also|then|ok(?:ay)?|well)\b[\s,]*", re.IGNORECASE)
_FOLLOW_UP_OPENERS = re.compile(r"^(?:and|but|so|also|then|what about|how about|what else)\b", re.IGNORECASE)
_PRONOUNS = {
    "he", "she", "it", "they", "him", "her", "them", "his", "hers", "its", "their", "theirs", "this", "these",
    "those", "there", "then", "former", "latter", "same",
}
_THAT_AFTER = {"about", "of", "on", "in", "was", "is", "were", "did", "does", "after", "before", "with", "for", "to"}
_QUESTION_WORDS = set(
    analyze(["what who whom whose which when where why how much many did does do is are was were"])[0]
)


@dataclass(frozen=True)
class Rewrite:
    """The question retrieval should use, how it was obtained, and the LLM failure that forced the fallback."""

    question: str
    method: str  # "unchanged", "llm" or "carried"
    error: LLMError | None = None

    @property
    def changed(self) -> bool:
        """True when the question used differs from the one asked."""
        return self.method != "unchanged"


def rewrite_question(question: str, history: Sequence[tuple[str, str]], llm: LLMClient | None = None) -> Rewrite:
    """A standalone version of `question` given the (user, assistant) turns before it."""
    question = question.strip()
    turns = [(u.strip(), a.strip()) for u, a in history if u and u.strip()]
    if not turns:
        return Rewrite(question, "unchanged")
    error: LLMError | None = None
    if llm is not None:
        try:
            rewritten = _clean_llm_reply(llm.complete(rewrite_messages(question, turns), max_tokens=120))
        except LLMError as exc:
            error, rewritten = exc, ""
        if rewritten:
            same = _normalized(rewritten) == _normalized(question)
            return Rewrite(question if same else rewritten, "unchanged" if same else "llm")
    carried = carry_context(question, turns)
    if carried == question:
        return Rewrite(question, "unchanged", error)
    return Rewrite(carried, "carried", error)


def rewrite_messages(question: str, turns: Sequence[tuple[str, str]]) -> list[Message]:
    """The chat messages asking the LLM for a standalone version of `question`."""
    lines = []
    for user, assistant in turns[-MAX_TURNS:]:
        lines.append(f"User: {user}")
        answer = re.sub(r" ([.,;:!?])", r"\1", re.sub(r"\s+", " ", MARKER.sub("", assistant))).strip()
        if answer:
            lines.append(f"Assistant: {answer[:MAX_ANSWER_CHARS]}")
    content = "Conversation:\n" + "\n".join(lines) + f"\n\nLast question: {question}\n\nStandalone question:"
    return [{"role": "system", "content": REWRITE_SYSTEM_PROMPT}, {"role": "user", "content": content}]


def carry_context(question: str, turns: Sequence[tuple[str, str]]) -> str:
    """Without an LLM: a follow-up gets the named entities (and, if it is bare, the topic) of earlier turns."""
    standalone: list[str] = []
    for user, _ in turns:
        standalone.append(_carry_one(user, standalone, turns[: len(standalone)]))
    return _carry_one(question, standalone, turns)


def is_follow_up(question: str) -> bool:
    """True when the question leans on earlier turns: a pronoun, an opening "and", or no named subject."""
    words = re.findall(r"[a-z’']+", question.lower())
    if _FOLLOW_UP_OPENERS.match(question.strip()):
        return True
    for i, word in enumerate(words):
        if word in _PRONOUNS:
            return True
        if word == "that" and (i == len(words) - 1 or (i > 0 and words[i - 1] in _THAT_AFTER)):
            return True
    return not name_words(question) and not _content_terms(question)


def _carry_one(question: str, previous: Sequence[str], turns: Sequence[tuple[str, str]]) -> str:
    if not previous or not is_follow_up(question):
        return question
    present = {n.lower() for n in name_words(question)}
    carried: list[str] = []
    for earlier, (_, answer) in zip(reversed(previous), reversed(turns)):
        names = name_phrases(earlier) or name_phrases(_first_sentence(answer))
        carried = [n for n in names if n.lower() not in present]
        if carried:
            break
    extra: list[str] = []
    if not _content_terms(question):
        # A bare follow-up ("when was that?") also needs the topic of the question it follows.
        carried_words = {w.lower() for n in carried for w in n.split()}
        extra = [w for w in _content_words(previous[-1]) if w.lower() not in carried_words]
    context = list(dict.fromkeys(carried[:MAX_CARRIED] + extra))
    if not context:
        return question
    core = _OPENING_CONJUNCTION.sub("", question.strip()) or question.strip()
    core = core[0].upper() + core[1:]
    return f"{core} ({', '.join(context)})"


def _content_terms(text: str) -> set[str]:
    return set(analyze([text])[0]) - _QUESTION_WORDS


def _content_words(text: str) -> list[str]:
    words = re.findall(r"[^\W\d_][\w’'-]*|\d+", text)
    return [w for w in words if w.lower() not in STOPWORDS and set(analyze([w])[0]) - _QUESTION_WORDS]


def _first_sentence(text: str) -> str:
    text = MARKER.sub("", text).strip()
    spans = sentence_spans(text)
    return text[spans[0][0]:spans[0][1]] if spans else text


def _clean_llm_reply(reply: str) -> str:
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    text = re.sub(r"^(?:standalone question|question|rewritten question)\s*:\s*", "", lines[0], flags=re.IGNORECASE)
    text = text.strip().strip('"“”\'').strip()
    return text if 0 < len(text) <= MAX_QUESTION_CHARS else ""


def _normalized(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()
