"""Follow-up questions: told apart from self-contained ones, rewritten into standalone ones before retrieval (by the
LLM, or by carrying names and topic over), and answered with something the previous answer did not say."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answering.llm import LLMClient, Message
from bot.answering.markers import MARKER
from bot.answering.sentences import CandidateSentence
from bot.errors import LLMError
from index.text import STOPWORDS, analyze, name_phrases, name_words, sentence_spans

RECENT_TURNS = 3  # turns the LLM is shown, and whose answers may name who a follow-up's pronoun is
HISTORY_TURNS = 8  # the furthest a follow-up looks back for the conversation's last self-contained question
MAX_ANSWER_CHARS = 600
MAX_CARRIED = 5
MAX_QUESTION_CHARS = 500
RESOLVING_WORDS = 2  # a possessive after a name or this many content words can stand for one of them (one more
# for other pronouns: "Who called for an audit of it?" leans on the turn before)
SHORT_TERMS = 2  # a question about "the" something with at most this many content terms and no name leans on
TOPIC_TERMS = 1  # the turns before it; one with at most this many also gets the conversation's topic words

REWRITE_SYSTEM_PROMPT = """You rewrite the last question of a conversation about news articles into a standalone \
question that can be understood without the conversation. Replace pronouns and references such as "he", "it", \
"that" or "the company" by the names, outlets, places and dates they refer to. Keep the question's meaning and \
language. Reply with the rewritten question only. If it is already standalone, repeat it unchanged."""

_OPENING_CONJUNCTION = re.compile(r"^(?:and|but|so|also|then|ok(?:ay)?|well)\b[\s,]*", re.IGNORECASE)
_FOLLOW_UP_OPENERS = re.compile(r"^(?:and|but|so|also|then|what about|how about|what else)\b", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W\d_][\w’']*|\d+")
_POSSESSIVE_END = re.compile(r"[’']s?$")
_PRONOUNS = {"he", "she", "it", "they", "him", "her", "them", "his", "hers", "its", "their", "theirs", "former",
             "latter"}
_POSSESSIVES = {"its", "their", "his", "theirs"}
_PERSONS = {"he", "she", "him", "her", "his", "hers"}
_DEMONSTRATIVES = {"this", "these", "those"}
_TIME_WORDS = {"year", "years", "week", "weeks", "month", "months", "season", "time", "morning", "afternoon",
               "evening", "weekend", "summer", "winter", "spring", "autumn", "fall", "quarter", "decade", "century"}
# Words index.text.STOPWORDS keeps (it serves search) that say nothing about what a pronoun could stand for.
_FUNCTION_WORDS = {"against", "around", "toward", "towards", "across", "behind", "beyond", "near", "within", "upon",
                   "via", "per", "off", "out", "up", "down", "like", "than", "will", "would", "can", "could",
                   "should", "may", "might", "must", "shall", "get", "got", "just", "really", "ever", "now"}
_NOT_CONTENT = STOPWORDS | _PRONOUNS | _FUNCTION_WORDS
_IT_EXPLETIVE_NEXT = {"that", "to", "whether"}
_FINAL_POINTERS = {"there", "then"}
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
    """A standalone version of `question` given the (user, assistant) turns before it.

    Only a follow-up (`is_follow_up`) is rewritten, and only against the last HISTORY_TURNS turns: a question
    that names its own subject is searched as asked, however long the conversation.
    """
    question = question.strip()
    turns = [(u.strip(), a.strip()) for u, a in history if u and u.strip()][-HISTORY_TURNS:]
    if not turns or not is_follow_up(question):
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
    for user, assistant in turns[-RECENT_TURNS:]:
        lines.append(f"User: {user}")
        answer = re.sub(r" ([.,;:!?])", r"\1", re.sub(r"\s+", " ", MARKER.sub("", assistant))).strip()
        if answer:
            lines.append(f"Assistant: {answer[:MAX_ANSWER_CHARS]}")
    content = "Conversation:\n" + "\n".join(lines) + f"\n\nLast question: {question}\n\nStandalone question:"
    return [{"role": "system", "content": REWRITE_SYSTEM_PROMPT}, {"role": "user", "content": content}]


def carry_context(question: str, turns: Sequence[tuple[str, str]]) -> str:
    """Without an LLM: a follow-up gets the conversation's names and, when it is bare, its topic.

    The topic is the last self-contained question of the last HISTORY_TURNS turns (a chain of follow-ups keeps
    it); the names are those of the questions asked since (newest first) and of that question, and those the
    last answer opens with when the questions named nobody or the follow-up asks about a person ("What happened
    to her?").
    """
    if not is_follow_up(question):
        return question
    turns = turns[-HISTORY_TURNS:]
    questions = [user for user, _ in turns]
    start = next((i for i in range(len(questions) - 1, -1, -1) if not is_follow_up(questions[i])), 0)
    names = [n for q in reversed(questions[start:]) for n in name_phrases(q)]
    answer_names = name_phrases(_first_sentence(turns[-1][1])) if turns else []
    if not names or _PERSONS & {m.group().lower() for m in _TOKEN.finditer(question)}:
        names += answer_names
    present = {n.lower() for n in name_words(question)}
    carried = [n for n in dict.fromkeys(names) if n.lower() not in present][:MAX_CARRIED]
    topic: list[str] = []
    if len(_content_terms(question)) <= TOPIC_TERMS:
        # A bare follow-up ("What was the verdict?", "when was that?") also needs what the conversation is about.
        carried_words = {w.lower() for n in carried for w in n.split()}
        topic = [w for w in _content_words(questions[start]) if w.lower() not in carried_words and w not in names]
    context = list(dict.fromkeys(carried + topic))
    if not context:
        return question
    core = _OPENING_CONJUNCTION.sub("", question.strip()) or question.strip()
    return f"{core[0].upper() + core[1:]} ({', '.join(context)})"


def is_follow_up(question: str) -> bool:
    """True when the question leans on earlier turns rather than naming its own subject.

    It does when it opens with "and", "what about" and the like; when a pronoun or a pointing "that"/"this"
    comes before the question has said what it could stand for ("What did he say?", "What happened to her
    after that?"); or when it names nothing and is bare or short and about "the" something ("What was the
    verdict?"). "Did Apple raise its prices?" and "how much was ftx worth at its peak?" are self-contained.
    """
    text = question.strip()
    if _FOLLOW_UP_OPENERS.match(text):
        return True
    tokens = [m.group() for m in _TOKEN.finditer(text)]
    words = [t.lower() for t in tokens]
    content = [_is_content(w) for w in words]
    names = set(name_words(text))
    named = [_POSSESSIVE_END.sub("", t) in names for t in tokens]
    for i in _pointing_words(words, content):
        # "Did Apple raise its prices?", "how much was ftx worth at its peak?": the question says whom it means.
        needed = RESOLVING_WORDS if words[i] in _POSSESSIVES else RESOLVING_WORDS + 1
        if not any(named[:i]) and sum(content[:i]) < needed:
            return True
    if names:
        return False
    return len(words) <= 2 or (sum(content) <= SHORT_TERMS and "the" in words)


def _is_content(word: str) -> bool:
    word = _POSSESSIVE_END.sub("", word)
    return word not in _NOT_CONTENT and bool(set(analyze([word])[0]) - _QUESTION_WORDS)


def _pointing_words(words: Sequence[str], content: Sequence[bool]) -> list[int]:
    """Positions of the words that point at something said before: pronouns, "that"/"this", a final "there"."""
    found = []
    for i, word in enumerate(words):
        after = words[i + 1 : i + 4]
        if word in _PRONOUNS:
            if word == "it" and any(w in _IT_EXPLETIVE_NEXT for w in after):
                continue  # "is it true that …", "is it possible to …"
            found.append(i)
        elif word in _DEMONSTRATIVES and not (after and after[0] in _TIME_WORDS):  # not "this year"
            found.append(i)
        elif word == "that" and (i == len(words) - 1 or (words[i - 1] in _THAT_AFTER and not content[i + 1])):
            found.append(i)  # "when was that?", "what happened after that?", not "the firm that built it"
        elif word in _FINAL_POINTERS and i == len(words) - 1:  # "what happened there / then?"
            found.append(i)
    return found


def fresh_sentences(scored: Sequence[CandidateSentence], previous_answer: str) -> list[CandidateSentence]:
    """The candidate sentences a follow-up may answer with: those the previous answer did not already give."""
    said = f" {_normalized(MARKER.sub(' ', previous_answer))} "
    return [c for c in scored if f" {_normalized(c.text)} " not in said]


def _content_terms(text: str) -> set[str]:
    return set(analyze([" ".join(_content_words(text))])[0])


def _content_words(text: str) -> list[str]:
    words = (_POSSESSIVE_END.sub("", w) for w in re.findall(r"[^\W\d_][\w’'-]*|\d+", text))
    return [w for w in words if w.lower() not in _NOT_CONTENT and set(analyze([w])[0]) - _QUESTION_WORDS]


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
