#!/usr/bin/env bash
# Set everything up and open the web chat on http://127.0.0.1:7860 (the index is built on first run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python app.py "$@"
