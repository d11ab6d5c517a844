"""Domain exceptions of the index layer; the CLI and UI turn them into messages."""

from __future__ import annotations


class IndexLayerError(Exception):
    """Base class: the message always says what the user should do."""


class NoIndexError(IndexLayerError):
    """There is no index at the configured store."""


class ModelMismatchError(IndexLayerError):
    """The index was built with another embedding model than the one configured."""


class NothingToIndexError(IndexLayerError):
    """The corpus holds no usable article."""


class StoreError(IndexLayerError):
    """The store cannot be opened, read or written."""


class RebuildBusyError(IndexLayerError):
    """Another rebuild holds the store's lock."""


class EmbeddingModelError(IndexLayerError):
    """The embedding model cannot be loaded."""


class StoreUnreachableError(StoreError):
    """The Chroma server does not answer (not started, stopped, or the URL is wrong)."""


class DamagedStoreError(StoreError):
    """Chroma's files (or one of the index's side files) cannot be read back: a rebuild or a delete is needed."""


class DiskFullError(StoreError):
    """The disk holding the index filled up while it was written."""


class CorpusNotFoundError(IndexLayerError):
    """The corpus path does not exist."""


class RemovalRefusedError(IndexLayerError):
    """A rebuild would remove more than a fifth of the indexed articles and was not told to."""

    def __init__(self, message: str, *, removed: int, indexed: int, found: int, reason: str) -> None:
        super().__init__(message)
        self.removed = removed
        self.indexed = indexed
        self.found = found
        self.reason = reason  # the message without the command-line advice (the page asks for confirmation)


class DamagedFileError(StoreError):
    """One of a snapshot's side files (BM25 index, sentence vectors) fails its checksum or cannot be parsed."""
