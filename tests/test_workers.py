"""Answer worker processes (bot.workers): same answers as in-process, errors by type, a stopped worker replaced,
an answer left early, a rebuild followed, and the web app routing its answers to them."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine import MAX_QUESTION_CHARS, ChatEngine
from bot.errors import AnswerWorkerError, QuestionTooLongError
from bot.types import Answer
from bot.web.chat_app import ChatApp
from bot.workers import AnswerWorkers
from index.embedding import Embedder
from index.rebuild import rebuild_index
from index.settings import Settings
from tests.conftest import FIXTURE_CORPUS

START_S = 120  # a worker loads the model and the index: seconds here, more on a busy CI machine
GLACIERS = "How much ice did Swiss glaciers lose in 2023?"


@pytest.fixture(scope="module")
def own_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """An index of a copy of the fixture corpus (a test adds an article to it)."""
    base = tmp_path_factory.mktemp("workers")
    shutil.copytree(FIXTURE_CORPUS, base / "corpus")
    settings = Settings(corpus=base / "corpus", store=base / "index")
    rebuild_index(settings, embedder)
    return settings


@pytest.fixture(scope="module")
def workers(own_index: Settings) -> Iterator[AnswerWorkers]:
    pool = AnswerWorkers(own_index, 1)
    assert pool.wait_ready(START_S), "the answer worker did not start"
    yield pool
    pool.close()


def ask(pool: AnswerWorkers, question: str) -> list[Answer]:
    worker = pool.take()
    assert worker is not None, "no idle worker"
    return list(pool.stream(worker, question))


def test_a_worker_answers_as_this_process_does(workers: AnswerWorkers, own_index: Settings,
                                               embedder: Embedder) -> None:
    here = ChatEngine(own_index, embedder).answer(GLACIERS)
    there = ask(workers, GLACIERS)
    assert there[-1].done and not any(a.done for a in there[:-1])
    assert there[-1].text == here.text and "four percent" in there[-1].text
    assert [(c.n, c.chunk.id, c.quote) for c in there[-1].citations] == [
        (c.n, c.chunk.id, c.quote) for c in here.citations]
    assert workers.ready() == 1


def test_an_error_comes_back_with_its_type_and_the_worker_stays(workers: AnswerWorkers) -> None:
    with pytest.raises(QuestionTooLongError, match=f"at most {MAX_QUESTION_CHARS:,} characters"):
        ask(workers, "why " * MAX_QUESTION_CHARS)
    assert workers.ready() == 1
    assert ask(workers, GLACIERS)[-1].question == GLACIERS


def test_an_answer_left_early_frees_the_worker_for_the_next_question(workers: AnswerWorkers) -> None:
    worker = workers.take()
    assert worker is not None
    stream = workers.stream(worker, GLACIERS)
    next(stream)
    stream.close()  # the user left: the rest is read off in the background, then the worker is idle again
    assert workers.wait_ready(30)
    other = "Who won the chess championship?"
    assert ask(workers, other)[-1].question == other  # not what was left of the first answer


def test_a_stopped_worker_says_ask_again_and_is_replaced(workers: AnswerWorkers) -> None:
    worker = workers.take()
    assert worker is not None
    worker.proc.kill()
    worker.proc.wait()
    with pytest.raises(AnswerWorkerError, match=r"stopped \(exit code -9\); ask again — a new one is starting"):
        list(workers.stream(worker, GLACIERS))
    assert workers.wait_ready(START_S), "no new worker started"
    assert workers.pids() != [worker.proc.pid]
    assert ask(workers, GLACIERS)[-1].done


def test_a_worker_answers_from_the_index_a_rebuild_made(workers: AnswerWorkers, own_index: Settings,
                                                        embedder: Embedder) -> None:
    question = "Why did the ferry workers of Port Elling strike?"
    before = ask(workers, question)[-1]
    assert not any("ferry" in c.chunk.title.lower() for c in before.citations)
    assert own_index.corpus is not None
    (own_index.corpus / "ferry.txt").write_text(
        "Ferry workers strike in Port Elling\n\nFerry workers in Port Elling went on strike on Monday over "
        "unpaid overtime, the union said. The strike stopped every crossing to the islands.\n", encoding="utf-8")
    rebuild_index(own_index, embedder)  # in this process, as the page's Library tab does
    after = ask(workers, question)[-1]
    assert after.citations and after.citations[0].chunk.title == "Ferry workers strike in Port Elling"
    assert "unpaid overtime" in after.text


def test_questions_asked_while_this_process_rebuilds_are_all_answered(
    workers: AnswerWorkers, own_index: Settings, embedder: Embedder
) -> None:
    done: list[bool] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            try:
                done.append(ask(workers, GLACIERS)[-1].done)
            except Exception as exc:  # any failure fails the test below, with what it was
                failures.append(exc)

    asking = threading.Thread(target=keep_asking)
    asking.start()
    try:
        rebuild_index(own_index, embedder, full=True)  # a new snapshot written beside the one being read
    finally:
        stop.set()
        asking.join()
    assert failures == [] and len(done) >= 2 and all(done)


def test_the_app_computes_answers_in_its_workers(own_index: Settings, embedder: Embedder,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    app = ChatApp(own_index, embedder, workers=1, processes=True)
    try:
        assert app.workers is not None and app.workers.wait_ready(START_S)
        assert app.engine is not None

        def not_here(*args: object, **kwargs: object) -> Iterator[Answer]:
            raise AssertionError("answered in the server's process")

        monkeypatch.setattr(app.engine, "stream_answer", not_here)
        answer = list(app.stream_answer(GLACIERS, [], None))[-1]
        assert answer.done and "four percent" in answer.text
        pids = app.workers.pids()
    finally:
        app.close()
    assert len(pids) == 1 and app.workers.pids() == []
    assert not Path(f"/proc/{pids[0]}").exists()  # stopped, not left behind
