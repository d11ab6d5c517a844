"""The short answer that opens an extractive answer: the name, date or amount the best sentences agree on (or, for
"Who is X?", the role the passages give X), in its fullest form, with the sentences that state it."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.answering.closeness import closeness, term_positions
from bot.answering.facts import names_by_surname, names_share, passage_facts
from bot.answering.measures import is_score
from bot.answering.name_forms import fullest_form, headline_case, uncut, written_as_alias
from bot.answering.name_kinds import (
    cited_as_source,
    owner_of,
    reads_as_person,
    split_owner,
    written_as_thing,
)
from bot.answering.question import AnswerType, QuestionProfile
from bot.answering.roles import best_role, titled_person
from bot.answering.sentences import CandidateSentence
from bot.answering.spans import TOKEN, Span
from bot.types import Hit
from index.documents import Chunk
from index.lexicon import DEMONYMS
from index.sentence_kinds import blank_glued_openings
from index.text import STOPWORDS, WEEKDAY_PATTERN, acronym_phrases

LEAD_POOL = 6  # best sentences whose names, dates or amounts compete for the short answer
LEAD_MIN_SHARE = 0.75  # a sentence feeding the short answer scores at least this share of the best one
# A passage naming all the question's names but one votes at this share of one naming them all.
PARTLY_NAMED = 0.3
# A further name answering a question that asks for several has at least this share of the best one's votes.
SEVERAL_SHARE = 0.3
SALIENCE = 1.0  # a vote counts up to twice as much when every retrieved article names the candidate
_WEEKDAY = re.compile(WEEKDAY_PATTERN, re.I)


@dataclass(frozen=True)
class Lead:
    """The short answer and the sentences that state it, best first."""

    text: str
    sentences: tuple[CandidateSentence, ...]


def role_lead(profile: QuestionProfile, scored: Sequence[CandidateSentence]) -> Lead | None:
    """For "Who is X?": the role the scored sentences give X most often ("the founder and CEO of Binance"), else
    None. Every scored sentence is read, not the LEAD_POOL best: an appositive may sit in one that answers little
    else."""
    found = best_role(profile.described, [(c.text, c.score) for c in scored])
    if found is None:
        return None
    role, givers = found
    # The sentence that writes the role as shown comes first, then the others that give it ("Binance founder").
    return Lead(role, tuple(sorted((scored[i] for i in givers), key=lambda c: (role in c.text, c.score), reverse=True)))


# "What does STEVE stand for?", "what is the acronym NIL short for": the words an acronym abbreviates.
_ASKS_EXPANSION = re.compile(
    r"\bwhat\s+(?:does|do|did|is|was)\s+(?:the\s+)?(?:acronym\s+|abbreviation\s+|initials\s+)?[\"“‘']?"
    r"([A-Za-z][A-Za-z&.]{1,11}?)[\"”’']?\s+(?:stands?|short)\s+for\b", re.I)


def expansion_lead(profile: QuestionProfile, scored: Sequence[CandidateSentence]) -> Lead | None:
    """For "What does STEVE stand for?": the capitalised words whose initials spell it in a sentence of a passage
    that also writes the acronym ("Strong Thermal Emission Velocity Enhancement (STEVE)", "The acronym stands for
    Strong Thermal …"), else None. Every scored sentence is read: the one spelling it out seldom repeats the
    question's other words."""
    asked = _ASKS_EXPANSION.search(profile.text)
    if asked is None:
        return None
    acronym = asked.group(1).replace(".", "").replace("&", "").lower()
    written = re.compile(rf"(?<![\w&.]){re.escape(asked.group(1))}(?![\w&])", re.I)
    givers = [(c, phrase) for c in scored if written.search(c.hit.chunk.text)
              and (phrase := acronym_phrases(c.text).get(acronym)) is not None]
    if not givers:
        return None
    return Lead(givers[0][1], tuple(c for c, _ in givers))


def choose_lead(profile: QuestionProfile, scored: Sequence[CandidateSentence], hits: Sequence[Hit],
                repeated: Collection[str] = frozenset()) -> Lead | None:
    """The name, date or amount the best sentences agree on, in its fullest form; None for questions without a
    short answer, or when no good sentence states one."""
    if not profile.wants_short_answer:
        return None
    best = scored[0].score
    eligible = [c for c in scored[:LEAD_POOL] if c.answers and c.score >= LEAD_MIN_SHARE * best]
    every = frozenset(range(max(1, len(profile.clause_names))))
    stories = _stories(hits)
    spoken = {id(c): named if (named := clauses_named(profile, c.hit.chunk)) == every
              else named | _named_by_surname(profile, c.hit.chunk, stories) for c in eligible}  # facts cost most
    # A question naming several things is often answered across passages, none naming them all.
    partly = {id(c) for c in eligible if not spoken[id(c)] and _names_all_but_one(profile, c.hit.chunk)}
    pool = [c for c in eligible if spoken[id(c)] or id(c) in partly]
    votes: dict[str, float] = defaultdict(float)
    support: dict[str, list[CandidateSentence]] = defaultdict(list)
    forms: dict[str, str] = {}
    for cand in pool:
        near = term_positions(cand.text, profile.terms)
        weight = cand.score * (PARTLY_NAMED if id(cand) in partly else 1.0)
        asked = (_with_kind(profile, _asked_part(profile, a), cand.text) for a in cand.answers)
        for key, span in {_vote_key(s.text, profile): s for s in asked}.items():
            votes[key] += weight * closeness(span, cand.text, near, profile)
            support[key].append(cand)
            forms.setdefault(key, span.text)
    if not votes:
        return None
    pool_texts = [c.text for c in pool]
    if profile.answer_type != AnswerType.NUMBER:  # "1.2 per cent" is not a fuller "2 per cent"
        _merge_name_forms(votes, support, forms, pool_texts)
    outlets = {h.chunk.outlet for h in hits if h.chunk.outlet}
    passages = [blank_glued_openings(t, repeated) for t in dict.fromkeys(h.chunk.text for h in hits)]
    if profile.organization:
        _credit_owners(votes, support, forms, passages, {_norm(n) for n in profile.names})
    # The clauses the best sentences' passages cover (one, {0}, for a question without clauses of its own): where
    # only one is, its names are all there is to go on.
    covered = frozenset().union(*spoken.values())
    for key, cands in support.items():
        articles = len({c.hit.chunk.article_id for c in cands})
        votes[key] *= 1 + 0.25 * (articles - 1)  # outlets that agree make the answer likelier
        if profile.answer_type not in (AnswerType.NUMBER, AnswerType.DATE):
            votes[key] *= 1 + SALIENCE * _salience(forms[key], hits)  # names: numbers and dates recur anyway
        if len(covered) > 1 and len(frozenset().union(*(spoken[id(c)] for c in cands))) < 2:
            votes[key] = 0.0  # a name only one clause's passages give answers that clause, not the question
        full = fullest_form(forms[key], pool_texts) if profile.work or profile.person or profile.organization \
            else forms[key]
        if profile.work and " " in full and reads_as_person(full, passages):
            votes[key] = 0.0  # "the title of her memoir" is not answered by her ex-husband's full name
        if profile.person and not reads_as_person(full, passages):
            votes[key] = 0.0  # "who is the individual…" is not answered by a commission, a team or an acronym
        if forms[key].lower() in DEMONYMS and profile.focus != "nationality":
            votes[key] = 0.0  # "an English club" says where the club is from, not which one it is
        if profile.answer_type == AnswerType.OUTLET and forms[key] not in outlets and not cited_as_source(
                forms[key], passages):
            votes[key] = 0.0  # "which outlet did researchers talk to?" is not answered by their university
        if profile.organization and (titled_person(full, passages) or written_as_thing(full, passages)):
            votes[key] = 0.0  # "which company" is not answered by its chief executive, nor by "the Steam Deck"
    if profile.measure == "score":
        _keep_scores(votes, support, forms)
    winner = max(votes, key=lambda k: votes[k])
    if votes[winner] <= 0.0 or _WEEKDAY.fullmatch(forms[winner]):
        return None  # a weekday alone ("Friday") places nothing for a reader without its article's date
    chosen = [winner, *_runners_up(winner, votes, forms, passages, profile.several)]
    texts = [forms[k] for k in chosen]
    if profile.answer_type in (AnswerType.NAME, AnswerType.PLACE):
        texts = [uncut(_completed(t, profile, hits, repeated), passages, profile.focus) for t in texts]
    sentences = sorted(dict.fromkeys(c for k in chosen for c in support[k]), key=lambda c: c.score, reverse=True)
    return Lead(_listed(_in_written_order(texts, [c.text for c in sentences])), tuple(sentences))


def _keep_scores(votes: dict[str, float], support: dict[str, list[CandidateSentence]], forms: dict[str, str]) -> None:
    """For a score question: two numbers ("4-4"), or one a sentence gives as a score ("a final score of 268") where
    no two-number score has votes; "24 matches", "one minute" or the "10" of "10 of its 12 members" are none."""
    scores = any(is_score(forms[k]) and votes[k] > 0.0 for k in votes)
    for key in votes:
        said = re.compile(rf"\bscor\w*\s+(?:(?:of|was|is)\s+)?{re.escape(forms[key])}(?!\w)", re.I)
        if not is_score(forms[key]) and (scores or not any(said.search(c.text) for c in support[key])):
            votes[key] = 0.0


def _runners_up(winner: str, votes: dict[str, float], forms: dict[str, str], passages: Sequence[str],
                several: int) -> list[str]:
    """For a question asking for several names ("which two individuals"), the next best names, up to `several` in
    all, each with at least SEVERAL_SHARE of the winner's votes, none a part of another ("Kelce" of "Travis
    Kelce"), and each written beside one already chosen ("Swift and Kelce"): names asked for together are
    listed together, where a name that only shares their passages ("the Preparedness Framework") is not."""
    out: list[str] = []
    for key in sorted(votes, key=lambda k: votes[k], reverse=True):
        if len(out) + 1 >= several or votes[key] < SEVERAL_SHARE * votes[winner]:
            break
        if key != winner and all(key not in k and k not in key for k in [winner, *out]) and any(
                _listed_together(forms[key], forms[k], passages) for k in [winner, *out]):
            out.append(key)
    return out


def _listed_together(one: str, other: str, passages: Sequence[str]) -> bool:
    """Whether a passage lists the two names side by side, by their last words and either way round ("Swift and
    Kelce", "Ilya Sutskever (…) and Helen Toner", "Michigan, Washington")."""
    a, b = (re.escape(name.split()[-1]) for name in (one, other))
    aside = r"(?:['’]s)?(?:\s*\([^)]{0,80}\))?\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)(?:[A-Z][\w’'.-]*\s+){0,3}"
    pattern = re.compile(rf"\b(?:{a}{aside}{b}|{b}{aside}{a})\b")
    return any(pattern.search(text) for text in passages)


def _in_written_order(names: list[str], texts: Sequence[str]) -> list[str]:
    """Several names in the order the first sentence holding them all writes them ("Taylor Swift and Travis
    Kelce"), else as ranked."""
    for text in texts:
        if len(names) > 1 and all(n in text for n in names):
            return sorted(names, key=text.index)
    return names


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _completed(short: str, profile: QuestionProfile, hits: Sequence[Hit], repeated: Collection[str]) -> str:
    """`fullest_form` of a lead, from the passages about what the question (or one of its clauses) names, as the
    lead's sentences are; failing those, from any retrieved passage when two articles or more write it: a cricket
    table's "Sri Lanka Australia" is no fuller form of the Australia of a Davis Cup story."""
    chunks = list({h.chunk.id: h.chunk for h in hits}.values())
    about = [c for c in chunks if clauses_named(profile, c)]
    for group, least in ((about, 1), (chunks, 2)):
        texts = [blank_glued_openings(c.text, repeated) for c in group]
        # titles name in full, unless written in Title Case ("Wullaert Fires Belgium to 3-2 Home Win"): then no
        # capital tells a given name from a verb
        titled = {c.article_id: c.title for c in group if not headline_case(c.title)}
        full = fullest_form(short, [*texts, *titled.values()], [*(c.article_id for c in group), *titled], least)
        if full != short:
            return full
    return short


def _salience(form: str, hits: Sequence[Hit]) -> float:
    """Share of the retrieved articles that name the candidate anywhere: the answer to a question drawn from
    several articles is what they have in common ("Bankman-Fried" across the trial's coverage), where a name
    one sentence happens to hold ("the Securities and Exchange Commission") is not."""
    articles: dict[str, bool] = {}
    pattern = re.compile(rf"(?<![\w-]){re.escape(form)}(?![\w-])")
    for hit in hits:
        chunk = hit.chunk
        articles[chunk.article_id] = articles.get(chunk.article_id, False) or bool(pattern.search(chunk.text))
    return sum(articles.values()) / len(articles) if articles else 0.0


def speaks_of(profile: QuestionProfile, cand: CandidateSentence) -> bool:
    """Whether the sentence's passage names everything the question names: a passage that never mentions the
    Ballon d'Or cannot give who won it, however well "who won … in 2023" matches its sentence."""
    return names_all(profile, cand.hit.chunk)


def clauses_named(profile: QuestionProfile, chunk: Chunk) -> frozenset[int]:
    """The clauses (indexes into `profile.clause_names`) whose names the passage all gives; every clause when it
    names everything the question names. Each clause of "the individual accused of using Caroline Ellison …, who
    persuaded a Jane Street colleague …" is one article's, and the answer is the name those articles share."""
    if names_all(profile, chunk):
        return frozenset(range(max(1, len(profile.clause_names))))
    facts = passage_facts(chunk)
    return frozenset(i for i, names in enumerate(profile.clause_names) if names_share(names, facts, True) == 1.0)


def _stories(hits: Sequence[Hit]) -> dict[str, list[str]]:
    """The retrieved passages of each story, with its title: article id -> texts."""
    stories: dict[str, list[str]] = defaultdict(list)
    for hit in hits:
        stories[hit.chunk.article_id].append(f"{hit.chunk.title}\n{hit.chunk.text}")
    return stories


def _named_by_surname(profile: QuestionProfile, chunk: Chunk, stories: Mapping[str, list[str]]) -> frozenset[int]:
    """The clauses (as `clauses_named`) whose person the passage names by surname alone while its story's other
    retrieved passages (`stories`) name them in full ("Kalmus" for "Peter Kalmus"; "Opetaia's next fight" answers
    the clause "When could Jai Opetaia's next fight be")."""
    groups = profile.clause_names or (profile.names,)
    return frozenset(i for i, names in enumerate(groups) if len(names) > 1
                     and names_by_surname(names, profile.text, chunk, stories[chunk.article_id]))


def _names_all_but_one(profile: QuestionProfile, chunk: Chunk) -> bool:
    """Whether the passage names all but one of the two or more names of a question without clauses of its own
    ("the individual associated with FTX that deceived Paradigm …": the trial's passages name FTX, not Paradigm)."""
    names = profile.names
    if len(names) < 2 or profile.clause_names:
        return False
    return names_share(names, passage_facts(chunk), shortened=True) >= (len(names) - 1) / len(names)


def names_all(profile: QuestionProfile, chunk: Chunk) -> bool:
    """Whether the passage names everything the question names."""
    # Without names there is nothing to check, and reading the passage's facts is the costly part.
    return not profile.names or names_share(profile.names, passage_facts(chunk), shortened=True) == 1.0


def _merge_name_forms(votes: dict[str, float], support: dict[str, list[CandidateSentence]], forms: dict[str, str],
                      texts: Sequence[str]) -> None:
    """Count a surname's votes with the fuller name that ends with it ("Halvorsen" with "Ingrid Halvorsen"), and an
    alias's with the name (`texts`: "Ninja, aka Tyler Blevins"): one person, written two ways. The shorter form is
    kept for display (the lead is completed later), the longer one of an alias."""
    for short in sorted(votes, key=lambda k: len(k.split())):
        if short not in votes:
            continue
        alias = [k for k in votes if len(k.split()) > len(short.split()) and written_as_alias(
            forms[short], forms[k], texts)]
        if alias:
            forms[short] = forms[alias[0]]  # "Tyler Blevins" for "Ninja"
        longer = alias or [k for k in votes if k != short and k.split()[-len(short.split()):] == short.split()]
        for key in longer:
            votes[short] += votes.pop(key)
            support[short].extend(c for c in support.pop(key) if c not in support[short])
            forms.pop(key)


def _asked_part(profile: QuestionProfile, span: Span) -> Span:
    """The part of "Kyncl’s Q&A" or "Google’s Bard" a question asks for: the owner when it asks for a person, the
    thing owned when it asks for a work or product; the name as is otherwise."""
    owner, thing = split_owner(span.text) if profile.work or profile.person else (None, span.text)
    if owner is None:
        return span
    return Span(owner, span.start, span.start + len(owner)) if profile.person else Span(
        thing, span.end - len(thing), span.end)


def _with_kind(profile: QuestionProfile, span: Span, sentence: str) -> Span:
    """A name that only qualifies the kind the question asks for, with that kind: "which jellyfish" is answered by
    "Caribbean box jellyfish", not by "Caribbean"; where the kind follows the name at once ("the Hamas group"),
    the name answers."""
    if profile.focus is None or profile.answer_type != AnswerType.NAME or profile.organization or profile.person:
        return span  # "Google parent company Alphabet": a company or a person is named, not qualified
    kind = re.match(rf"(?:\s+[a-z][a-z-]+){{1,2}}?\s+{re.escape(profile.focus)}(?:e?s)?\b", sentence[span.end:])
    if kind is None or any(w in STOPWORDS for w in kind.group().split()):
        return span  # "DraftKings points to wide receivers": a clause, not the words of a kind
    return Span(sentence[span.start:span.end + kind.end()], span.start, span.end + kind.end())


def _credit_owners(votes: dict[str, float], support: dict[str, list[CandidateSentence]], forms: dict[str, str],
                   passages: Sequence[str], asked: Collection[str]) -> None:
    """For "which company": a product's votes go to the name the passages write as its owner ("Valve's Steam Deck
    OLED"), which answers what the product's sentences say of the company; a product of a company the question
    names (`asked`, normalised) answers nothing."""
    for key in [k for k in votes if votes[k] > 0.0]:
        owner = owner_of(forms[key], passages)
        if owner is None or _norm(owner) == key or titled_person(owner, passages):
            continue  # "Taylor Swift's Eras Tour" is not made by a company
        mine = _norm(owner)
        if mine in asked:
            votes[key] = 0.0  # "compared with OpenAI's GPT-3.5": ChatGPT is OpenAI's, not the company asked for
            continue
        votes[mine] = votes.get(mine, 0.0) + votes.pop(key)
        support.setdefault(mine, []).extend(c for c in support.pop(key) if c not in support.get(mine, []))
        forms.setdefault(mine, owner)
        forms.pop(key)


def _vote_key(text: str, profile: QuestionProfile) -> str:
    """What votes are counted under: the name's words; for an amount, also without the space or hyphen between a
    number and its unit ("120 Hz", "120-Hz" and "120Hz" are one answer)."""
    key = _norm(text)
    return re.sub(r"(?<=\d)[\s-]+(?=[^\W\d])", "", key) if profile.answer_type == AnswerType.NUMBER else key


def _norm(text: str) -> str:
    return " ".join(TOKEN.findall(text.lower()))
