"""The retrieval harness: the benchmark's metric definitions, its dump format, and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.lab.answer_eval import AnswerQuestion, AnswerResult, figures, load_answer_questions, score_answer
from bot.lab.eval import QueryResult, ceiling_order, score, squash
from bot.types import Answer, AnswerSentence
from index.rebuild import RebuildReport
from index.settings import Settings
from tests.conftest import ROOT, multihop_query


def result(retrieved: list[str], facts: list[str], qtype: str = "inference_query") -> QueryResult:
    return QueryResult("q", qtype, retrieved, [{"fact": f} for f in facts], 1.0)


def test_squash_removes_spaces_and_newlines() -> None:
    assert squash("a b\nc  d") == "abcd"


def test_metrics_match_the_reference_definitions() -> None:
    results = [
        # facts at ranks 2 and 5 (the second fact spans a line break in the chunk)
        result(["x", "alpha beta", "y", "z", "gamma\ndelta"], ["alpha beta", "gamma delta"]),
        # one of three facts found, at rank 1
        result(["epsilon"] + ["w"] * 9, ["epsilon", "zeta", "eta"]),
        # nothing found in the top 10 (found at rank 11 does not count)
        result(["w"] * 10 + ["theta"], ["theta"]),
    ]
    figures = score(results, k=10)
    assert figures["queries"] == 3
    assert figures["hits@10"] == round(2 / 3, 4)
    assert figures["hits@4"] == round(2 / 3, 4)
    assert figures["mrr@10"] == round((1 / 2 + 1 + 0) / 3, 4)
    assert figures["map@10"] == round(((1 / 2 + 1 / 5) / 2 + (1 / 1) / 3 + 0) / 3, 4)
    assert figures["evidence_recall@10"] == round(3 / 6, 4)


@pytest.fixture()
def queries_file(tmp_path: Path) -> Path:
    queries = [
        multihop_query("How much did the Harbor Bridge repair in Port Elling cost?", "inference_query",
                       ["after a 14-month repair that cost 82 million dollars"]),
        multihop_query("Who set the Melbourne Marathon course record?", "temporal_query",
                       ["Kenyan runner Ruth Chebet set a course record"]),
        multihop_query("What did Forbes say about Mars?", "null_query", []),
    ]
    path = tmp_path / "queries.json"
    path.write_text(json.dumps(queries))
    return path


def test_cli_prints_json_line_and_dump(fixture_index: tuple[Settings, RebuildReport], queries_file: Path,
                                       tmp_path: Path) -> None:
    settings, _ = fixture_index
    dump = tmp_path / "dump.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bot.lab.eval", "retrieval", "--store", str(settings.store),
         "--queries", str(queries_file),
         "--k", "3", "--json", "--dump", str(dump)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    line = json.loads(proc.stdout.strip().splitlines()[-1])
    assert line["queries"] == 2  # the null question is excluded
    assert (line["hits@3"], line["hits@4"], line["mrr@10"], line["map@10"], line["evidence_recall@10"]) == (
        1.0, 1.0, 1.0, 1.0, 1.0)
    assert set(line) >= {"mean_chunk_tokens", "latency_ms_p50", "latency_ms_p95", "by_question_type"}
    assert set(line["by_question_type"]) == {"inference_query", "temporal_query"}
    rows = json.loads(dump.read_text())
    assert [r["query"] for r in rows] == ["How much did the Harbor Bridge repair in Port Elling cost?",
                                           "Who set the Melbourne Marathon course record?"]
    assert set(rows[0]) == {"query", "question_type", "retrieval_list", "gold_list"}
    assert len(rows[0]["retrieval_list"]) == 3 and set(rows[0]["retrieval_list"][0]) == {"text"}
    assert "82 million dollars" in rows[0]["retrieval_list"][0]["text"]


def test_cli_missing_index(tmp_path: Path, queries_file: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot.lab.eval", "retrieval", "--store", str(tmp_path / "none"), "--queries",
         str(queries_file)], cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 1
    assert proc.stderr == f"error: no index at {tmp_path / 'none'} — run `python -m index rebuild`\n"


def test_cli_reads_natural_questions_and_prints_every_order_per_set(
    fixture_index: tuple[Settings, RebuildReport], queries_file: Path, tmp_path: Path
) -> None:
    settings, _ = fixture_index
    natural = [
        {"id": "nq-1", "question": "Marathon course record in Melbourne?", "answers": ["Ruth Chebet"],
         "must_contain": "Chebet", "kind": "who", "style": "keyword",
         "evidence": [{"article": "corpus.json#1", "quote": "Kenyan runner Ruth Chebet set a course record"}]},
        {"id": "nq-2", "question": "Who won the lunar chess cup?", "answers": [], "must_contain": "",
         "evidence": [], "kind": "not-in-corpus", "style": "short"},
    ]
    path = tmp_path / "natural-questions" / "dev.json"
    path.parent.mkdir()
    path.write_text(json.dumps(natural))
    proc = subprocess.run(
        [sys.executable, "-m", "bot.lab.eval", "retrieval", "--store", str(settings.store),
         "--queries", str(queries_file), str(path), "--k", "3"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    sets = json.loads(proc.stdout.strip().splitlines()[-1])["sets"]
    assert list(sets) == [f"{queries_file.parent.name}/queries.json", "natural-questions/dev.json"]
    natural_figures = sets["natural-questions/dev.json"]
    assert natural_figures["queries"] == 1  # the not-in-corpus question has no evidence
    assert set(natural_figures["by_question_type"]) == {"keyword"}
    assert list(natural_figures["orders"]) == ["bm25", "dense", "fused", "ranker", "ceiling"]
    assert all(f["hits@3"] == 1.0 for f in natural_figures["orders"].values())
    # The side-by-side table leaves out MAP and evidence recall where the quotes are alternatives.
    table = proc.stdout.split("natural-questions/dev.json (1 questions)\n", 1)[1].splitlines()
    assert table[0].split() == ["order", "hits@3", "hits@4", "mrr@10"]
    assert [row.split()[0] for row in table[1:6]] == ["bm25", "dense", "fused", "ranker", "ceiling"]


def test_the_answer_harness_reads_the_gold_answer_without_its_closing_full_stop(tmp_path: Path) -> None:
    items = [{"query": "Who founded FTX?", "answer": "Sam Bankman-Fried.", "question_type": "inference_query"},
             {"query": "Is it so?", "answer": "Yes", "question_type": "comparison_query"},
             {"query": "Who won?", "answer": "Insufficient information.", "question_type": "null_query"}]
    path = tmp_path / "queries.json"
    path.write_text(json.dumps(items))
    read = [(q.expected, q.answerable, q.scored) for q in load_answer_questions(path)]
    assert read == [("Sam Bankman-Fried", True, True), ("Yes", True, False), ("", False, False)]


def test_the_answer_harness_scores_the_bold_lead_on_its_own() -> None:
    def asked(question: str, expected: str, lead: str, scored: bool = True) -> AnswerResult:
        sentences = [AnswerSentence(lead, True, (1,), lead=True)] if lead else []
        text = f"**{lead}** [1]\n\nThe judge heard the case." if lead else "The judge heard the case."
        q = AnswerQuestion(question, question, "who", expected, True, scored)
        return score_answer(q, Answer(question=question, text=text, sentences=sentences))

    results = [asked("Which judge?", "Mehta", "Judge Amit Mehta"), asked("When?", "Stallions on Nov. 3", "Nov. 3"),
               asked("Who?", "IBM", "OpenAI"), asked("Is it so?", "Yes", "CIO", scored=False),
               asked("Why?", "because", ""),
               asked("Which two?", "Taylor Swift and Travis Kelce", "Travis Kelce and Taylor Swift"),
               asked("Which two?", "Taylor Swift and Travis Kelce", "Travis Kelce and Patrick Mahomes")]
    assert [(r.lead, r.lead_right) for r in results] == [
        ("Judge Amit Mehta", True), ("Nov. 3", True), ("OpenAI", False), ("CIO", False), ("", False),
        ("Travis Kelce and Taylor Swift", True), ("Travis Kelce and Patrick Mahomes", False)]
    counted = figures(results)
    # "contains" stays strict about the order of a list.
    assert (counted["leads"], counted["lead_right"], counted["contains"]) == (6, 0.5, round(1 / 6, 4))


def test_the_ceiling_puts_the_passages_holding_the_most_missing_facts_first() -> None:
    gold = [{"fact": "alpha one"}, {"fact": "beta two"}, {"fact": "gamma three"}, {"fact": "absent fact"}]
    texts = ["nothing here", "beta two", "alpha one and beta two", "gamma  three", "alpha one again"]
    # Both facts first, then the one left; the rest keep their order; no passage holds the fourth.
    assert ceiling_order(texts, gold) == [2, 3, 0, 1, 4]
    assert ceiling_order(texts, []) == [0, 1, 2, 3, 4]
    assert ceiling_order([], gold) == []
