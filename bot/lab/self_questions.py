"""Training questions made from an index's own articles, without labels, so the ranker can be refitted on any corpus.

For each article a prose sentence of one of its passages becomes the gold fact, and the question is that
sentence's rare words in their own order, the rarest left out (a search-box question: "maneuvering Ford
Mustang Phoenix"). The words are a query a reader who half-remembers the story might type; the sentence is what
retrieval must find. No dev question, answer or template is used.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from bot.retrieval.retriever import Retriever
from index.sentence_kinds import prose_spans
from index.text import WORD, analyze

MIN_WORDS, MAX_WORDS = 10, 40  # a sentence shorter says too little to ask about; longer is several facts
QUESTION_WORDS = 4  # words kept: enough to point at one fact, few enough to leave the ranker work
# The rarest word is left out: it is often a name only this article uses, which makes the question too easy
# to teach the ranker anything (fitted on such questions, held out, natural questions' MRR@10 fell below the
# fused order's; without it, both dev sets rose above it).
SKIP_RAREST = 1
PASSAGES_PER_ARTICLE = 2  # passages tried per article (the first prose sentence that fits is used)


def self_questions(retriever: Retriever, per_article: int = 1, seed: int = 0) -> list[dict[str, Any]]:
    """Up to `per_article` questions per article of the retriever's index, in MultiHop-RAG's query format.

    Each evidence item names its article (`article`: the index's article id), so folds can hold articles out.
    """
    lexical = retriever.snapshot.lexical
    by_article: dict[str, list[str]] = defaultdict(list)
    for cid, article in zip(lexical.ids, lexical.fields["article_id"]):
        by_article[str(article)].append(cid)
    rng = random.Random(seed)
    out = []
    for article in sorted(by_article):
        ids = sorted(by_article[article])
        rng.shuffle(ids)
        made = 0
        for chunk in retriever.collection.get(ids[:PASSAGES_PER_ARTICLE * per_article]):
            if made >= per_article:
                break
            sentences = [chunk.text[a:b] for a, b in prose_spans(chunk.text, lexical.repeated)]
            fitting = [s for s in sentences if MIN_WORDS <= len(s.split()) <= MAX_WORDS]
            if not fitting:
                continue
            sentence = rng.choice(fitting)
            question = keyword_question(sentence, retriever.term_weights)
            if question:
                out.append({"query": question, "question_type": "self",
                            "evidence_list": [{"fact": sentence, "article": article}]})
                made += 1
    return out


def keyword_question(
    sentence: str, idf: Mapping[str, float], words: int = QUESTION_WORDS, skip: int = SKIP_RAREST
) -> str:
    """The sentence's `words` rarest distinct words after the `skip` rarest (by the index's idf of their analysed
    term), in its order."""
    found = [w.rstrip(".-'’") for w in WORD.findall(sentence)]
    terms = analyze(found)
    weight: dict[str, float] = {}
    for word, analysed in zip(found, terms):
        value = max((idf.get(t, 0.0) for t in analysed), default=0.0)
        if value > 0 and word.lower() not in weight:  # a word the index never uses points nowhere
            weight[word.lower()] = value
    keep = set(sorted(weight, key=lambda w: -weight[w])[skip:skip + words])
    seen: set[str] = set()
    chosen = []
    for word in found:
        if word.lower() in keep and word.lower() not in seen:
            seen.add(word.lower())
            chosen.append(word)
    return " ".join(chosen) if len(chosen) >= 3 else ""
