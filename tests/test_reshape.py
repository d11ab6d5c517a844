"""A corpus rewritten as snippets: whole sentences, each window its own document, every word kept once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.lab.reshape import snippets, windows
from index.documents import Article
from index.loaders import load_articles
from tests.conftest import FIXTURE_CORPUS, ROOT

BODY = ("One two three four five. Six seven eight nine ten eleven. Twelve thirteen.\n\n"
        "Fourteen fifteen sixteen seventeen. Eighteen.")


def test_a_window_closes_at_the_first_sentence_end_past_its_words() -> None:
    assert windows(BODY, words=6) == ["One two three four five. Six seven eight nine ten eleven.",
                                      "Twelve thirteen.\n\nFourteen fifteen sixteen seventeen.", "Eighteen."]
    assert windows(BODY, words=100) == [BODY]
    assert windows("", words=5) == []


def test_snippets_keep_the_article_fields_and_number_their_links() -> None:
    article = Article(id="a1", title="Counting", body=BODY, origin="x.json#0", outlet="The Verge",
                      published_at="2023-11-20T16:00:00+00:00", url="https://theverge.example/count", author=None,
                      category="technology")
    records = snippets(article, words=6)
    assert [r["url"] for r in records] == [f"https://theverge.example/count#snippet-{n}" for n in range(3)]
    assert {(r["title"], r["source"], r["published_at"], r["category"]) for r in records} == {
        ("Counting", "The Verge", "2023-11-20T16:00:00+00:00", "technology")}


def test_reshape_command_writes_snippets_that_index_as_articles(tmp_path: Path) -> None:
    out = tmp_path / "snippets.json"
    proc = subprocess.run([sys.executable, "-m", "bot.lab.reshape", "--corpus", str(FIXTURE_CORPUS), "--out",
                           str(out), "--words", "25"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    originals = load_articles(FIXTURE_CORPUS).articles
    expected = [r for article in originals for r in snippets(article, 25)]
    assert json.loads(out.read_text()) == expected
    assert proc.stdout.startswith(f"wrote {len(expected)} snippets of {len(originals)} articles to {out} ")
    assert len(expected) > len(originals)  # the fixture's articles are longer than 25 words
    # Every word of every article is in exactly one of its snippets, in order.
    for article in originals:
        own = [r["body"] for r in expected if r["title"] == article.title]
        assert " ".join(own).split() == article.body.split()
    # The index reads the snippets back as articles of their own, with their outlets and dates.
    reread = load_articles(out).articles
    assert len(reread) == len(expected)
    assert [(a.outlet, a.published_at) for a in reread] == [(r["source"], r["published_at"]) for r in expected]
    # Nothing is overwritten.
    again = subprocess.run([sys.executable, "-m", "bot.lab.reshape", "--corpus", str(FIXTURE_CORPUS), "--out",
                            str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 1
    assert f"error: {out} exists; give another --out" in again.stderr
