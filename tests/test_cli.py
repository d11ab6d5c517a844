"""The two CLIs as a user runs them: exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.rebuild import RebuildReport
from index.settings import Settings
from tests.conftest import FIXTURE_CORPUS, ROOT
from tests.conftest import run_module as run


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("sample") / "store"
    result = run("index", "rebuild", "--corpus", "corpus", "--store", str(store), "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("Indexed 1 article → 2 chunks in ")
    assert result.stdout.splitlines()[1] == (
        "  added 1 · updated 0 · removed 0 · unchanged 0 · skipped 0 · embedded 2 chunks"
    )
    return store


def test_ask_json_cites_the_sample_article(sample_store: Path) -> None:
    result = run("bot", "ask", "What did Piontkovsky predict about Putin?", "--store", str(sample_store), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    body = (ROOT / "corpus" / "000_8ea598c108a25ba0.md").read_text(encoding="utf-8")
    assert data["citations"], data
    for citation in data["citations"]:
        assert citation["quote"] in citation["passage"]
        assert citation["quote"] in body
        assert citation["passage"] in body
    assert any("Piontkovsky" in c["quote"] or "Piontkowski" in c["quote"] for c in data["citations"])
    assert "[1]" in data["answer"]


def test_ask_text_output(sample_store: Path) -> None:
    result = run("bot", "ask", "What did Piontkovsky predict about Putin?", "--store", str(sample_store), "--k", "2")
    assert result.returncode == 0
    assert "\nSources:\n[1] After the defeat in Cherson" in result.stdout


def test_stats_json_and_text(sample_store: Path) -> None:
    result = run("index", "stats", "--store", str(sample_store), "--json")
    assert result.returncode == 0
    info = json.loads(result.stdout)
    assert (info["articles"], info["chunks"], info["embedding_model"]) == (1, 2, "all-MiniLM-L6-v2-onnx-int8")
    text = run("index", "stats", "--store", str(sample_store))
    assert "articles:        1\nchunks:          2\n" in text.stdout


def test_store_from_env_var(sample_store: Path) -> None:
    result = run("index", "stats", "--json", env={"BOT_STORE": str(sample_store)})
    assert result.returncode == 0 and json.loads(result.stdout)["chunks"] == 2


def test_rebuild_reports_skipped_files(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.json").write_text((FIXTURE_CORPUS / "tech.json").read_text())
    (corpus / "broken.json").write_text("{not json")
    (corpus / "empty.md").write_text("")
    result = run("index", "rebuild", "--corpus", str(corpus), "--store", str(tmp_path / "s"), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "skipped 2" in result.stdout
    assert "Skipped:\n  broken.json: invalid JSON at line 1, column 2: Expecting property name enclosed in double " \
        "quotes\n  empty.md: empty file\n" in result.stdout


def test_missing_index_exit_code_and_message(tmp_path: Path) -> None:
    for args in (("bot", "ask", "anything"), ("index", "stats")):
        result = run(*args, "--store", str(tmp_path / "none"))
        assert result.returncode == 1
        assert result.stderr == f"error: no index at {tmp_path / 'none'} — run `python -m index rebuild`\n"


def test_nothing_usable_exits_1(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "x.txt").write_text("")
    result = run("index", "rebuild", "--corpus", str(tmp_path / "c"), "--store", str(tmp_path / "s"), "--quiet")
    assert result.returncode == 1
    expected = f"error: no usable article found in {tmp_path / 'c'} (1 files looked at, 1 skipped)"
    assert result.stderr.startswith(expected)


def test_help_and_usage_errors() -> None:
    assert "rebuild" in run("index", "--help").stdout
    usage = run("index")
    assert usage.returncode == 2 and "required: COMMAND" in usage.stderr
    assert run("bot", "ask", "--help").returncode == 0
    empty = run("bot", "ask", "  ")
    assert empty.returncode == 2 and empty.stderr == "error: the question is empty\n"


def test_fixture_store_answers_through_cli(fixture_index: tuple[Settings, RebuildReport]) -> None:
    settings, _ = fixture_index
    result = run("bot", "ask", "Who won the hockey championship?", "--store", str(settings.store), "--json")
    assert json.loads(result.stdout)["citations"][0]["title"] == "Riverton Rockets win the championship"
