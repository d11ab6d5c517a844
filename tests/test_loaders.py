"""Loaders: every supported format, metadata, and bad input skipped with a reason."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from index.documents import Article
from index.loaders import Skipped, load_articles, normalize_date
from tests.conftest import FIXTURE_CORPUS, MULTIHOP_CORPUS, ROOT, require_shared


def by_origin(path: Path) -> dict[str, Article]:
    result = load_articles(path)
    return {a.origin: a for a in result.articles}


def test_fixture_corpus_loads_every_format() -> None:
    result = load_articles(FIXTURE_CORPUS)
    assert sorted(a.origin for a in result.articles) == [
        "chess.html",
        "glacier-study.txt",
        "harbor-bridge.md",
        "sports.jsonl:1",
        "sports.jsonl:2",
        "tech.json#0",
        "tech.json#1",
    ]
    assert result.skipped == []
    assert result.warnings == []


def test_markdown_front_matter() -> None:
    article = by_origin(FIXTURE_CORPUS)["harbor-bridge.md"]
    assert article.title == "Harbor Bridge reopens after 14-month repair"
    assert article.outlet == "Coastal Courier"
    assert article.published_at == "2023-10-04T09:30:00+00:00"
    assert article.url == "https://coastal-courier.example/2023/10/04/harbor-bridge-reopens"
    assert article.author == "Lena Ortiz"
    assert article.body.startswith("The Harbor Bridge in Port Elling reopened")
    assert "---" not in article.body


def test_plain_text_headline_line() -> None:
    article = by_origin(FIXTURE_CORPUS)["glacier-study.txt"]
    assert article.title == "Alpine glaciers lost 4 percent of their volume in 2023"
    assert article.body.startswith("Swiss glaciers lost four percent")
    assert article.outlet is None and article.url is None


def test_html_main_text_extracted_with_metadata() -> None:
    article = by_origin(FIXTURE_CORPUS)["chess.html"]
    assert article.title == "Teenager stuns world champion in Oslo"
    assert article.outlet == "Board Gazette"
    assert article.published_at == "2023-11-14"
    assert article.url == "https://board-gazette.example/oslo-upset"
    assert article.body.startswith("Sixteen-year-old Mira Holt beat")
    assert "Home | Tournaments" not in article.body  # navigation is not article text
    assert "window.shouldNotRun" not in article.body  # real scripts are dropped
    assert '<script>alert("pwned")</script>' in article.body  # escaped text stays text


def test_json_list_and_jsonl_in_multihop_shape() -> None:
    articles = by_origin(FIXTURE_CORPUS)
    verge = articles["tech.json#1"]
    assert verge.outlet == "The Verge"
    assert verge.published_at == "2023-11-20T16:00:00+00:00"  # nanosecond "Z" form normalised
    assert verge.author is None
    assert verge.category == "technology"
    assert articles["sports.jsonl:2"].title == "Course record falls at the Melbourne Marathon"


def test_ids_are_stable_and_distinct() -> None:
    first = [a.id for a in load_articles(FIXTURE_CORPUS).articles]
    second = [a.id for a in load_articles(FIXTURE_CORPUS).articles]
    assert first == second
    assert len(set(first)) == len(first)
    assert all(len(i) == 16 for i in first)


def test_single_file_path(tmp_path: Path) -> None:
    result = load_articles(FIXTURE_CORPUS / "tech.json")
    assert [a.origin for a in result.articles] == ["tech.json#0", "tech.json#1"]


def test_sample_corpus_is_the_seed_article() -> None:
    result = load_articles(ROOT / "corpus")
    assert len(result.articles) == 1
    article = result.articles[0]
    seed = (ROOT.parent / "shared" / "data" / "seed" / "000_8ea598c108a25ba0.txt")
    if seed.exists():
        assert article.body == seed.read_text(encoding="utf-8").strip()
    assert "Piontkovsky" in article.body
    assert article.outlet is None and article.url is None and article.published_at is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-11-27 08:45:59.000000000Z", "2023-11-27T08:45:59+00:00"),
        ("2023-09-28T12:00:00+00:00", "2023-09-28T12:00:00+00:00"),
        ("2023-10-01", "2023-10-01"),
        ("2023-10-01T10:15+0200", "2023-10-01T10:15:00+02:00"),
        ("last Tuesday", None),
        (None, None),
    ],
)
def test_normalize_date(raw: str | None, expected: str | None) -> None:
    assert normalize_date(raw) == expected


def write(folder: Path, name: str, data: bytes | str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def test_bad_input_is_skipped_with_reasons(tmp_path: Path) -> None:
    good = "A perfectly fine article about the harbour. It has two sentences."
    write(tmp_path, "good.txt", good)
    write(tmp_path, "empty.txt", "   \n")
    write(tmp_path, "binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    write(tmp_path, "broken.json", '{"title": "x", "body": ')
    write(tmp_path, "nobody.json", json.dumps({"title": "No body here"}))
    write(tmp_path, "zz-copy.txt", good)
    write(tmp_path, "huge.json", json.dumps({"title": "Huge", "body": "word " * 2_000_000}))
    noise = bytes(b or 1 for b in random.Random(0).randbytes(4000))  # no NUL byte, yet no text either
    write(tmp_path, "noise.txt", noise)
    write(tmp_path, "notes.docx", "not a supported type")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("Secret text outside the corpus folder.")
    (tmp_path / "link.txt").symlink_to(outside)
    result = load_articles(tmp_path)
    reasons = {s.origin: s.reason for s in result.skipped}
    assert [a.origin for a in result.articles] == ["good.txt"]
    assert reasons["empty.txt"] == "empty file"
    assert reasons["binary.md"] == "binary file (contains NUL bytes), not text"
    assert reasons["broken.json"] == "invalid JSON at line 1, column 24: Expecting value"
    assert reasons["nobody.json"] == "article has no 'body' text"
    assert reasons["zz-copy.txt"] == "duplicate of the article in good.txt"
    assert reasons["huge.json"] == (
        "article body is 10.0 MB of text, over the 2 MB limit; split it into several articles"
    )
    assert reasons["noise.txt"].startswith("not UTF-8 text (")
    assert reasons["noise.txt"].endswith(
        " undecodable bytes) and not text in any encoding we recognise; convert it to UTF-8"
    )
    assert reasons["notes.docx"].startswith("unsupported file type '.docx'")
    assert reasons["link.txt"].startswith("symlink points outside the corpus folder")


def test_mostly_utf8_file_loads_with_a_warning(tmp_path: Path) -> None:
    text = "The mayor of Port Elling said the caf\xe9 bridge is safe. " * 10
    write(tmp_path, "mixed.txt", text.encode("utf-8") + b"\xff")  # UTF-8 with one damaged byte
    result = load_articles(tmp_path)
    assert [a.origin for a in result.articles] == ["mixed.txt"]
    assert [(w.origin, w.reason) for w in result.warnings] == [
        ("mixed.txt", "1 bytes were not valid UTF-8 and were replaced by �")
    ]


def test_other_encodings_are_decoded_with_a_warning(tmp_path: Path) -> None:
    write(tmp_path, "latin1.txt", "Caf\xe9 owners in M\xfcnchen said prices rose.".encode("latin-1") * 2)
    write(tmp_path, "tokyo.txt", "東京の市長は新しい橋を開通させたと述べた。".encode("shift_jis"))
    write(tmp_path, "utf16.txt", "Ferry workers in Port Elling ended a strike.".encode("utf-16"))
    result = load_articles(tmp_path)
    bodies = {a.origin: a.body for a in result.articles}
    assert bodies == {
        "latin1.txt": "Caf\xe9 owners in M\xfcnchen said prices rose." * 2,
        "tokyo.txt": "東京の市長は新しい橋を開通させたと述べた。",
        "utf16.txt": "Ferry workers in Port Elling ended a strike.",
    }
    assert [(w.origin, w.reason) for w in result.warnings] == [
        ("latin1.txt", "not UTF-8: read as cp1252; convert it to UTF-8 to be sure"),
        ("tokyo.txt", "not UTF-8: read as cp932; convert it to UTF-8 to be sure"),
    ]
    assert result.skipped == []


def test_missing_path_is_reported(tmp_path: Path) -> None:
    result = load_articles(tmp_path / "nope")
    assert result.articles == []
    assert [s.reason for s in result.skipped] == ["no such file or folder"]


def test_shared_multihop_corpus_loads_609_articles() -> None:
    require_shared()
    result = load_articles(MULTIHOP_CORPUS)
    assert len(result.articles) == 609
    assert result.skipped == []
    sources = {a.outlet for a in result.articles}
    assert {"TechCrunch", "The Verge", "Sporting News"} <= sources


def test_file_that_vanishes_mid_read_is_skipped(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        write(tmp_path, name, f"Article {name} is about the harbour. It has two sentences.")

    def progress(done: int, total: int) -> None:
        if done == 1:  # a.txt has been read, b.txt is next: delete it now, as a user or a sync tool might
            (tmp_path / "b.txt").unlink()

    result = load_articles(tmp_path, progress=progress)
    assert [a.origin for a in result.articles] == ["a.txt", "c.txt"]
    assert result.skipped == [Skipped("b.txt", "file disappeared while the corpus was being read", unreadable=False)]
    assert result.files_seen == 3


def test_broken_files_are_marked_unreadable_policy_skips_are_not(tmp_path: Path) -> None:
    write(tmp_path, "good.txt", "A perfectly fine article about the harbour. It has two sentences.")
    write(tmp_path, "empty.txt", "")
    write(tmp_path, "broken.json", "[{")
    write(tmp_path, "zz-copy.txt", "A perfectly fine article about the harbour. It has two sentences.")
    write(tmp_path, "notes.docx", "x")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("Secret text outside the corpus folder.")
    (tmp_path / "link.txt").symlink_to(outside)
    (tmp_path / "inside.txt").symlink_to(tmp_path / "good.txt")
    result = load_articles(tmp_path)
    flags = {s.origin: s.unreadable for s in result.skipped}
    assert flags == {
        "broken.json": True,
        "empty.txt": True,
        "inside.txt": False,  # a symlink inside the corpus is read, then found to duplicate good.txt
        "link.txt": False,
        "notes.docx": False,
        "zz-copy.txt": False,
    }
    assert result.files == {a.id: "good.txt" for a in result.articles}


def test_ten_megabyte_plain_text_article_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, "big.txt", "Headline\n\n" + "All work and no play makes a dull article. " * 240_000)
    write(tmp_path, "small.txt", "A small article about the harbour. It has two sentences.")
    result = load_articles(tmp_path)
    assert [a.origin for a in result.articles] == ["small.txt"]
    assert [(s.origin, s.reason) for s in result.skipped] == [
        ("big.txt", "article body is 10.3 MB of text, over the 2 MB limit; split it into several articles")
    ]


def test_untitled_articles_take_their_first_line_or_sentence(tmp_path: Path) -> None:
    write(tmp_path, "a.json", json.dumps({"body": "Dr. Jane Goodall returned to Gombe. She is 89."}))
    write(tmp_path, "b.json", json.dumps({"body": "Storm warning for the coast\nThe weather service said so."}))
    write(tmp_path, "long_story-2023.json", json.dumps({"body": "word " * 40 + "end. Short one."}))
    titles = {a.origin: a.title for a in load_articles(tmp_path).articles}
    assert titles == {
        "a.json": "Dr. Jane Goodall returned to Gombe.",
        "b.json": "Storm warning for the coast",
        "long_story-2023.json": "long story 2023.json",  # no usable sentence: the name it came from
    }


def test_character_references_in_titles_are_written_out(tmp_path: Path) -> None:
    record = {"title": "&#039;Massive intel failure&#039;: Hamas&#039; attack &amp; AT&T&lt", "source": "Caf&eacute;",
              "url": "https://example.com/a?x=1&amp;y=2", "body": "Officials said the attack surprised them."}
    (tmp_path / "one.json").write_text(json.dumps([record]), encoding="utf-8")
    article = load_articles(tmp_path).articles[0]
    # a reference without its semicolon ("&lt") is plain text; the URL keeps its form
    assert article.title == "'Massive intel failure': Hamas' attack & AT&T&lt"
    assert article.outlet == "Café"
    assert article.url == "https://example.com/a?x=1&amp;y=2"
