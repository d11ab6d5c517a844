"""The process environment, set before any third-party library is imported: offline, telemetry-free, lean."""

from __future__ import annotations

import os

# Set in code (not only documented) because these libraries read them at import time.
_OFFLINE_ENV = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}
# numpy's OpenBLAS otherwise starts a thread per core whose workers keep spinning after each of the small products
# here (a question against a few hundred vectors): measured on 2 cores, an answer took 391 ms of CPU instead of 269
# (and 220 ms of wall time instead of 206), and two answers at once served 5.6 questions/s instead of 7.3. ONNX
# Runtime keeps its own threads for the model. A value the user set is kept.
# Gradio records every event for its monitoring page (which this app does not serve) and, after each event,
# summarises up to 10,000 such records with pandas: 6 ms of CPU per event and ~6 MB once a server has answered
# 5,000 questions. A hundred records, summarised every thousand events, keep both flat.
_RESOURCE_ENV = {"OPENBLAS_NUM_THREADS": "1", "GRADIO_ANALYTICS_MAX_EVENTS": "100",
                 "GRADIO_ANALYTICS_CACHE_FREQUENCY": "1000"}


def enforce_offline() -> None:
    """Set the environment variables that keep every library off the network and bound its threads and records."""
    for key, value in _OFFLINE_ENV.items():
        os.environ[key] = value
    for key, value in _RESOURCE_ENV.items():
        os.environ.setdefault(key, value)


enforce_offline()
