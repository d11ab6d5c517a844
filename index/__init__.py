"""Corpus → chunks → embeddings → Chroma: everything that builds and reads the index."""

from index import offline as _offline  # noqa: F401  (must run before chromadb/transformers import)
