"""The library's index side: listing and searching the indexed articles, saving uploads into the corpus folder,
removing an article (its file kept under .removed/), each followed by the real rebuild where it matters."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import index.library as library
from index.embedding import Embedder
from index.library import (
    ArticleEntry,
    LibraryError,
    corpus_to_change,
    list_articles,
    remove_article,
    save_upload,
    search_articles,
    upload_name_problem,
    writable_corpus,
)
from index.rebuild import RebuildReport, rebuild_index
from index.settings import Settings
from index.store import open_store
from tests.conftest import FIXTURE_CORPUS

FIXTURE_LIST = [  # (day, outlet, title, file, passages), newest first
    ("2023-12-02", "Sporting News", "Riverton Rockets win the championship", "sports.jsonl", 1),
    ("2023-11-20", "The Verge", "Orbit X2 review: a great battery and a dim screen", "tech.json", 1),
    ("2023-11-14", "Board Gazette", "Teenager stuns world champion in Oslo", "chess.html", 1),
    ("2023-11-02", "TechCrunch", "Lumora raises $40 million to recycle electric-car batteries", "tech.json", 1),
    ("2023-10-15", "The Age", "Course record falls at the Melbourne Marathon", "sports.jsonl", 1),
    ("2023-10-04", "Coastal Courier", "Harbor Bridge reopens after 14-month repair", "harbor-bridge.md", 1),
    ("", None, "Alpine glaciers lost 4 percent of their volume in 2023", "glacier-study.txt", 1),
]
NEW_ARTICLE = """---
title: Ferry fares cut for the winter
source: Harbor Herald
published_at: 2023-12-11
---
Ferry fares between Port Elling and the islands drop by a third from Monday, the harbour board said.
"""


def _rows(entries: list[ArticleEntry]) -> list[tuple[str, str | None, str, str | None, int]]:
    return [(e.day, e.outlet, e.title, e.file, e.passages) for e in entries]


def _entries(settings: Settings) -> list[ArticleEntry]:
    active = open_store(Path(settings.store)).active()
    assert active is not None
    return list_articles(active.iter_all())


@pytest.fixture
def copied(tmp_path: Path, embedder: Embedder) -> tuple[Settings, Path]:
    """An index of a copy of the fixture corpus (which the test may change), and that copy's folder."""
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    settings = Settings(corpus=corpus, store=tmp_path / "index")
    rebuild_index(settings, embedder)
    return settings, corpus


def _by_title(settings: Settings, title: str) -> ArticleEntry:
    return next(e for e in _entries(settings) if e.title == title)


# ---------------------------------------------------------------- listing and searching


def test_list_articles_of_the_fixture_index(fixture_index: tuple[Settings, RebuildReport]) -> None:
    assert _rows(_entries(fixture_index[0])) == FIXTURE_LIST


def test_search_matches_every_word_in_title_outlet_date_or_file(fixture_index: tuple[Settings, RebuildReport]) -> None:
    entries = _entries(fixture_index[0])
    assert [e.title for e in search_articles(entries, "SPORTS.jsonl")] == [
        "Riverton Rockets win the championship", "Course record falls at the Melbourne Marathon"]
    assert [e.day for e in search_articles(entries, "2023-11")] == ["2023-11-20", "2023-11-14", "2023-11-02"]
    assert [e.outlet for e in search_articles(entries, "battery verge")] == ["The Verge"]
    assert search_articles(entries, "verge marathon") == []
    assert search_articles(entries, "  ") == entries


# ---------------------------------------------------------------- the corpus folder


def test_writable_corpus_refuses_a_file_or_a_missing_folder(tmp_path: Path) -> None:
    assert writable_corpus(tmp_path) == tmp_path
    with pytest.raises(LibraryError, match=r"built from the file .*tech\.json, not from a folder: .* put the file "
                       r"in a folder and rebuild with --corpus set to that folder"):
        writable_corpus(FIXTURE_CORPUS / "tech.json")
    with pytest.raises(LibraryError, match=r"corpus folder .*gone does not exist — restart the chat with --corpus"):
        writable_corpus(tmp_path / "gone")


def test_changes_go_to_the_corpus_the_next_rebuild_syncs_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    given, recorded = tmp_path / "given", tmp_path / "recorded"
    given.mkdir()
    recorded.mkdir()
    assert corpus_to_change(given, {"corpus": str(recorded)}) == given
    assert corpus_to_change(None, {"corpus": str(recorded)}) == recorded
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    assert corpus_to_change(None, None) == Path("corpus")  # no index yet: the first rebuild reads ./corpus
    with pytest.raises(LibraryError, match=r"^the index does not record the corpus folder it was built from \(it "
                       r"was built before corpora were recorded\) — restart the chat with --corpus set to that "
                       r"folder, or rebuild it once with python -m index rebuild --corpus FOLDER$"):
        corpus_to_change(None, {"embedding_model": "x"})


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only folder")
def test_writable_corpus_refuses_a_read_only_folder(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(LibraryError, match="is read-only for this program — make it writable"):
            writable_corpus(tmp_path)
    finally:
        tmp_path.chmod(0o700)


def test_unsafe_hidden_or_unsupported_names_are_refused_saying_what_to_do() -> None:
    assert upload_name_problem("story.md") is None
    assert upload_name_problem("Fähre 2023.JSONL") is None
    for name in ("../story.md", "a/b.md", "..\\story.md", "..", "", "bad\nname.md"):
        assert upload_name_problem(name) == (
            f"{name!r} is not a plain file name — rename the file (letters, digits, - and _) and upload it again")
    assert upload_name_problem(".story.md") == (
        ".story.md starts with a dot, and hidden files are never read — rename it and upload it again")
    assert upload_name_problem("scan.pdf") == (
        "scan.pdf: unsupported file type '.pdf' — save the article as one of .htm, .html, .json, .jsonl, "
        ".markdown, .md, .ndjson, .text, .txt and upload it again")
    assert upload_name_problem("x" * 198 + ".md") == (
        "the file name is over 200 characters — shorten it and upload it again")


# ---------------------------------------------------------------- uploads


def test_an_upload_is_saved_into_the_corpus_and_indexed_by_the_next_rebuild(
    copied: tuple[Settings, Path], tmp_path: Path, embedder: Embedder
) -> None:
    settings, corpus = copied
    source = tmp_path / "upload" / "ferry-fares.md"
    source.parent.mkdir()
    source.write_text(NEW_ARTICLE, encoding="utf-8")
    upload = save_upload(corpus, source, "ferry-fares.md")
    assert (upload.name, upload.articles, upload.skipped) == ("ferry-fares.md", 1, [])
    assert (corpus / "ferry-fares.md").read_text(encoding="utf-8") == NEW_ARTICLE
    assert sorted(p.name for p in corpus.iterdir()) == [  # no temporary file left behind
        "chess.html", "ferry-fares.md", "glacier-study.txt", "harbor-bridge.md", "sports.jsonl", "tech.json"]
    report = rebuild_index(settings, embedder)
    assert (report.added, report.unchanged, report.removed) == (1, 7, 0)
    assert _rows(_entries(settings))[0] == (
        "2023-12-11", "Harbor Herald", "Ferry fares cut for the winter", "ferry-fares.md", 1)


def test_an_upload_never_replaces_a_file_of_the_corpus(copied: tuple[Settings, Path], tmp_path: Path) -> None:
    _, corpus = copied
    before = (corpus / "harbor-bridge.md").read_bytes()
    source = tmp_path / "harbor-bridge.md"
    source.write_text(NEW_ARTICLE, encoding="utf-8")
    with pytest.raises(LibraryError, match=r"^the corpus already has a file named harbor-bridge\.md — rename your file "
                       r"and upload it again$"):
        save_upload(corpus, source, "harbor-bridge.md")
    assert (corpus / "harbor-bridge.md").read_bytes() == before


def test_oversized_unsupported_unsafe_and_broken_uploads_are_refused_and_not_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    source = tmp_path / "in" / "big.md"
    source.parent.mkdir()
    source.write_text(NEW_ARTICLE, encoding="utf-8")
    monkeypatch.setattr(library, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(LibraryError, match=r"^big.md is 0 MB, over the 0 MB limit for uploads — split it, or copy "
                       rf"it into {corpus} yourself and click Sync$"):
        save_upload(corpus, source, "big.md")
    monkeypatch.undo()
    with pytest.raises(LibraryError, match=r"unsupported file type '\.pdf'"):
        save_upload(corpus, source, "big.pdf")
    with pytest.raises(LibraryError, match="is not a plain file name"):
        save_upload(corpus, source, "../big.md")
    broken = tmp_path / "in" / "broken.json"
    broken.write_text('{"title": "Half an article", "body": ', encoding="utf-8")
    with pytest.raises(LibraryError, match=r"^broken.json was skipped: invalid JSON at line 1, column 38: Expecting "
                       "value — fix the file and upload it again$"):
        save_upload(corpus, broken, "broken.json")
    assert list(corpus.iterdir()) == []


def test_an_upload_with_some_broken_lines_is_saved_and_its_skips_reported(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    source = tmp_path / "news.jsonl"
    source.write_text('{"title": "One", "body": "The first article."}\n{"title": "Two", "body": ""}\n',
                      encoding="utf-8")
    upload = save_upload(corpus, source, "news.jsonl")
    assert (upload.articles, [(s.origin, s.reason) for s in upload.skipped]) == (
        1, [("news.jsonl:2", "article body is empty")])
    assert (corpus / "news.jsonl").read_bytes() == source.read_bytes()


# ---------------------------------------------------------------- removals


def test_removing_a_one_article_file_moves_it_under_removed(
    copied: tuple[Settings, Path], embedder: Embedder
) -> None:
    settings, corpus = copied
    before = (corpus / "harbor-bridge.md").read_bytes()
    removal = remove_article(corpus, _by_title(settings, "Harbor Bridge reopens after 14-month repair"))
    assert (removal.file, removal.kept_at, removal.rewritten, removal.articles_in_file) == (
        "harbor-bridge.md", ".removed/harbor-bridge.md", False, 1)
    assert not (corpus / "harbor-bridge.md").exists()
    assert (corpus / ".removed" / "harbor-bridge.md").read_bytes() == before
    report = rebuild_index(settings, embedder)  # the .removed/ folder is never read
    assert (report.removed, report.unchanged, report.files_seen) == (1, 6, 4)
    assert _rows(_entries(settings)) == [row for row in FIXTURE_LIST if row[3] != "harbor-bridge.md"]
    # the same name removed again is kept beside the first, numbered
    (corpus / "harbor-bridge.md").write_bytes(before)
    rebuild_index(settings, embedder)
    again = remove_article(corpus, _by_title(settings, "Harbor Bridge reopens after 14-month repair"))
    assert again.kept_at == ".removed/harbor-bridge.2.md"


def test_removing_one_article_of_a_jsonl_blanks_its_line_and_keeps_the_file_as_it_was(
    copied: tuple[Settings, Path], embedder: Embedder
) -> None:
    settings, corpus = copied
    before = (corpus / "sports.jsonl").read_text(encoding="utf-8")
    removal = remove_article(corpus, _by_title(settings, "Riverton Rockets win the championship"))
    assert (removal.kept_at, removal.rewritten, removal.articles_in_file) == (".removed/sports.jsonl", True, 2)
    assert (corpus / ".removed" / "sports.jsonl").read_text(encoding="utf-8") == before
    lines = before.splitlines(keepends=True)
    assert (corpus / "sports.jsonl").read_text(encoding="utf-8") == "\n" + lines[1]
    report = rebuild_index(settings, embedder)
    assert (report.removed, report.unchanged, report.added) == (1, 6, 0)  # the other line keeps its article
    assert _rows(_entries(settings)) == [row for row in FIXTURE_LIST if row[0] != "2023-12-02"]


def test_removing_one_article_of_a_json_list_rewrites_the_list(
    copied: tuple[Settings, Path], embedder: Embedder
) -> None:
    settings, corpus = copied
    before = json.loads((corpus / "tech.json").read_text(encoding="utf-8"))
    removal = remove_article(corpus, _by_title(settings, "Orbit X2 review: a great battery and a dim screen"))
    assert (removal.kept_at, removal.rewritten) == (".removed/tech.json", True)
    assert json.loads((corpus / "tech.json").read_text(encoding="utf-8")) == before[:1]
    assert json.loads((corpus / ".removed" / "tech.json").read_text(encoding="utf-8")) == before
    report = rebuild_index(settings, embedder)
    assert (report.removed, report.unchanged) == (1, 6)
    assert [row[2] for row in _rows(_entries(settings))] == [
        row[2] for row in FIXTURE_LIST if row[2] != "Orbit X2 review: a great battery and a dim screen"]


def test_removing_an_article_whose_file_changed_or_went_is_refused(copied: tuple[Settings, Path]) -> None:
    settings, corpus = copied
    entry = _by_title(settings, "Harbor Bridge reopens after 14-month repair")
    (corpus / "harbor-bridge.md").write_text(NEW_ARTICLE, encoding="utf-8")
    with pytest.raises(LibraryError, match=r"^harbor-bridge\.md no longer holds this article as indexed .* click Sync, "
                       r"then remove it again$"):
        remove_article(corpus, entry)
    (corpus / "harbor-bridge.md").unlink()
    with pytest.raises(LibraryError, match=r"^harbor-bridge\.md is no longer in the corpus folder — click Sync"):
        remove_article(corpus, entry)
    outside = ArticleEntry(**{**entry.__dict__, "file": "../corpus-elsewhere/x.md"})
    with pytest.raises(LibraryError, match="does not record a file inside"):
        remove_article(corpus, outside)
    assert not (corpus / ".removed").exists()
