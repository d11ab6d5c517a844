"""Hostile corpus files (issue 21): each is skipped or loaded with a warning, never stops or hangs a rebuild, and
the previous index keeps answering; dates at the ends of the calendar never break an answer's views.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from bot.engine import ChatEngine
from bot.web import coverage, handlers
from bot.web.chat_app import ChatApp
from bot.web.layout import create_ui
from index import loaders
from index.embedding import Embedder
from index.loaders import Skipped, load_articles
from index.rebuild import rebuild_index
from index.settings import Settings
from tests.conftest import FIXTURE_CORPUS

BODY = "The harbour authority of Port Elling approved a new pier on Monday. Work starts in spring."


def front_matter(date: str, title: str = "Pier approved") -> str:
    return f"---\ntitle: {title}\npublished_at: {date}\n---\n{BODY}\n"


def load_one(tmp_path: Path, name: str, data: str | bytes) -> tuple[list[Any], list[Skipped], list[Skipped]]:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    result = load_articles(tmp_path)
    return result.articles, result.skipped, result.warnings


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("date", "warning"),
    [
        ("2023-02-30", "published_at '2023-02-30' is not a real date; left out"),
        ("2023-13-45", "published_at '2023-13-45' is not a real date; left out"),
        ("0000-00-00", "published_at '0000-00-00' is not a real date; left out"),
        ("0001-01-01", "published_at '0001-01-01' is outside 1800–2200; left out"),
        ("9999-12-31", "published_at '9999-12-31' is outside 1800–2200; left out"),
        ("'2023-02-30T10:00:00Z'", "published_at '2023-02-30T10:00:00Z' is not a real date; left out"),
        ("last Tuesday", "published_at 'last Tuesday' is not a date we can read (write it as YYYY-MM-DD); left out"),
    ],
)
def test_impossible_dates_in_front_matter_are_dropped_with_a_warning(tmp_path: Path, date: str, warning: str) -> None:
    [article], skipped, warnings = load_one(tmp_path, "pier.md", front_matter(date))
    assert (article.title, article.body, article.published_at, skipped) == ("Pier approved", BODY, None, [])
    assert warnings == [Skipped("pier.md", warning)]


@pytest.mark.parametrize("date", ["2023-13-45", "9999-12-31T23:59:59Z", "0001-01-01"])
def test_impossible_dates_in_json_are_not_stored(tmp_path: Path, date: str) -> None:
    [article], _, [warning] = load_one(tmp_path, "pier.json", json.dumps({"body": BODY, "published_at": date}))
    assert article.published_at is None and warning.reason.startswith(f"published_at {date!r} is ")


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2023/10/4", "2023-10-04"),
        ("2023-10-04 9:30", "2023-10-04T09:30:00+00:00"),
        ("Wed, 04 Oct 2023 09:30:00 GMT", "2023-10-04T09:30:00+00:00"),
        ("2023-10-04T09:30:00 UTC", "2023-10-04T09:30:00+00:00"),
    ],
)
def test_dates_are_read_leniently(raw: str, iso: str) -> None:
    assert loaders.normalize_date(raw) == iso


# ---------------------------------------------------------------- structure: depth, aliases, long lines


def test_json_nested_100k_levels_is_skipped(tmp_path: Path) -> None:
    articles, skipped, _ = load_one(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    assert articles == []
    assert skipped == [Skipped("deep.json", "JSON nested too deeply to read; an article is one object of text fields",
                               unreadable=True)]


def test_jsonl_line_nested_100k_levels_skips_that_line_only(tmp_path: Path) -> None:
    good = json.dumps({"title": "Pier approved", "body": BODY})
    [article], skipped, _ = load_one(tmp_path, "wire.jsonl", good + "\n" + "[" * 100_000 + "]" * 100_000 + "\n")
    assert article.origin == "wire.jsonl:1"
    assert skipped == [Skipped(
        "wire.jsonl", "1 of 2 lines could not be read (line 2: JSON nested too deeply to read; an article is one "
        "object of text fields); the other lines were loaded, and articles indexed before from this file are kept "
        "until it is fixed", unreadable=True,
    )]


def test_yaml_nested_deeply_is_skipped(tmp_path: Path) -> None:
    _, skipped, _ = load_one(tmp_path, "deep.md", "---\ntitle: " + "[" * 5000 + "]" * 5000 + f"\n---\n{BODY}\n")
    assert skipped == [Skipped("deep.md", "YAML front matter nested too deeply to read", unreadable=True)]


def test_huge_integer_is_a_skip_not_a_crash(tmp_path: Path) -> None:
    _, skipped, _ = load_one(tmp_path, "big.json", '{"title": 1' + "0" * 5000 + f', "body": "{BODY}"}}')
    assert skipped == [Skipped("big.json", "invalid JSON: a number has more digits than can be read (over 4,300)",
                               unreadable=True)]


@pytest.mark.timeout(20)  # the alias expanded into a title took > 5 minutes and 2.1 GB
def test_yaml_billion_laughs_title_is_not_expanded(tmp_path: Path) -> None:
    lines = ["---", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    lines += ["title: *i", "source: *i", "---", BODY]
    [article], skipped, warnings = load_one(tmp_path, "laughs.md", "\n".join(lines))
    assert skipped == [] and article.outlet is None
    assert article.title == "The harbour authority of Port Elling approved a new pier on Monday."  # first sentence
    assert warnings == [Skipped("laughs.md", "title is a list, not text; left out"),
                        Skipped("laughs.md", "source is a list, not text; left out")]


@pytest.mark.timeout(10)  # the heading regex took 29 s at 20,000 spaces, 4 times longer at twice that
def test_pathological_heading_line_loads_in_linear_time(tmp_path: Path) -> None:
    [article], _, warnings = load_one(tmp_path, "x.md", "# x" + " " * 40_000 + f"y\n\n{BODY}")
    assert article.body == BODY
    assert warnings == [Skipped("x.md", "title is 40,002 characters long, over the 2,000 limit; left out")]


LONG = 40_000
PATHOLOGICAL = {
    "hashes": "#" * LONG + " x\n\n" + BODY,
    "dashes": "-" * LONG + "x\n\n" + BODY,
    "open-front-matter": "---\n" + " " * LONG + "x\n" + BODY,
    "front-matter-fences": "---\ntitle: a\n" + ("\n---" + " " * 50 + "x") * (LONG // 55) + "\n" + BODY,
    "newline-spaces": "\n " * LONG + BODY,
    "dot-spaces": ". " * LONG + BODY,
    "title-line": " " * LONG + "y" + "\t" * LONG + "\n\n\n" + BODY,
    "carriage-returns": "---\r\n" + "\r" * LONG + BODY,
}


@pytest.mark.timeout(10)
@pytest.mark.parametrize("suffix", [".md", ".txt"])
@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_long_pathological_lines_load_in_linear_time(tmp_path: Path, text: str, suffix: str) -> None:
    [article], skipped, _ = load_one(tmp_path, "x" + suffix, text)
    assert skipped == [] and article.body.endswith(BODY)


# ---------------------------------------------------------------- file types


@pytest.mark.timeout(20)  # the loader blocked forever on the FIFO
def test_fifo_is_never_opened_for_a_blocking_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.txt")
    (tmp_path / "good.txt").write_text(BODY)
    result = load_articles(tmp_path)
    assert [a.origin for a in result.articles] == ["good.txt"]
    assert result.skipped == [Skipped("fifo.txt", "a named pipe (FIFO), not a regular file; only regular files are "
                                      "read")]


def test_symlink_loop_and_dangling_link_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "loop1.txt").symlink_to("loop2.txt")
    (tmp_path / "loop2.txt").symlink_to("loop1.txt")
    (tmp_path / "gone.txt").symlink_to("missing.txt")
    (tmp_path / "good.txt").write_text(BODY)
    (tmp_path / "link.txt").symlink_to(tmp_path / "good.txt")  # inside the corpus: read (a duplicate here)
    result = load_articles(tmp_path)
    assert [a.origin for a in result.articles] == ["good.txt"]
    loop = "symlink loop: the link leads back to itself; fix or delete it"
    assert result.skipped == [
        Skipped("gone.txt", "broken symlink: the file it points to does not exist"),
        Skipped("link.txt", "duplicate of the article in good.txt"),
        Skipped("loop1.txt", loop, unreadable=True),
        Skipped("loop2.txt", loop, unreadable=True),
    ]


# ---------------------------------------------------------------- encodings


def test_cp1252_text_is_not_read_as_an_exotic_code_page(tmp_path: Path) -> None:
    text = "The naïve plan of the café owner in Zürich failed, the mayor said. “It was doomed,” he added."
    [article], _, warnings = load_one(tmp_path, "naive.txt", text.encode("cp1252"))
    assert article.body == text
    assert warnings == [Skipped("naive.txt", "not UTF-8: read as cp1252; convert it to UTF-8 to be sure")]


@pytest.mark.parametrize(("codec", "order"), [("utf-16-le", "little-endian"), ("utf-16-be", "big-endian")])
def test_utf16_without_bom_is_decoded(tmp_path: Path, codec: str, order: str) -> None:
    [article], skipped, warnings = load_one(tmp_path, "ferry.txt", BODY.encode(codec))
    assert (article.body, skipped) == (BODY, [])
    assert warnings == [Skipped("ferry.txt", f"not UTF-8: read as UTF-16 ({order}, no byte-order mark); convert it "
                                "to UTF-8 to be sure")]


def test_real_binary_is_still_binary(tmp_path: Path) -> None:
    _, skipped, _ = load_one(tmp_path, "img.md", bytes(range(256)) * 8)
    assert skipped == [Skipped("img.md", "binary file (contains NUL bytes), not text", unreadable=True)]


# ---------------------------------------------------------------- a rebuild over all of them


WIRE = [
    {"title": "Ferry fares rise in Port Elling", "body": "Ferry fares in Port Elling rise by 8 percent from "
     "January, the Bayline operator said. Season tickets are unchanged.", "url": "https://wire.example/fares"},
    {"title": "Lighthouse restored on Gull Point", "body": "The Gull Point lighthouse was restored at a cost of "
     "2.4 million dollars. It shines again from Friday.", "url": "https://wire.example/lighthouse"},
]


def _hostile_files(corpus: Path) -> None:
    os.mkfifo(corpus / "fifo.txt")
    (corpus / "loop1.txt").symlink_to("loop2.txt")
    (corpus / "loop2.txt").symlink_to("loop1.txt")
    (corpus / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (corpus / "pier.md").write_text(front_matter("2023-02-30"))
    (corpus / "x.md").write_text("# x" + " " * 40_000 + "y\n\nA heading of spaces. Nothing else.\n")


@pytest.mark.timeout(300)
def test_rebuild_over_hostile_files_keeps_the_previous_index_answering(tmp_path: Path, embedder: Embedder) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    (corpus / "wire.jsonl").write_text("\n".join(json.dumps(a) for a in WIRE) + "\n")
    settings = Settings(corpus=corpus, store=tmp_path / "store")
    rebuild_index(settings, embedder)

    _hostile_files(corpus)
    lines = (corpus / "wire.jsonl").read_text().splitlines()
    (corpus / "wire.jsonl").write_text(lines[0] + "\n" + lines[1][:40])  # cut mid-line, as a crashed writer leaves it
    report = rebuild_index(settings, embedder)
    assert {s.origin: s.reason for s in report.skipped} == {
        "deep.json": "JSON nested too deeply to read; an article is one object of text fields",
        "fifo.txt": "a named pipe (FIFO), not a regular file; only regular files are read",
        "loop1.txt": "symlink loop: the link leads back to itself; fix or delete it",
        "loop2.txt": "symlink loop: the link leads back to itself; fix or delete it",
        "wire.jsonl": "1 of 2 lines could not be read (line 2: invalid JSON at column 11: Unterminated string "
                      "starting at); the other lines were loaded, and articles indexed before from this file are "
                      "kept until it is fixed",
    }
    assert (report.added, report.removed, report.kept) == (2, 0, 1)
    assert {(w.origin, w.reason) for w in report.warnings} == {
        ("pier.md", "published_at '2023-02-30' is not a real date; left out"),
        ("x.md", "title is 40,002 characters long, over the 2,000 limit; left out"),
    }
    engine = ChatEngine(settings, embedder)
    kept = engine.answer("How much did the Gull Point lighthouse restoration cost?")
    assert kept.covered and kept.citations[0].chunk.title == "Lighthouse restored on Gull Point"
    assert engine.answer("When does work on the new pier in Port Elling start?").citations[0].chunk.title == (
        "Pier approved"
    )

    (corpus / "wire.jsonl").write_text(lines[0] + "\n")  # the broken line removed: its article goes
    assert rebuild_index(settings, embedder).removed == 1


# ---------------------------------------------------------------- dates at the ends of the calendar


@pytest.mark.timeout(300)
def test_an_old_index_with_year_1_and_9999_dates_still_answers(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    articles = [
        {"title": "Pier approved", "body": BODY, "source": "Harbour News", "published_at": "0001-01-01"},
        {"title": "Pier work delayed", "body": "Work on the new Port Elling pier is delayed to summer, the harbour "
         "authority said. The pier was approved on Monday.", "source": "Bay Times", "published_at": "9999-12-31"},
    ]
    (corpus / "pier.json").write_text(json.dumps(articles))
    # As an index built before dates were checked holds them:
    monkeypatch.setattr(loaders, "check_date", lambda value: (value, None), raising=False)
    rebuild_index(settings := Settings(corpus=corpus, store=tmp_path / "store"), embedder)
    monkeypatch.undo()
    app = ChatApp(settings, embedder)
    with gr.Blocks():
        ui = create_ui(app, "")
    # A search both articles answer (the topic then holds both, whatever the answer's few sentences cite).
    final = list(handlers.respond(app, ui, "Port Elling pier work", [], [], [], [], None, None))[-1]
    [turn] = final[ui.turns]
    assert turn.covered and len(turn.passages) == 2
    timeline = coverage.open_view(app, ui, coverage.TIMELINE, final[ui.turns])[ui.timeline]
    assert "2 articles from 2 outlets, undated" in timeline
    assert "2 articles carry no publication date and are not plotted." in timeline
