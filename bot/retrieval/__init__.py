"""Retrieval: question planning, filters, dense and BM25 lanes, fusion, the learned ranker."""
