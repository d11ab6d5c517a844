"""What app.py says while it starts on a store with no index: a short first build is two lines, a long one
shows its stages as it goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.web import server
from index.settings import Settings
from tests.conftest import FIXTURE_CORPUS


def _start(tmp_path: Path) -> list[str]:
    said: list[str] = []
    server.prepare_app(Settings(corpus=FIXTURE_CORPUS, store=tmp_path / "store"), say=said.append)
    return said


def test_a_short_first_build_says_what_it_did_in_two_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    said = _start(tmp_path)
    assert said[0] == f"no index at {tmp_path / 'store'} yet: building it from {FIXTURE_CORPUS} …"
    assert said[1].startswith("indexed 7 articles → 7 chunks in ") and len(said) == 2
    assert capsys.readouterr().err == ""  # no progress lines for a build of a second


def test_a_long_first_build_shows_its_stages(
    tmp_path: Path, monkeypatch: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(server, "QUIET_BUILD_S", 0.0)  # as if the build had run for a while already
    _start(tmp_path)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "reading    0/5"  # files
    assert any(line.startswith("embedding  7/7 done in ") for line in lines)
