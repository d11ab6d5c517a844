"""Force offline, telemetry-free behaviour before any third-party library is imported."""

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


def enforce_offline() -> None:
    """Set the environment variables that keep every library off the network."""
    for key, value in _OFFLINE_ENV.items():
        os.environ[key] = value


enforce_offline()
