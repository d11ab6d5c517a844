"""The web app's long-lived state: the engine (None until an index exists), the corpus profile, example questions."""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.engine import ChatEngine
from bot.retrieval.filters import Filters
from bot.types import Answer
from bot.views.examples import ExampleQuestion, answerable_by, example_questions
from bot.views.scope import CorpusProfile, profile_fields
from bot.web import render
from bot.web.export import ExportFolder, default_export_folder
from bot.web.guards import is_loopback
from bot.web.history import ConversationHistory, history_path
from bot.web.slots import AnswerSlots
from bot.workers import AnswerWorkers
from index.documents import Chunk
from index.embedding import Embedder
from index.errors import NoIndexError
from index.settings import DEFAULT_CORPUS, Settings
from index.text import counted

if TYPE_CHECKING:
    from gradio.components.chatbot import ExampleMessage

ANSWER_WORKERS = 2  # answers computed at once (measured with 1, 2 and 4 on 2 cores: docs/architecture.md)
EXAMPLE_SAMPLE = 8000  # chunks read at start to find example questions (the 609-article index has 6,590)


class ChatApp:
    """What the page needs, loaded once and shared by every session; reloaded after a rebuild."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        engine: ChatEngine | None = None,
        workers: int = ANSWER_WORKERS,
        exports: ExportFolder | None = None,
        history: ConversationHistory | None = None,
        processes: bool = False,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.engine = engine
        self.slots = AnswerSlots(workers)  # answers computed at once, shared by every session
        # With `processes`, answers are computed in worker processes (bot.workers) once they have started, and
        # in this process until then; the engine here serves the views either way.
        self.processes = processes
        self.workers: AnswerWorkers | None = None
        self.exports = exports or ExportFolder(default_export_folder())
        self.history = history or ConversationHistory(history_path(settings))  # saved conversations (history.py)
        self.profile: CorpusProfile | None = None
        self.examples: list[ExampleQuestion] = []
        self.rebuild_lock = threading.Lock()
        self._load_lock = threading.Lock()
        self.load()

    @property
    def rebuild_allowed(self) -> bool:
        """Rebuilding from the page is for local use: only when the chat listens on this machine only."""
        return is_loopback(self.settings.host)

    def load(self) -> None:
        """Open the engine if needed and read the outlets, categories, dates and example questions."""
        with self._load_lock:
            self._load()

    def _load(self) -> None:
        if self.engine is None:
            try:
                self.engine = ChatEngine(self.settings, self.embedder)
            except NoIndexError:
                return
        self.engine.retriever.refresh()
        if self.processes and self.workers is None:
            self.workers = AnswerWorkers(self.settings, self.slots.workers, say=lambda m: print(m, flush=True))
        self.profile = profile_fields(self.engine.retriever.chunk_fields)
        # Example questions need chunk text; a bounded sample keeps start-up flat however large the index grows.
        chunks = [s.chunk for s in itertools.islice(self.engine.retriever.collection.iter_all(), EXAMPLE_SAMPLE)]
        self.examples = example_questions(chunks, answerable=answerable_by(self.engine))

    def stream_answer(
        self, question: str, history: Sequence[tuple[str, str]], filters: Filters | None
    ) -> Iterator[Answer]:
        """The engine's stream_answer, computed by an idle worker process when there is one, else here."""
        assert self.engine is not None, "stream_answer needs an index (load() found none)"
        worker = self.workers.take() if self.workers is not None else None
        if worker is None or self.workers is None:
            yield from self.engine.stream_answer(question, history, filters=filters)
        else:
            yield from self.workers.stream(worker, question, history, filters)

    def close(self) -> None:
        """Stop the worker processes, if any."""
        if self.workers is not None:
            self.workers.close()

    def corpus(self) -> Path:
        """The corpus a rebuild reads: the one given at start, else the one the index records, else ./corpus."""
        if self.settings.corpus is not None or self.engine is None:
            return self.settings.corpus or DEFAULT_CORPUS
        return Path(self.engine.retriever.store.info().corpus or DEFAULT_CORPUS)

    def passages(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Passages by chunk id from the index (ids no longer in it are left out)."""
        if self.engine is None or not ids:
            return {}
        return {chunk.id: chunk for chunk in self.engine.retriever.collection.get(list(dict.fromkeys(ids)))}

    def status_markdown(self) -> str:
        """Index status: articles, chunks, last rebuild, embedding model, corpus."""
        if self.engine is None:
            return f"**No index yet.** Click **Rebuild index** to index the articles in {self.corpus()}."
        info = self.engine.retriever.store.info()
        built = info.built_at
        with contextlib.suppress(ValueError):
            built = datetime.fromisoformat(built).strftime("%d %b %Y, %H:%M UTC")
        outlets = len(self.profile.outlets) if self.profile else 0
        return (
            f"**{counted(info.articles, 'article')}** from {counted(outlets, 'outlet')}, "
            f"**{counted(info.chunks, 'passage')}**  \n"
            f"Last rebuild: {built}  \nEmbedding model: {info.embedding_model}  \n"
            f"Corpus: {self.corpus()}  \nIndex: {info.location}"
        )

    def outlet_choices(self) -> list[str]:
        """The outlets of the index, for the filter."""
        return list(self.profile.outlets) if self.profile else []

    def category_choices(self) -> list[str]:
        """The categories of the index, for the filter."""
        return list(self.profile.categories) if self.profile else []

    def example_messages(self) -> list[ExampleMessage]:
        """The example questions as the Chatbot offers them."""
        return [{"text": q.text} for q in self.examples]

    def placeholder(self) -> str:
        """What the empty chat says (above the example questions)."""
        return render.placeholder(indexed=self.engine is not None, with_examples=bool(self.examples))
