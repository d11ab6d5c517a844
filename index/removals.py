"""Which corpus a rebuild syncs with, and the check that keeps a wrong one from emptying the index.

A sync removes the articles its corpus no longer has. Pointed at the wrong folder (the default ./corpus
instead of the one the index was built from, a typo, an unmounted disk) that would delete most of the
index in one click, so a rebuild uses the corpus the index records when none is given, refuses a path
that does not exist, and refuses to remove more than REMOVAL_SHARE of the indexed articles unless told to.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from index.errors import CorpusNotFoundError, NoIndexError, RemovalRefusedError
from index.record import corpus_to_use, recorded_corpus
from index.settings import DEFAULT_CORPUS, ENV_VARS, Settings
from index.store import open_store
from index.text import counted

REMOVAL_SHARE = 0.2  # a rebuild that would remove more than this share of the indexed articles must be confirmed


def resolve_corpus(settings: Settings) -> Path:
    """The corpus to sync with: `settings.corpus`, else the one the index records, else ./corpus; it must exist."""
    metadata: Mapping[str, Any] | None = None
    if settings.corpus is None:
        try:
            active = open_store(Path(settings.store), settings.chroma_url).active()
            metadata = active.metadata if active is not None else None
        except NoIndexError:
            metadata = None
    corpus = corpus_to_use(settings.corpus, metadata)
    if not corpus.exists():
        raise CorpusNotFoundError(_missing(corpus, settings.corpus is not None, recorded_corpus(metadata) is not None))
    return corpus


def _missing(corpus: Path, given: bool, recorded: bool) -> str:
    flag = f"pass --corpus (or set {ENV_VARS['corpus']}) a folder or file of articles"
    if given:
        return f"the corpus {corpus} does not exist — {flag}"
    if recorded:
        return f"the corpus the index was built from, {corpus}, does not exist any more — {flag} to sync with"
    return f"there is no {DEFAULT_CORPUS}/ folder in {Path.cwd()} — {flag}"


def check_removals(
    removed: int, indexed: int, found: int, corpus: Path, metadata: Mapping[str, Any] | None
) -> None:
    """Refuse a rebuild that would remove more than REMOVAL_SHARE of the `indexed` articles, saying how many and why."""
    if removed <= REMOVAL_SHARE * indexed:
        return
    recorded = recorded_corpus(metadata)
    same = recorded is not None and _same(recorded, corpus)
    source = "it" if same else str(recorded) if recorded is not None else "a corpus it does not record"
    reason = (
        f"{corpus} has {counted(found, 'article')}; the index has {indexed} from {source}: this "
        f"rebuild would remove {removed} of them"
    )
    if same:
        advice = "pass --allow-removals if those articles were deleted on purpose"
    elif recorded is not None:
        advice = (f"pass --corpus {recorded} to sync with the corpus the index was built from, or --allow-removals "
                  "to remove them")
    else:
        advice = "pass --corpus with the folder it was built from, or --allow-removals to remove them"
    raise RemovalRefusedError(f"{reason} — {advice}", removed=removed, indexed=indexed, found=found, reason=reason)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
