"""Training questions made from the index itself: the keyword question, and a ranker fitted on them alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.lab.self_questions import keyword_question, self_questions
from bot.retrieval.retriever import Retriever
from index.embedding import Embedder
from index.rebuild import RebuildReport
from index.settings import Settings
from index.text import analyze
from tests.conftest import ROOT, multihop_query

IDF = {"Blaney": 9.0, "Mustang": 8.0, "Phoenix": 6.0, "Ford": 5.0, "maneuvering": 7.0, "championship": 3.0}
SENTENCE = "Last Sunday, Ryan Blaney secured his championship by maneuvering his Ford Mustang to victory at Phoenix."


def test_keyword_question_keeps_the_rarest_words_in_sentence_order() -> None:
    idf = {analyze([word])[0][0]: weight for word, weight in IDF.items()}
    assert keyword_question(SENTENCE, idf, words=4, skip=0) == "Blaney maneuvering Mustang Phoenix"
    assert keyword_question(SENTENCE, idf) == "maneuvering Ford Mustang Phoenix"  # the rarest, Blaney, left out
    assert keyword_question("Yes, he said so.", idf) == ""  # words the index never uses: no question


def test_self_questions_name_their_sentence_and_article(fixture_index: tuple[Settings, RebuildReport],
                                                         embedder: Embedder) -> None:
    settings, _ = fixture_index
    retriever = Retriever(settings, embedder, ranker=False)
    questions = self_questions(retriever, per_article=1)
    articles = set(retriever.chunk_fields["article_id"])
    assert len(questions) == len(articles)
    for q in questions:
        (evidence,) = q["evidence_list"]
        assert evidence["article"] in articles
        assert 3 <= len(q["query"].split()) <= 4
        assert all(word in evidence["fact"] for word in q["query"].split())
    assert self_questions(retriever, per_article=1) == questions  # the same questions every time


def test_train_cli_fits_on_self_questions_alone(fixture_index: tuple[Settings, RebuildReport],
                                               tmp_path: Path) -> None:
    settings, _ = fixture_index
    queries = tmp_path / "queries.json"
    queries.write_text(json.dumps([
        multihop_query("How much did the Harbor Bridge repair in Port Elling cost?", "inference_query",
                       ["after a 14-month repair that cost 82 million dollars"], "bridge"),
    ]))
    proc = subprocess.run(
        [sys.executable, "-m", "bot.lab.train_ranker", "--store", str(settings.store), "--queries", str(queries),
         "--self-questions", "1", "--fit-self-only", "--folds", "2", "--dry-run"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    headers = [line.split(": ")[0] for line in proc.stdout.splitlines() if " questions, " in line]
    assert headers == [f"{tmp_path.name}/queries.json", "self-questions (generated from the index)"]
    proc = subprocess.run(
        [sys.executable, "-m", "bot.lab.train_ranker", "--store", str(settings.store), "--queries", str(queries),
         "--fit-self-only", "--dry-run"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert (proc.returncode, proc.stderr) == (1, "error: the questions to fit on (self-questions (generated from "
                                                 "the index)) are fewer than 5 with evidence\n")
