"""index.offline: the process environment set before any library loads (offline, and numpy's thread pool)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Imports the product first, as every entry point does, then reports numpy's BLAS pools and two offline switches.
PROBE = (
    "import index, numpy, os, json; from threadpoolctl import threadpool_info; "
    "print(json.dumps({'blas': [p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'], "
    "'hub': os.environ['HF_HUB_OFFLINE'], 'analytics': os.environ['GRADIO_ANALYTICS_ENABLED']}))"
)


def _probe(**extra: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k not in {"OPENBLAS_NUM_THREADS", "HF_HUB_OFFLINE"}}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=env | extra, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_numpy_runs_one_blas_thread_and_libraries_stay_offline() -> None:
    assert _probe() == {"blas": [1], "hub": "1", "analytics": "False"}


def test_a_blas_thread_count_the_user_set_is_kept() -> None:
    assert _probe(OPENBLAS_NUM_THREADS="2") == {"blas": [2], "hub": "1", "analytics": "False"}


def test_gradio_keeps_few_event_records_and_summarises_them_rarely() -> None:
    probe = ("import index, json, gradio; q = gradio.Blocks().queue()._queue; "
             "print(json.dumps([q.ANALYTICS_MAX_EVENTS, q.ANAYLTICS_CACHE_FREQUENCY]))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADIO_ANALYTICS_")}
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [100, 1000]
