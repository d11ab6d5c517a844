"""Multi-turn chat: follow-ups rewritten into standalone questions, with and without an LLM."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.answering.rewrite import is_follow_up, rewrite_question
from bot.engine import ChatEngine
from bot.types import EXTRACTIVE, GENERATED
from index.embedding import Embedder
from index.rebuild import RebuildReport
from index.settings import Settings
from tests.fake_llm import FakeLLM, Reply, passage_number, user_message

PIONTKOVSKY = ("What did Piontkovsky predict about Putin?", "Piontkovsky said Putin would lose power [1].")
HOCKEY = ("Who won the hockey championship?", "The Riverton Rockets won the national hockey championship [1].")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("And what did the Kremlin say?", True),
        ("when was that?", True),
        ("What did he say about NATO?", True),
        ("What about the coach?", True),
        ("Who won the hockey championship?", False),
        ("What did the company that built the bridge say?", False),
        ("How much did the Harbor Bridge repair cost?", False),
    ],
)
def test_follow_up_detection(question: str, expected: bool) -> None:
    assert is_follow_up(question) is expected


@pytest.mark.parametrize(
    ("history", "question", "expected"),
    [
        ([PIONTKOVSKY], "And what did the Kremlin say?", "What did the Kremlin say? (Piontkovsky, Putin)"),
        ([PIONTKOVSKY], "when was that?", "When was that? (Piontkovsky, Putin, predict)"),
        # Names come from the answer when the earlier question had none.
        ([HOCKEY], "Who was their coach?", "Who was their coach? (Riverton Rockets)"),
        # The answer's first sentence is Punkt's: "U.S." does not end it.
        ([("Who resigned?", "The U.S. team lost to Japan and coach Emma Hayes resigned [1]. Fans left.")],
         "Why did she go?", "Why did she go? (U.S, Japan, Emma Hayes)"),
        # A follow-up of a follow-up carries what the earlier one carried.
        ([PIONTKOVSKY, ("And what did the Kremlin say?", "")], "when was that?",
         "When was that? (Kremlin, Piontkovsky, Putin, say)"),
        ([("What is Sam Bankman-Fried accused of?", "")], "When did his trial start?",
         "When did his trial start? (Sam Bankman-Fried)"),
        ([PIONTKOVSKY], "Who won the hockey championship?", "Who won the hockey championship?"),
        ([], "What did he say?", "What did he say?"),
    ],
)
def test_context_is_carried_without_an_llm(history: list[tuple[str, str]], question: str, expected: str) -> None:
    rewrite = rewrite_question(question, history)
    assert rewrite.question == expected
    assert rewrite.changed is (expected != question)
    assert rewrite.method == ("carried" if rewrite.changed else "unchanged")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLM]:
    server = FakeLLM()
    yield server
    server.close()


def test_follow_up_without_llm_finds_the_earlier_topic(
    fixture_index: tuple[Settings, RebuildReport], embedder: Embedder
) -> None:
    engine = ChatEngine(fixture_index[0], embedder)
    first = engine.answer("What did the Harbor Bridge repair cost?")
    history = [("What did the Harbor Bridge repair cost?", first.text)]
    follow_up = engine.answer("Who called for an audit of it?", history=history)
    assert follow_up.question == "Who called for an audit of it?"
    assert follow_up.standalone_question == "Who called for an audit of it? (Harbor Bridge)"
    assert follow_up.to_json()["standalone_question"] == "Who called for an audit of it? (Harbor Bridge)"
    assert follow_up.mode == EXTRACTIVE
    assert any("Councillor Amir Haddad called for an independent audit" in c.quote for c in follow_up.citations)
    assert all(s.supported for s in follow_up.sentences)


def test_standalone_question_is_left_alone(fixture_index: tuple[Settings, RebuildReport], embedder: Embedder) -> None:
    engine = ChatEngine(fixture_index[0], embedder)
    answer = engine.answer("Who won the hockey championship?", history=[("What did the glacier study find?", "…")])
    assert answer.standalone_question is None
    assert answer.citations[0].chunk.title == "Riverton Rockets win the championship"


def test_llm_rewrites_the_follow_up_before_retrieval(
    fixture_index: tuple[Settings, RebuildReport], embedder: Embedder, fake: FakeLLM
) -> None:
    settings = fixture_index[0].with_overrides(llm_base_url=fake.url, llm_timeout=5.0)
    engine = ChatEngine(settings, embedder)
    rewritten = "Who coached the Riverton Rockets to the national hockey championship?"
    fake.script(
        Reply(f"Standalone question: {rewritten}"),
        Reply(lambda r: "Coach Helen Marsh said the team had played for everyone who waited 25 years "
                        f"[{passage_number(r, 'Riverton Rockets win the championship')}]."),
    )
    answer = engine.answer("Who was their coach?", history=[HOCKEY])
    rewrite_request, answer_request = fake.requests
    assert rewrite_request["stream"] is False
    assert user_message(rewrite_request) == (
        "Conversation:\nUser: Who won the hockey championship?\n"
        "Assistant: The Riverton Rockets won the national hockey championship.\n\n"
        "Last question: Who was their coach?\n\nStandalone question:"
    )
    assert user_message(answer_request).endswith(f"Question: {rewritten}")
    assert answer.standalone_question == rewritten
    assert answer.mode == GENERATED
    assert [(s.supported, s.note) for s in answer.sentences] == [(True, "")]


def test_failed_llm_rewrite_carries_context_and_skips_generation(
    fixture_index: tuple[Settings, RebuildReport], embedder: Embedder, fake: FakeLLM
) -> None:
    settings = fixture_index[0].with_overrides(llm_base_url=fake.url, llm_timeout=5.0)
    engine = ChatEngine(settings, embedder)
    fake.script(Reply(status=401, error="Incorrect API key provided"))
    answer = engine.answer("Who was their coach?", history=[HOCKEY])
    assert len(fake.requests) == 1  # the failing server is not asked a second time for the answer
    assert answer.standalone_question == "Who was their coach? (Riverton Rockets)"
    assert answer.mode == EXTRACTIVE
    assert answer.notes == [
        "Extractive answer (verbatim sentences from the passages) because the language model failed: the LLM "
        f"server at {fake.url} rejected the API key (HTTP 401: Incorrect API key provided): set a valid "
        "OPENAI_API_KEY / --llm-api-key"
    ]
    assert answer.citations[0].chunk.title == "Riverton Rockets win the championship"
