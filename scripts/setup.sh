#!/usr/bin/env bash
# Create .venv and install the project from pyproject.toml (re-runs only when pyproject.toml or EXTRAS change).
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh dev  (tests), scripts/setup.sh torch  (PyTorch embedder)
# pip's own output goes to .venv/pip.log and is shown only when the install fails.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$python" -m venv .venv
fi
stamp=".venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)${extras:+-$extras}"
if [ ! -f "$stamp" ]; then
  echo "setup: installing newsbot${extras:+[$extras]} into .venv (a minute or two the first time; log: .venv/pip.log)"
  start=$SECONDS
  if ! .venv/bin/pip install --disable-pip-version-check --no-input -e ".${extras:+[$extras]}" >.venv/pip.log 2>&1; then
    tail -n 25 .venv/pip.log >&2
    echo "setup: pip failed (the lines above are the end of .venv/pip.log)" >&2
    exit 1
  fi
  rm -f .venv/.installed-*
  touch "$stamp"
  echo "setup: installed in $((SECONDS - start)) s ($(du -sh .venv | cut -f1) in .venv)"
fi
