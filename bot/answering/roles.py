"""What the passages say someone or something is: the answer to "Who is X?" (or "What is X?") is a role ("the
founder and CEO of Binance", "the world's largest crypto exchange"), not another name.

News introduces a person in one of two ways, and these two are read: an appositive after the name ("Changpeng
Zhao, the founder and CEO of Binance, …") and a title before it ("Binance founder Changpeng Zhao", "former FTX
CEO Sam Bankman-Fried"). Patterns rather than a parser, because these two forms are how news writes it and a
dependency parser would be a model to ship for two constructions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from bot.answering.focus import TITLE_WORD, TITLES
from bot.answering.spans import Span
from index.text import STOPWORDS

# Of the titles (focus.TITLES), those a company or a team may hold too ("Instagram owner Meta", "industry leader
# Nvidia", "investor SoftBank", "league leader Arsenal"): a name they precede need not be a person's.
_NOT_ONLY_PEOPLE = {"director", "chancellor", "commissioner", "manager", "star", "player", "striker", "owner",
                    "investor", "analyst", "head", "leader", "reporter", "editor", "chief"}
_TITLE_NOUNS = "|".join(TITLES)
_CLOSE = "”\"’'"
# An appositive opens with a determiner or a title word, and ends where the sentence goes on.
_APPOSITIVE = (
    rf"[{_CLOSE}]?(?:\s*\([^)]*\))?,[{_CLOSE}]?\s+(?:(?:also\s+)?known as\s+[^,]+,[{_CLOSE}]?\s+)?"
    rf"(?P<role>(?:the|a|an|former|then)\s[^,;:()]{{3,100}}?"
    # or a title without its article, as news writes one: "Mercedes Sotos-Prieto, assistant professor at …"
    rf"|(?:[a-z][\w-]*\s+){{0,2}}(?:{_TITLE_NOUNS})\b[^,;:()]{{0,100}}?)"
    rf"(?=\s*(?:,|;|\.(?:\s|$)|—|–|$)|\s+(?:who|which)\b)"
)
_BEFORE = (rf"(?P<role>(?:(?:[A-Z][\w.&-]*\s+){{0,2}}[A-Z][\w.&-]*['’]s\s+)?"  # "Alameda Research's"
           rf"(?:(?i:former|ex-|then-|acting|interim)\s*)?(?:[A-Z][\w.&’'-]*\s+){{0,3}}(?i:{_TITLE_NOUNS}))\s+")
_PERSON_TITLES = "|".join(t for t in TITLES if t not in _NOT_ONLY_PEOPLE)  # only a person holds these
MAX_ROLE_WORDS = 14  # longer, an appositive is a clause of its own rather than what someone is


def roles_in(name: str, sentence: str) -> list[Span]:
    """The roles `sentence` gives `name`: its appositive and the title written before it, each with where it sits
    in the sentence and its text as a lead shows it (a capital it has only from opening the sentence made small)."""
    written = re.escape(name)
    found = []
    for m in re.finditer(rf"(?<![\w-]){written}{_APPOSITIVE}", sentence):
        text = m.group("role").strip()
        found.append(Span(text, m.start("role"), m.start("role") + len(text)))
    found += [_unopened(m) for m in re.finditer(rf"{_BEFORE}{written}(?![\w-])", sentence)]
    return [r for r in found if 1 < len(r.text.split()) <= MAX_ROLE_WORDS or TITLE_WORD.fullmatch(r.text)]


def titled_person(name: str, texts: Sequence[str]) -> bool:
    """Whether a passage writes a title only a person holds right before the name ("Flexport founder Ryan
    Petersen", "OpenAI CEO Sam Altman"): a person, however the name itself reads ("Goldman Sachs" is a bank)."""
    pattern = re.compile(rf"(?<![\w-])(?:{_PERSON_TITLES})\s+{re.escape(name)}(?![\w-])", re.I)
    return any(pattern.search(text) for text in texts)


def _unopened(match: re.Match[str]) -> Span:
    """A title without the sentence's opening words it ran into ("When Binance founder" -> "Binance founder"),
    and with a capital it only has from opening the sentence made small ("Former FTX CEO" -> "former FTX CEO")."""
    words = list(re.finditer(r"\S+", match.group("role")))
    while len(words) > 1 and words[0].group().lower() in STOPWORDS:
        words = words[1:]
    texts = [w.group() for w in words]
    if texts[0].lower() in _SMALL or (not texts[0].isupper() and TITLE_WORD.fullmatch(texts[0])):
        texts[0] = texts[0].lower()  # "Singer Taylor Swift" opens a sentence; "CEO" keeps its capitals
    return Span(" ".join(texts), match.start("role") + words[0].start(), match.end("role"))


_SMALL = {"former", "ex-", "then-", "acting", "interim", "the", "a", "an"}


def best_role(name: str, sentences: Sequence[tuple[str, float]]) -> tuple[str, list[int]] | None:
    """The role the sentences (text, score) give `name` most weight to, and the indexes of the sentences giving it;
    None when none gives one. Roles are compared without their article ("the CEO of Binance", "CEO of Binance")."""
    votes: dict[str, float] = defaultdict(float)
    givers: dict[str, list[int]] = defaultdict(list)
    written: dict[str, str] = {}
    for i, (sentence, score) in enumerate(sentences):
        for role in dict.fromkeys(r.text for r in roles_in(name, sentence)):
            key = re.sub(r"^(?:the|a|an)\s+", "", role.lower())
            votes[key] += score
            givers[key].append(i)
            written.setdefault(key, role)
    if not votes:
        return None
    # One role written two ways counts once, in its fuller form: "Binance founder" is part of "the founder and
    # CEO of Binance".
    words = {k: set(re.findall(r"\w+", k)) - STOPWORDS for k in votes}
    for short in sorted(votes, key=lambda k: len(words[k])):
        fuller = [k for k in votes if words[short] < words[k]]
        if words[short] and fuller:
            into = max(fuller, key=lambda k: (votes[k], len(k)))
            votes[into] += votes.pop(short)
            givers[into] = sorted({*givers[into], *givers.pop(short)})
    key = max(votes, key=lambda k: (votes[k], len(k)))
    return written[key], givers[key]
