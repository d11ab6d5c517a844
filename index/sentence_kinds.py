"""What kind of text a sentence of an article is: prose, or one of the page furniture that surrounds it.

News pages carry headings, photo captions and credits, link lines ("MORE: …"), embedded posts, questions, list
and table fragments, and boilerplate repeated on every article of a site. They stay searchable, but only prose
may become an answer sentence, a compared statement, a quote or an example question. The signals are general
(terminal punctuation, capitalisation, length, labels, URLs and handles, repetition across the corpus), never
phrases taken from one corpus.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from enum import StrEnum
from functools import lru_cache

from index.lexicon import AUX
from index.text import SPEECH_VERBS, STOPWORDS, sentence_spans


class SentenceKind(StrEnum):
    """The kinds a sentence can be; only PROSE answers questions."""

    PROSE = "prose"
    HEADING = "heading"
    CAPTION = "caption"
    LINK = "link"
    SOCIAL = "social"
    QUESTION = "question"
    LIST = "list"
    BOILERPLATE = "boilerplate"


_CLOSERS = "\"'”’)]»*_ \t\n"
_TERMINAL = re.compile(r"[.!?…:;]$")
_URL = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|org|net|co\.uk|ly)/\S", re.I)
# Embedded posts: handles, shortened links, hashtags, the "— Name (@handle) Month d, yyyy" attribution line.
_SOCIAL = re.compile(r"pic\.twitter\.com|\bt\.co/|\(@\w+\)|(?:^|\s)@\w{2,}|(?:#\w+.*){2}", re.I)
# Photo captions and credits: the labels and agency credits picture desks use on every news site.
# A credit line: the picture's source, which the words before a credit describe (see `_caption_paragraphs`).
_CREDIT_LABEL = r"^(?:image|photo|photograph|picture|credit|illustration)s?\s*(?:credit)?\s*:"
_AGENCY_CREDIT = r"[|/]\s*(?:reuters|afp|ap|bloomberg|getty(?: images)?|shutterstock|pa|epa)\b\s*$"
_CREDIT = re.compile(rf"{_CREDIT_LABEL}|{_AGENCY_CREDIT}", re.I)
# A question someone asked, quoted whole at the sentence's end ("Karina Newton responded, “we’re not collecting user
# names right?”"): the sentence reports it, and answers who asked.
_REPORTED_QUESTION = re.compile(rf"\b(?:{SPEECH_VERBS}|responded|wondered|queried)[,:]?\s+[“\"‘][^“”\"]*\?[”\"’]$")
# A story's own credit ("With Bloomberg/Reuters", "Reporting by …") ends the story, not a picture's caption.
_STORY_CREDIT = re.compile(r"(?:with|(?:additional )?reporting by|written by)\b", re.I)
_CAPTION = re.compile(
    r"^(?:image|photo|photograph|picture|video|credit|caption|illustration|pictured)s?\s*(?:credit)?\s*:"
    r"|\b(?:getty images|ap photo|afp via getty|photograph:|photo by|image credit|file photo)\b"
    rf"|{_AGENCY_CREDIT}"
    r"|\bin this (?:\w+ )?(?:photo|photograph|picture|image|sketch|illustration|handout)\b",
    re.I,
)
# Where a person stands in the picture, after their name: "Shai Hope (right) celebrates", "Zhao Changpeng (R)".
_PICTURE_PLACE = re.compile(r"[A-Z][\w’'-]+\s\((?:L|R|C|left|right|centre|center|second (?:left|right))\)")
# Navigation: a line that sends the reader elsewhere instead of saying something.
_NAVIGATION = re.compile(
    r"^(?:more|read more|related|see also|watch|listen|click here|sign up|subscribe|follow|recommended|"
    r"also read|further reading|go deeper|explore more|don't miss|trending)\b\s*[:»>|–—-]",
    re.I,
)
# A call to action: the page, not the news, tells the reader to do something ("Watch all the action … on Stan
# Sport.", "Sign up for our newsletter", "Check out our guide"): an imperative verb of reading, watching or joining
# with an object that points at the site's offer rather than at the story.
_CALL_TO_ACTION = re.compile(
    r"^[\"“'‘]?(?:watch|stream|listen(?: to)?|subscribe(?: to)?|sign up(?: for| to)?|download|follow|join|click|tap|"
    r"shop|catch|read|get|see|find|check out)\s+(?:all|every|each|our|us|the (?:latest|best|full)|now|live|free|"
    r"more|here|today)\b"
    # or to subscribe to, visit or follow a named site or show ("Subscribe to Morning Kombat …", "Visit SportsLine
    # now …", "Follow @EngadgetDeals …"): news prose does not open on these imperatives
    r"|^[\"“'‘]?(?:subscribe to|sign up (?:for|to)|visit|head (?:over )?to|follow|tune in to)\s+(?-i:[A-Z@])",
    re.I,
)
# A subscription box: a newsletter's sign-up form scraped with the article ("Sign up to Football Daily Free daily
# newsletter …", "Please enter a valid email address", "… in your inbox every Saturday, head here to sign up!"), or
# the form's own template code ("{{ #verifyErrors }} {{ message }}").
_SUBSCRIPTION = re.compile(
    r"\bsign up\b[^.!?]*\b(?:newsletters?|your inbox)\b|\b(?:newsletters?|your inbox)\b[^.!?]*\bsign up\b"
    r"|\benter (?:a |your )?valid e-?mail\b|\{\{[^{}]*\}\}"
    # where the reader can play the outlet's episode: "… which you can listen to below, or on Apple Podcasts"
    r"|\byou can (?:listen|watch|stream|tune in)\b[^.!?]{0,40}\b(?:below|above|here)\b"
    r"|\bwherever you (?:get|listen to) (?:your )?podcasts\b"
    # a newsletter's own introduction: "This is Hot Pod, The Verge’s newsletter about podcasting …"
    r"|^this is [^,.!?]{1,60}, [^.!?]{0,60}\bnewsletter\b",
    re.I,
)
_LABEL = re.compile(r"^([^\s:][^:]{0,28}):\s+(.*)$", re.S)  # "Label: value", a field or a list entry
_BULLET = re.compile(r"^\s*(?:[-*•▪●◦]|\d{1,3}[.)]|[a-z][.)])\s+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_BLOCK_BREAK = re.compile(r"\n\s*\n")
_SHORT_HEADING_WORDS = 12
_TITLE_CASE_SHARE = 0.6
MIN_PROSE_WORDS = 5


def sentence_kind(sentence: str, whole_block: bool = True, repeated: bool = False) -> SentenceKind:
    """The kind of one sentence; `whole_block` when it is a paragraph of its own, `repeated` when it recurs
    across many articles of the corpus (see `repeated_sentences`)."""
    text = sentence.strip()
    core = text.rstrip(_CLOSERS)
    words = _WORD.findall(text)
    if not words:
        return SentenceKind.LIST
    if _SOCIAL.search(text):
        return SentenceKind.SOCIAL
    if _URL.search(text) or _NAVIGATION.search(text) or _CALL_TO_ACTION.search(text) or _SUBSCRIPTION.search(text):
        return SentenceKind.LINK
    if _CAPTION.search(text) or _PICTURE_PLACE.search(text):
        return SentenceKind.CAPTION
    if core.endswith("?") and not _REPORTED_QUESTION.search(text):
        return SentenceKind.QUESTION
    if _BULLET.match(text):
        return SentenceKind.LIST
    terminal = bool(_TERMINAL.search(core)) and not core.endswith(":")
    label = _LABEL.match(text)
    # "Price: $19.89 for adults." is a field; "Taylor Swift: The Eras Tour tickets are $19.89 for adults." a clause
    value = _WORD.findall(label.group(2)) if label else []
    clause = terminal and any(w.lower() in AUX for w in value)
    if label and _is_label(label.group(1)) and not clause and (not terminal or len(value) < 8):
        shouted = label.group(1).isupper()
        return SentenceKind.LINK if shouted and not terminal else SentenceKind.LIST
    if not terminal:
        if whole_block and (len(words) <= _SHORT_HEADING_WORDS or _title_case_share(words) >= _TITLE_CASE_SHARE):
            return SentenceKind.HEADING
        return SentenceKind.LIST
    if repeated:
        return SentenceKind.BOILERPLATE
    if len(words) < MIN_PROSE_WORDS or _title_case_share(words) >= 0.85:
        return SentenceKind.LIST if len(words) < MIN_PROSE_WORDS else SentenceKind.HEADING
    return SentenceKind.PROSE


def prose_spans(text: str, repeated: Collection[str] = frozenset()) -> list[tuple[int, int]]:
    """Spans of the prose sentences of a passage (Punkt sentences; headings, captions, link lines, posts,
    questions, list fragments and the corpus's boilerplate left out). A sentence opening with a run of words the
    corpus glues to the start of sentences (`glued_openings`) starts after it."""
    if isinstance(repeated, frozenset):
        return list(_kept_prose_spans(text, repeated))
    return _prose_spans(text, repeated)


# Every answer reads the prose of the passages it retrieves, and a conversation retrieves the same ones again:
# ~1 ms a passage of regular expressions (the keys are the index's own frozen set, hashed once).
@lru_cache(maxsize=2048)
def _kept_prose_spans(text: str, repeated: frozenset[str]) -> tuple[tuple[int, int], ...]:
    return tuple(_prose_spans(text, repeated))


def _prose_spans(text: str, repeated: Collection[str]) -> list[tuple[int, int]]:
    spans = sentence_spans(text)
    kinds = [sentence_kind(text[a:b], _alone(text, a, b), sentence_key(text[a:b]) in repeated) for a, b in spans]
    captioned = _caption_paragraphs(text, spans, kinds)
    return [(a + _glued_length(text[a:b], repeated), b) for i, ((a, b), kind) in enumerate(zip(spans, kinds))
            if kind == SentenceKind.PROSE and i not in captioned]


def blank_glued_openings(text: str, repeated: Collection[str]) -> str:
    """`text` with the glued openings of its sentences blanked out (same length, so offsets still hold):
    "Loading Google said …" names Google, not a "Loading Google"."""
    if not repeated:
        return text
    for start, end in reversed(sentence_spans(text)):
        cut = _glued_length(text[start:end], repeated)
        if cut:
            text = text[:start] + " " * cut + text[start + cut:]
    return text


def _glued_length(sentence: str, repeated: Collection[str]) -> int:
    """Characters of the longest glued opening the sentence starts with (0 when none), if prose is left."""
    if not repeated:
        return 0
    words = list(_SPACED.finditer(sentence))
    cut = 0
    for k in range(1, min(MAX_OPENING_WORDS, len(words) - MIN_PROSE_WORDS) + 1):
        run = " ".join(m.group() for m in words[:k])
        if _prefix_key(run) not in repeated:
            break  # no glued opening starts so: most sentences stop at their first word
        if _opening_key(run) in repeated:
            cut = words[k].start()
    return cut


def _caption_paragraphs(text: str, spans: list[tuple[int, int]], kinds: list[SentenceKind]) -> set[int]:
    """The sentences right before a photo credit in the same paragraph: they describe the picture ("… listens
    as … questions Gary Wang …, at Federal Court in New York City, U.S., October 6, 2023." before "Jane
    Rosenberg | Reuters")."""
    return {i - 1 for i in range(1, len(spans))
            if kinds[i] == SentenceKind.CAPTION and _CREDIT.search(credit := text[spans[i][0]:spans[i][1]].strip())
            and not _STORY_CREDIT.match(credit)
            and not _BLOCK_BREAK.search(text[spans[i - 1][1]:spans[i][0]])}


FURNITURE = frozenset({SentenceKind.HEADING, SentenceKind.CAPTION, SentenceKind.LINK, SentenceKind.SOCIAL,
                       SentenceKind.BOILERPLATE})


def furniture_spans(text: str) -> list[tuple[int, int]]:
    """Spans of a passage's page furniture: headings, captions, link lines, embedded posts (not a quoted
    question or a list entry, which may still be someone's words)."""
    return [(a, b) for a, b in sentence_spans(text) if sentence_kind(text[a:b], _alone(text, a, b)) in FURNITURE]


def _alone(text: str, start: int, end: int) -> bool:
    """Whether a sentence is a paragraph of its own (nothing but a blank line before and after it)."""
    before, after = text[:start], text[end:]
    return (not before.strip() or bool(_BLOCK_BREAK.search(before[-4:]))) and (
        not after.strip() or bool(_BLOCK_BREAK.match(after)))


def _is_label(label: str) -> bool:
    # A label is a few words naming a field ("Cast", "Where to watch", "CM"); a clause before a colon is not.
    return len(label.split()) <= 4 and not label.rstrip().endswith((".", "?", "!"))


def _title_case_share(words: list[str]) -> float:
    # Share of capitalised words among those a sentence would write in lower case (short function words aside).
    content = [w for w in words if len(w) > 3]
    if not content:
        return 0.0
    return sum(w[0].isupper() for w in content) / len(content)


def sentence_key(sentence: str) -> str:
    """A key for a sentence that ignores case, punctuation and spacing (how a repeated line is recognised)."""
    folded = " ".join(w.lower() for w in _WORD.findall(sentence))
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=8).hexdigest()


MAX_OPENING_WORDS = 12
_SPACED = re.compile(r"\S+")
_OPENERS = "\"'“‘([«"
_SPEAKS = re.compile(rf"\b(?:{SPEECH_VERBS})\b", re.I)


def glued_openings(
    articles: Iterable[tuple[str, Iterable[str]]], min_articles: int = 5, min_share: float = 0.01
) -> frozenset[str]:
    """Keys of the runs of words that many articles glue to the start of their sentences, with no full stop
    between: a widget's label ("Loading", "Got it Normal text size Larger text size …") left in the text.

    A run counts when it opens sentences in at least `min_articles` articles and `min_share` of them, and what
    follows it reads as a new sentence: nearly always capitalised, mostly different words, some of them an
    opening word ("The", "It", "That"). A name ("The European Union"), a clause ("In an interview with …")
    or a heading with one continuation is not a glued opening.
    """
    corpus = [(article, [_SPACED.findall(s) for s in dict.fromkeys(sentences)])  # overlapping passages repeat
              for article, sentences in articles]
    floor = max(min_articles, int(min_share * len(corpus)))
    found: set[str] = set()
    alive: set[tuple[str, ...]] | None = None
    # Level by level, a run of k words only where its first k - 1 were frequent: memory stays with the few
    # frequent runs instead of every sentence's twelve openings.
    for k in range(1, MAX_OPENING_WORDS + 1):
        seen: dict[tuple[str, ...], set[str]] = defaultdict(set)
        after: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for article, sentences in corpus:
            for words in sentences:
                run = tuple(words[:k])
                if len(words) - MIN_PROSE_WORDS < k or (alive is not None and run[:-1] not in alive):
                    continue
                seen[run].add(article)
                after[run].append(words[k].lstrip(_OPENERS))
        alive = {run for run, where in seen.items() if len(where) >= floor}
        found.update(*(opening_keys(" ".join(run)) for run in alive if _opens_sentences(" ".join(run), after[run])))
        if not alive:
            break
    return frozenset(found)


def opening_keys(run: str) -> frozenset[str]:
    """The keys one glued opening adds to the boilerplate keys: its exact words ("MORE" glued to a headline is
    not "More than …"), apart from sentence keys, and each of its first words (a sentence is read word by word
    only while they match)."""
    words = run.split()
    return frozenset({_opening_key(run), *(_prefix_key(" ".join(words[:j])) for j in range(1, len(words) + 1))})


def _opening_key(run: str) -> str:
    return hashlib.blake2b(("opening\0" + run).encode("utf-8"), digest_size=8).hexdigest()


def _prefix_key(run: str) -> str:
    return hashlib.blake2b(("prefix\0" + run).encode("utf-8"), digest_size=8).hexdigest()


def _opens_sentences(run: str, following: list[str]) -> bool:
    # Why these shares: a glued label is followed by whatever sentence comes next (capitalised, varied, often a
    # function word), a name by its next part (capitalised but never a function word), a clause by lower case.
    words = _WORD.findall(run)
    if not words or words[-1].lower() in STOPWORDS or not run[-1].isalnum() or not following:
        return False  # a clause goes on; a label ("MORE:", "Related:") is already a line of its own kind
    if _SPEAKS.search(run):
        return False  # "He added" is followed by his words, not by another sentence
    n = len(following)
    capitalised = sum(w[:1].isupper() for w in following) / n
    varied = len(set(following)) / n
    opening = sum(w[:1].isupper() and w.lower().strip(".,:;") in STOPWORDS for w in following) / n
    return capitalised >= 0.9 and varied >= 0.5 and opening >= 0.1


def repeated_sentences(
    articles: Iterable[tuple[str, Iterable[str]]], min_articles: int = 5, min_share: float = 0.01
) -> frozenset[str]:
    """Keys of the sentences that recur in at least `min_articles` articles and `min_share` of all of them.

    `articles` yields (article id, its sentences). A sentence many articles repeat word for word is site
    furniture ("Sign up for our newsletter"), not news; a quote three or four outlets repeat stays prose.
    """
    seen: Counter[str] = Counter()
    total = 0
    for _, sentences in articles:
        total += 1
        seen.update({sentence_key(s) for s in sentences if len(_WORD.findall(s)) >= 3})
    floor = max(min_articles, int(min_share * total))
    return frozenset(key for key, count in seen.items() if count >= floor)
