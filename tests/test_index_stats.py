"""`python -m index stats`: what the index covers (outlets, categories, dates) besides the counts."""

from __future__ import annotations

import json

from index.cli import _profile_lines
from index.rebuild import RebuildReport
from index.record import IndexProfile
from index.settings import Settings
from tests.conftest import FIXTURE_CORPUS
from tests.conftest import run_module as run


def test_stats_of_the_fixture_corpus(fixture_index: tuple[Settings, RebuildReport]) -> None:
    settings, _ = fixture_index
    text = run("index", "stats", "--store", str(settings.store))
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[2:9] == [
        f"corpus:          {FIXTURE_CORPUS}",
        "articles:        7",
        "chunks:          7",
        "outlets:         6: Board Gazette (1), Coastal Courier (1), Sporting News (1), TechCrunch (1), The Age (1),",
        "                 The Verge (1)",
        "categories:      3: sports (2), technology (2), local (1)",
        "published:       2023-10-04 to 2023-12-02",
    ]
    info = json.loads(run("index", "stats", "--store", str(settings.store), "--json").stdout)
    assert info["profile"] == {
        "outlets": {"Board Gazette": 1, "Coastal Courier": 1, "Sporting News": 1, "TechCrunch": 1, "The Age": 1,
                    "The Verge": 1},
        "categories": {"local": 1, "sports": 2, "technology": 2},
        "first": "2023-10-04", "last": "2023-12-02",
    }


def test_every_outlet_is_listed_largest_first_and_names_are_never_split() -> None:
    outlets = {f"Outlet Number {i:02d}": i for i in range(1, 13)}
    lines = _profile_lines(IndexProfile(outlets=outlets, categories={}, first=None, last=None))
    assert lines == [
        "outlets:         12: Outlet Number 12 (12), Outlet Number 11 (11), Outlet Number 10 (10),",
        "                 Outlet Number 09 (9), Outlet Number 08 (8), Outlet Number 07 (7), Outlet Number 06 (6),",
        "                 Outlet Number 05 (5), Outlet Number 04 (4), Outlet Number 03 (3), Outlet Number 02 (2),",
        "                 Outlet Number 01 (1)",
        "categories:      none recorded",
        "published:       no dates recorded",
    ]
    assert all(len(line) <= 110 for line in lines)
    assert _profile_lines(None) == ["outlets:         not recorded (built by an older version)"]
