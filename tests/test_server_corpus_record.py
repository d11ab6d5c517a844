"""Gap test for issue 16, item 1 in server mode: the index on a Chroma server records its corpus, `index stats`
shows it with the server URL and collection, and a rebuild without --corpus syncs with it (not ./corpus).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.chroma_server import chroma_server
from tests.conftest import run_module
from tests.fault_helpers import fixture_copy


def test_a_server_index_records_its_corpus_and_syncs_with_it(tmp_path: Path) -> None:
    corpus = fixture_copy(tmp_path)  # 7 articles; the repository's corpus/ holds 1 other
    cache = tmp_path / "cache"
    with chroma_server(tmp_path / "chroma") as url:
        built = run_module("index", "rebuild", "--corpus", str(corpus), "--store", str(cache), "--chroma-url", url,
                           "--quiet")
        assert built.returncode == 0, built.stderr
        stats = run_module("index", "stats", "--json", "--store", str(cache), "--chroma-url", url)
        assert stats.returncode == 0, stats.stderr
        info = json.loads(stats.stdout)
        assert (info["location"], info["corpus"], info["articles"]) == (url, str(corpus.resolve()), 7)
        assert info["collection"]
        text = run_module("index", "stats", "--store", str(cache), "--chroma-url", url).stdout
        assert f"index:           {url}\ncollection:      {info['collection']}\ncorpus:          {corpus}\n" in text
        # From the repository (whose corpus/ has 1 article), without --corpus: syncs with the recorded corpus.
        again = run_module("index", "rebuild", "--store", str(cache), "--chroma-url", url, "--quiet")
        assert again.returncode == 0, again.stderr
        assert f"  corpus: {corpus}\n  the index was already up to date\n" in again.stdout, again.stdout
        assert json.loads(run_module("index", "stats", "--json", "--store", str(cache), "--chroma-url",
                                     url).stdout)["articles"] == 7
