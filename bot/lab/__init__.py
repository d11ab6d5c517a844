"""Tooling, never imported by the product: evaluation harnesses, ranker training, benchmarks."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]  # the checkout: tools run commands from here
SHARED_DATA = REPO.parent / "shared" / "data"  # the development data sets, beside the checkout, never inside it
