"""`python -m bot.lab.eval_answers gate|verifier|summedits`: the not-covered gate and the citation verifier.

gate      the extractive answerer on the dev questions: share of null_query questions answered "not covered",
          share of the other questions wrongly refused, and how many extractive sentences verify.
verifier  agreement of the verifier with a labelled set of sentence/passage pairs built at run time from the
          corpus: sentences with their own passage (verbatim and shortened) against altered copies (a changed
          number, name or date) and against the closest passage of another article.
summedits the verifier figure above, then the verifier on SummEdits' human-labelled summaries per domain
          (bot/lab/eval_summedits.py); news is never fitted on.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import index.offline  # noqa: F401  (before chromadb/transformers)
from bot.answering.facts import has_name, passage_facts, text_facts
from bot.answering.verifier import Verifier
from bot.lab import SHARED_DATA
from bot.lab.eval_summedits import DOMAINS, HELD_OUT, SUMMEDITS, print_figures, summedits_figures, verifier_flagger
from bot.types import NOT_COVERED
from index.chunking import split_into_chunks
from index.documents import Chunk
from index.embedding import Embedder, load_embedder
from index.errors import IndexLayerError
from index.loaders import load_articles
from index.settings import Settings, SettingsError, load_settings
from index.text import DATE_WORDS, MONTH_NAMES, name_words, sentence_spans

DATA = SHARED_DATA / "multihop-rag"
_MONTHS = [m.capitalize() for m in MONTH_NAMES]  # as a sentence writes them
SUPPORTED_KINDS = ("verbatim", "shortened")
MAIN_KINDS = ("verbatim", "shortened", "changed number", "changed name", "changed date", "other article")
HARD_KINDS = ("name swapped within passage", "number swapped within passage")


# --- the gate -----------------------------------------------------------------------------------------------------


def gate_figures(settings: Settings, queries: Sequence[dict[str, Any]], embedder: Embedder) -> dict[str, Any]:
    """Answer every question extractively through ChatEngine and count refusals by question type."""
    from bot.engine import ChatEngine

    # The extractive answerer, whatever LLM the environment configures.
    engine = ChatEngine(settings.without_llm(), embedder)
    refused: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    sentences = verified = 0
    started = time.perf_counter()
    for i, q in enumerate(queries, start=1):
        answer = engine.answer(q["query"])
        kind = q.get("question_type", "?")
        totals[kind] += 1
        refused[kind] += answer.mode == NOT_COVERED
        sentences += len(answer.sentences)
        verified += sum(s.supported for s in answer.sentences)
        if i % 50 == 0:
            print(f"  {i}/{len(queries)} questions, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    null_total = totals["null_query"]
    other_total = sum(totals.values()) - null_total
    other_refused = sum(refused.values()) - refused["null_query"]
    return {
        "questions": sum(totals.values()),
        "null_questions": null_total,
        "null_not_covered": refused["null_query"],
        "null_not_covered_share": refused["null_query"] / null_total if null_total else None,
        "other_questions": other_total,
        "other_refused": other_refused,
        "other_refused_share": other_refused / other_total if other_total else None,
        "refused_by_type": {k: [refused[k], totals[k]] for k in sorted(totals)},
        "extractive_sentences": sentences,
        "extractive_sentences_verified": verified,
    }


# --- the labelled verifier set --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledPair:
    """A sentence, the passage it cites, whether the passage supports it, and how the pair was made."""

    kind: str
    claim: str
    chunk: Chunk
    supported: bool


def build_labelled_pairs(corpus: Path, embedder: Embedder, sentences: int = 40, seed: int = 7) -> list[LabelledPair]:
    """Pairs from `sentences` corpus sentences that hold a number and a name, and their altered copies."""
    rng = random.Random(seed)
    articles = load_articles(corpus).articles
    chunks = [c for a in articles for c in split_into_chunks(a)]
    rng.shuffle(chunks)
    picked: list[tuple[str, Chunk]] = []
    used_articles: set[str] = set()
    for chunk in chunks:
        if len(picked) >= sentences:
            break
        if chunk.article_id in used_articles:
            continue
        candidates = [chunk.text[a:b].strip() for a, b in sentence_spans(chunk.text)]
        candidates = [s for s in candidates if _usable(s)]
        if candidates:
            picked.append((rng.choice(candidates), chunk))
            used_articles.add(chunk.article_id)
    pairs: list[LabelledPair] = []
    distractors = _closest_other_chunks([s for s, _ in picked], [c for _, c in picked], chunks, embedder, rng)
    for (sentence, chunk), other in zip(picked, distractors):
        facts = passage_facts(chunk)
        pairs.append(LabelledPair("verbatim", sentence, chunk, True))
        short = _shortened(sentence)
        if short:
            pairs.append(LabelledPair("shortened", short, chunk, True))
        changed = _change_number(sentence, facts, rng)
        if changed:
            pairs.append(LabelledPair("changed number", changed, chunk, False))
        foreign = [n for c in rng.sample(chunks, 20) if c.article_id != chunk.article_id for n in _names(c.text)]
        changed = _change_name(sentence, [n for n in foreign if not has_name(n, facts)], rng)
        if changed:
            pairs.append(LabelledPair("changed name", changed, chunk, False))
        changed = _change_date(sentence, facts, rng)
        if changed:
            pairs.append(LabelledPair("changed date", changed, chunk, False))
        pairs.append(LabelledPair("other article", sentence, other, False))
        own = [n for n in _names(chunk.text) if not has_name(n, text_facts(sentence))]
        changed = _change_name(sentence, own, rng)
        if changed:
            pairs.append(LabelledPair(HARD_KINDS[0], changed, chunk, False))
        changed = _swap_number(sentence, chunk.text, rng)
        if changed:
            pairs.append(LabelledPair(HARD_KINDS[1], changed, chunk, False))
    return pairs


def verifier_figures(pairs: Sequence[LabelledPair], verifier: Verifier) -> dict[str, Any]:
    """Agreement of the verifier with the labels, overall (main kinds) and per kind."""
    claims = [(p.claim, (i,)) for i, p in enumerate(pairs)]
    verdicts = verifier.verify(claims, {i: p.chunk for i, p in enumerate(pairs)})
    per_kind: dict[str, list[int]] = {}
    confusion: Counter[str] = Counter()
    for pair, verdict in zip(pairs, verdicts):
        agree = verdict.supported == pair.supported
        per_kind.setdefault(pair.kind, [0, 0])
        per_kind[pair.kind][0] += agree
        per_kind[pair.kind][1] += 1
        if pair.kind in MAIN_KINDS:
            label = "supported" if pair.supported else "unsupported"
            confusion[f"{label} judged {'supported' if verdict.supported else 'unsupported'}"] += 1
    main = [per_kind.get(k, [0, 0]) for k in MAIN_KINDS]
    agreed, total = sum(a for a, _ in main), sum(t for _, t in main)
    return {
        "pairs": total,
        "agreed": agreed,
        "agreement": agreed / total if total else None,
        "per_kind": {k: per_kind[k] for k in (*MAIN_KINDS, *HARD_KINDS) if k in per_kind},
        "confusion": dict(confusion),
    }


def _usable(sentence: str) -> bool:
    words = sentence.split()
    return (
        12 <= len(words) <= 45
        and bool(re.search(r"\d", sentence))
        and bool(name_words(sentence))
        and sentence[0].isupper()
        and sentence.count('"') + sentence.count("“") == 0
    )


def _names(text: str) -> list[str]:
    return [n for n in name_words(text) if n.lower() not in DATE_WORDS and len(n) > 2]


def _shortened(sentence: str) -> str | None:
    """The sentence up to its last comma, when what remains is still a sentence-sized claim."""
    cut = sentence.rfind(", ")  # a clause, not a thousands separator
    if cut < 0 or len(sentence[:cut].split()) < 8:
        return None
    return sentence[:cut].rstrip() + "."


def _change_number(sentence: str, facts: Any, rng: random.Random) -> str | None:
    matches = [m for m in re.finditer(r"(?<![\w.,])\d+(?![\d,.]\d)", sentence)]
    if not matches:
        return None
    match = rng.choice(matches)
    value = int(match.group())
    for delta in (rng.randint(2, 9), 11, 17, 23):
        new = value + delta if value < 1900 or value > 2100 else value - delta
        if float(new) not in facts.values and str(new) not in facts.numbers:
            return sentence[:match.start()] + str(new) + sentence[match.end():]
    return None


def _swap_number(sentence: str, passage: str, rng: random.Random) -> str | None:
    """The sentence with one of its numbers replaced by another number of the same passage."""
    own = {m.group() for m in re.finditer(r"(?<![\w.,])\d+(?![\d,.]\d)", sentence)}
    others = sorted({m.group() for m in re.finditer(r"(?<![\w.,])\d+(?![\d,.]\d)", passage)} - own)
    if not own or not others:
        return None
    number = rng.choice(sorted(own))
    return re.sub(rf"(?<![\w.,]){number}(?![\d,.]\d)", rng.choice(others), sentence, count=1)


def _change_name(sentence: str, replacements: list[str], rng: random.Random) -> str | None:
    names = [n for n in _names(sentence) if n[0].isupper()]
    options = [r for r in dict.fromkeys(replacements) if r.lower() not in {n.lower() for n in names}]
    if not names or not options:
        return None
    name = rng.choice(names)
    return re.sub(rf"\b{re.escape(name)}\b", rng.choice(options), sentence, count=1)


def _change_date(sentence: str, facts: Any, rng: random.Random) -> str | None:
    months = [m for m in _MONTHS if re.search(rf"\b{m}\b", sentence)]
    if months:
        month = months[0]
        options = [m for m in _MONTHS if m.lower() not in facts.words]
        return re.sub(rf"\b{month}\b", rng.choice(options), sentence, count=1) if options else None
    year = re.search(r"\b(19[5-9]\d|20[0-3]\d)\b", sentence)
    if year:
        for delta in (3, 5, 7, 11):
            new = int(year.group()) - delta
            if float(new) not in facts.values:
                return sentence[:year.start()] + str(new) + sentence[year.end():]
    return None


def _closest_other_chunks(
    sentences: Sequence[str], owners: Sequence[Chunk], chunks: Sequence[Chunk], embedder: Embedder,
    rng: random.Random, pool: int = 60,
) -> list[Chunk]:
    """For each sentence, the most similar of `pool` random passages of other articles (a same-topic distractor)."""
    sample = rng.sample(list(chunks), min(pool, len(chunks)))
    vectors = embedder.embed_texts([c.text for c in sample])
    queries = embedder.embed_texts(list(sentences))
    out: list[Chunk] = []
    for vector, owner in zip(queries, owners):
        order = (vectors @ vector).argsort()[::-1]
        out.append(next(sample[i] for i in order if sample[i].article_id != owner.article_id))
    return out


# --- CLI ------------------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; prints the figures (text or --json)."""
    parser = argparse.ArgumentParser(prog="python -m bot.lab.eval_answers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["gate", "verifier", "summedits"])
    parser.add_argument("--store", type=Path, help="index of the MultiHop-RAG corpus (gate)")
    parser.add_argument("--data", type=Path, default=DATA, help=f"MultiHop-RAG folder (default {DATA})")
    parser.add_argument("--limit", type=int, help="only the first N questions (gate)")
    parser.add_argument("--sentences", type=int, default=40, help="corpus sentences to build pairs from (verifier)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--summedits", type=Path, default=SUMMEDITS, help=f"SummEdits folder (default {SUMMEDITS})")
    parser.add_argument("--domains", default=",".join(DOMAINS), help="SummEdits domains, comma-separated (summedits)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (args.data / "corpus.json").exists():
        print(f"error: no MultiHop-RAG data at {args.data} (give --data)", file=sys.stderr)
        return 1
    embedder = load_embedder()
    try:
        if args.what == "gate":
            queries = json.loads((args.data / "queries_dev.json").read_text(encoding="utf-8"))[: args.limit]
            figures = gate_figures(load_settings(store=args.store), queries, embedder)
        else:
            pairs = build_labelled_pairs(args.data / "corpus.json", embedder, args.sentences, args.seed)
            figures = verifier_figures(pairs, Verifier(embedder))
        if args.what == "summedits":
            if not (args.summedits / f"summedits_{HELD_OUT}.json").exists():
                print(f"error: no SummEdits data at {args.summedits} (give --summedits)", file=sys.stderr)
                return 1
            figures = {"altered_pairs": figures, "summedits": summedits_figures(
                args.summedits, verifier_flagger(Verifier(embedder)), args.domains.split(","), args.limit)}
    except (IndexLayerError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(figures, indent=2))
    elif args.what == "gate":
        print(f"null_query answered 'not covered': {figures['null_not_covered']}/{figures['null_questions']} "
              f"= {figures['null_not_covered_share']:.3f}")
        print(f"other questions wrongly refused:   {figures['other_refused']}/{figures['other_questions']} "
              f"= {figures['other_refused_share']:.3f}")
        print(f"extractive sentences verified:     {figures['extractive_sentences_verified']}/"
              f"{figures['extractive_sentences']}")
        for kind, (refused, total) in figures["refused_by_type"].items():
            print(f"  {kind}: {refused}/{total} not covered")
    else:
        pairs_figures = figures.get("altered_pairs", figures)
        print(f"verifier agreement: {pairs_figures['agreed']}/{pairs_figures['pairs']} = "
              f"{pairs_figures['agreement']:.3f}")
        if "summedits" in figures:
            print("SummEdits (summary flagged when any sentence is not supported):")
            print_figures(figures["summedits"])
            return 0
        figures = pairs_figures
        for kind, (agreed, total) in figures["per_kind"].items():
            print(f"  {kind}: {agreed}/{total}")
        print(f"  confusion (label/verdict): {figures['confusion']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
