"""Retrieval, cited answers and the chat engine over the news index."""

from index import offline as _offline  # noqa: F401  (keep every library offline before it is imported)
