"""Gap test for issue 16 ("What we measured"): `app.py` over a store with garbage in the middle, including the
exact "Failed to pull logs from the log store" case, exits 1 with one line (not a traceback) and never says ready.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.embedding import Embedder
from index.rebuild import rebuild_index
from index.settings import Settings
from tests.conftest import ROOT, free_port
from tests.fault_helpers import error_line, fixture_copy
from tests.test_faults_store import DAMAGE


@pytest.mark.parametrize("damage", ["garbage-in-the-middle", "garbage-in-the-log"])
def test_app_py_over_garbage_in_the_store_exits_with_the_message(
    tmp_path: Path, embedder: Embedder, damage: str
) -> None:
    settings = Settings(corpus=fixture_copy(tmp_path), store=tmp_path / "store")
    rebuild_index(settings, embedder)
    harm, detail = DAMAGE[damage]
    harm(settings.store / "chroma.sqlite3")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "OPENAI_"))}
    result = subprocess.run([sys.executable, str(ROOT / "app.py"), "--store", str(settings.store), "--port",
                             str(free_port())], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
                            check=False)
    line = error_line(result.stderr)
    assert result.returncode == 1 and "chat ready" not in result.stdout
    assert line.startswith(f"error: the index at {settings.store} is damaged (") and detail in line, line
    assert line.endswith(f"— delete the folder {settings.store}, then rebuild it with `python -m index rebuild "
                         f"--store {settings.store} --corpus {settings.corpus}`"), line
