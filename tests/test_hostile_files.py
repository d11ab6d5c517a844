"""Gap tests for issue 21 (loaders): a .jsonl whose every line is invalid keeps its articles; the file-size bound."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from index import file_reading
from index.embedding import Embedder
from index.loaders import Skipped, load_articles
from index.rebuild import rebuild_index
from index.settings import Settings
from tests.conftest import FIXTURE_CORPUS
from tests.fault_helpers import assert_answers

WIRE = [
    {"title": "Lighthouse restored on Gull Point", "body": "The Gull Point lighthouse was restored at a cost of "
     "2.4 million dollars. It shines again from Friday.", "url": "https://wire.example/lighthouse"},
    {"title": "Ferry fares rise in Port Elling", "body": "Ferry fares in Port Elling rise by 8 percent from "
     "January, the Bayline operator said.", "url": "https://wire.example/fares"},
]


@pytest.mark.timeout(300)
def test_a_jsonl_whose_every_line_is_invalid_keeps_its_articles(tmp_path: Path, embedder: Embedder) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    (corpus / "wire.jsonl").write_text("".join(json.dumps(a) + "\n" for a in WIRE))
    settings = Settings(corpus=corpus, store=tmp_path / "store")
    assert rebuild_index(settings, embedder).articles == 9
    (corpus / "wire.jsonl").write_text("{oops\n{also broken\n")  # every line invalid
    report = rebuild_index(settings, embedder)
    [skip] = [s for s in report.skipped if s.origin == "wire.jsonl"]
    assert skip.unreadable and skip.reason.startswith("2 of 2 lines could not be read (line 1: invalid JSON")
    assert (report.removed, report.kept, report.articles) == (0, 2, 9)
    assert_answers(settings, embedder)


def test_a_file_over_the_size_limit_is_skipped_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_reading, "MAX_FILE_BYTES", 1_000_000)
    (tmp_path / "big.txt").write_text("Headline\n\n" + "x" * 2_000_000)
    (tmp_path / "small.txt").write_text("A small article about the harbour. It has two sentences.")
    result = load_articles(tmp_path)
    assert [a.origin for a in result.articles] == ["small.txt"]
    assert result.skipped == [Skipped("big.txt", "file is 2 MB, over the 1 MB limit", unreadable=True)]
