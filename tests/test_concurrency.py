"""One engine shared by concurrent sessions (as the web chat shares it): same answers as one at a time, and a
snapshot switch (what a finished rebuild does) while questions are answered breaks none of them."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from bot.engine import ChatEngine
from index.embedding import Embedder
from index.rebuild import RebuildReport
from index.settings import Settings

QUESTIONS = [
    "How much did the Harbor Bridge repair cost?",
    "Who won the hockey championship?",
    "How much ice did Swiss glaciers lose in 2023?",
    "Who set a course record at the Melbourne Marathon?",
    "How long does the phone battery last?",
    "Who beat the world champion in Oslo?",
] * 2


def _summary(engine: ChatEngine, question: str) -> tuple[str, list[str]]:
    answer = engine.answer(question)
    return answer.text, [c.chunk.id for c in answer.citations]


def test_concurrent_answers_equal_sequential_ones(
    fixture_index: tuple[Settings, RebuildReport], embedder: Embedder
) -> None:
    engine = ChatEngine(fixture_index[0], embedder)
    alone = [_summary(engine, q) for q in QUESTIONS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda q: _summary(engine, q), QUESTIONS))
    assert together == alone


def test_a_snapshot_switch_while_answering_breaks_no_answer(
    fixture_index: tuple[Settings, RebuildReport], embedder: Embedder
) -> None:
    engine = ChatEngine(fixture_index[0], embedder)
    expected = {q: _summary(engine, q) for q in QUESTIONS}
    stop = threading.Event()

    def switch() -> None:
        while not stop.is_set():
            engine.retriever._load()  # a new snapshot object, as after a rebuild

    switcher = threading.Thread(target=switch)
    switcher.start()
    try:
        with ThreadPoolExecutor(max_workers=3) as pool:
            got = dict(zip(QUESTIONS, pool.map(lambda q: _summary(engine, q), QUESTIONS)))
    finally:
        stop.set()
        switcher.join()
    assert got == expected
