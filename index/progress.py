"""The progress callbacks of long jobs (rebuilds, loading, embedding), one name per signature."""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[str, int, int], None]  # (stage, done, total): a job of several stages, as rebuild_index reports
CountProgressFn = Callable[[int, int], None]  # (done, total) within one stage, as load_articles reports
AdvanceFn = Callable[[int], None]  # (n): n more items done, as the embedder reports after each batch
