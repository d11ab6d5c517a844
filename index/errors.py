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
