"""The chat engine: load the model and index once, then answer questions with citations."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bot.answering import stream_extractive_answer
from bot.retrieval import Filters, Retriever
from bot.types import Answer
from index.embedding import Embedder, load_embedder
from index.settings import Settings
from index.store import Store


class ChatEngine:
    """Everything an answer needs, loaded once per process and shared by every message."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, store: Store | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or load_embedder(settings.embed_model)
        self.retriever = Retriever(settings, self.embedder, store)

    def stream_answer(
        self,
        question: str,
        history: Sequence[tuple[str, str]] = (),
        filters: Filters | None = None,
        k: int | None = None,
    ) -> Iterator[Answer]:
        """Yield the answer as it grows; the last one yielded is complete (`done=True`)."""
        question = question.strip()
        hits = self.retriever.retrieve(question, k or self.settings.top_k, filters)
        yield from stream_extractive_answer(question, hits, self.embedder)

    def answer(self, question: str, filters: Filters | None = None, k: int | None = None) -> Answer:
        """The complete answer to one question."""
        *_, final = self.stream_answer(question, filters=filters, k=k)
        return final
