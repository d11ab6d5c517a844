"""Generated answers against a local OpenAI-compatible server playing scripted replies: what the user sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from bot.answering.llm import LLMClient
from bot.engine import ChatEngine
from bot.types import EXTRACTIVE, GENERATED, NOT_COVERED, Answer
from index.embedding import Embedder
from index.rebuild import RebuildReport
from index.settings import Settings
from tests.conftest import ROOT, free_port
from tests.fake_llm import FakeLLM, Reply, Request, passage_number, user_message

QUESTION = "How much did the Harbor Bridge repair cost?"
BRIDGE = "Harbor Bridge reopens after 14-month repair"
HOCKEY = "Riverton Rockets win the championship"
BRIDGE_FIRST = (
    "The Harbor Bridge in Port Elling reopened to traffic on Tuesday after a 14-month repair that cost 82 million "
    "dollars."
)
BRIDGE_BUDGET = "Critics on the city council argued that the repair ran 19 million dollars over budget."
GOOD = "The Harbor Bridge repair cost 82 million dollars [{b}]. It ran 19 million dollars over budget [{b}]."


def good_answer(request: Request) -> str:
    return GOOD.format(b=passage_number(request, BRIDGE))


EXTRACTIVE_TEXT = f"**82 million dollars** [1]\n\n{BRIDGE_FIRST} [1]"  # the offline answer to QUESTION


def fallback_note(reason: str) -> str:
    return f"Extractive answer (verbatim sentences from the passages) because the language model failed: {reason}"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLM]:
    server = FakeLLM()
    yield server
    server.close()


@pytest.fixture
def settings(fixture_index: tuple[Settings, RebuildReport], fake: FakeLLM) -> Settings:
    fake.script()
    return fixture_index[0].with_overrides(llm_base_url=fake.url, llm_timeout=1.0, llm_retries=2)


@pytest.fixture
def engine(settings: Settings, embedder: Embedder) -> ChatEngine:
    return ChatEngine(settings, embedder)


def sentences(answer: Answer) -> list[dict[str, Any]]:
    return [s.to_json() for s in answer.sentences]


def test_correct_citations_are_verified_and_quoted(engine: ChatEngine, fake: FakeLLM) -> None:
    fake.script(Reply(good_answer))
    answer = engine.answer(QUESTION)
    b = passage_number(fake.requests[0], BRIDGE)
    assert answer.mode == GENERATED
    assert answer.text == GOOD.format(b=b)
    assert answer.notes == []
    assert sentences(answer) == [
        {"text": "The Harbor Bridge repair cost 82 million dollars.", "supported": True, "citations": [b],
         "quotes": [BRIDGE_FIRST], "note": "", "lead": False, "source": "",
         "label": f"supported by [{b}]"},
        {"text": "It ran 19 million dollars over budget.", "supported": True, "citations": [b],
         "quotes": [BRIDGE_BUDGET], "note": "", "lead": False, "source": "",
         "label": f"supported by [{b}]"},
    ]
    [citation] = answer.citations
    assert (citation.n, citation.chunk.title, citation.quote) == (b, BRIDGE, BRIDGE_FIRST)
    assert citation.passage[citation.quote_start:citation.quote_end] == citation.quote


def test_a_generated_answer_notes_a_named_outlet_it_does_not_cite(engine: ChatEngine, fake: FakeLLM) -> None:
    fake.script(Reply(good_answer))
    answer = engine.answer("How much did the Harbor Bridge repair cost, according to the Coastal Courier and The Age?")
    assert answer.mode == GENERATED
    assert {c.chunk.outlet for c in answer.citations} == {"Coastal Courier"}
    assert answer.notes == ["The answer cites nothing from The Age, though 1 passage from it was retrieved."]


def test_prompt_numbers_passages_with_outlet_and_date(engine: ChatEngine, fake: FakeLLM) -> None:
    fake.script(Reply(good_answer))
    engine.answer(QUESTION)
    [request] = fake.requests
    assert request["model"] == "gpt-4o-mini" and request["stream"] is True
    prompt = user_message(request)
    b = passage_number(request, BRIDGE)
    assert f"[{b}] {BRIDGE} (Coastal Courier, 2023-10-04)\n{BRIDGE_FIRST}" in prompt
    assert prompt.endswith(f"Question: {QUESTION}")


def test_answer_streams_before_it_is_verified(engine: ChatEngine, fake: FakeLLM) -> None:
    fake.script(Reply(good_answer, piece=5))
    parts = list(engine.stream_answer(QUESTION))
    assert parts[-1].done and not any(p.done for p in parts[:-1])
    partial = [p.text for p in parts[:-1]]
    assert len(partial) > 10
    assert all(partial[i + 1].startswith(partial[i]) for i in range(len(partial) - 1))
    assert all(p.sentences == [] for p in parts[:-1])
    assert parts[-1].text == partial[-1] and all(s.supported for s in parts[-1].sentences)


def test_sentence_citing_a_passage_that_does_not_support_it(engine: ChatEngine, fake: FakeLLM) -> None:
    fake.script(Reply(lambda r: f"The bridge reopened on Tuesday [{passage_number(r, BRIDGE)}]. "
                                f"The club celebrated its first title in decades [{passage_number(r, BRIDGE)}]."))
    answer = engine.answer(QUESTION)
    b = passage_number(fake.requests[0], BRIDGE)
    assert [(s["text"], s["supported"], s["citations"], s["note"]) for s in sentences(answer)] == [
        ("The bridge reopened on Tuesday.", True, [b], ""),
        ("The club celebrated its first title in decades.", False, [b], f"the cited passages [{b}] do not say this"),
    ]
    assert answer.notes == ["1 of 2 sentences are not supported by the passages they cite and are flagged."]


def test_wrong_number_is_unsupported(engine: ChatEngine, fake: FakeLLM) -> None:
    fake.script(Reply(lambda r: f"The repair cost 95 million dollars [{passage_number(r, BRIDGE)}]."))
    answer = engine.answer(QUESTION)
    b = passage_number(fake.requests[0], BRIDGE)
    [sentence] = sentences(answer)
    assert sentence["supported"] is False
    assert sentence["note"] == f"“95” appears in none of the cited passages [{b}]"
    assert answer.text == f"The repair cost 95 million dollars [{b}]."
    assert answer.notes == ["1 of 1 sentences are not supported by the passages they cite and are flagged."]


def test_out_of_range_markers_are_dropped_with_a_note(engine: ChatEngine, fake: FakeLLM) -> None:
    fake.script(Reply(lambda r: f"The bridge reopened on Tuesday [{passage_number(r, BRIDGE)}, 9]. "
                                "Councillor Amir Haddad called for an audit [12]."))
    answer = engine.answer(QUESTION)
    b = passage_number(fake.requests[0], BRIDGE)
    assert answer.text == f"The bridge reopened on Tuesday [{b}]. Councillor Amir Haddad called for an audit."
    assert [(s["citations"], s["supported"], s["note"]) for s in sentences(answer)] == [
        ([b], True, ""),
        ([], False, "cites no passage"),
    ]
    assert answer.notes == [
        "Removed citation [9], [12]: the answer cited a passage that does not exist (it was given passages "
        "[1]–[7]).",
        "1 of 2 sentences are not supported by the passages they cite and are flagged.",
    ]


def test_rate_limit_then_success_backs_off_exponentially(settings: Settings, embedder: Embedder,
                                                         fake: FakeLLM) -> None:
    waits: list[float] = []
    engine = ChatEngine(settings, embedder, llm=LLMClient(settings, sleep=waits.append))
    fake.script(Reply(status=429, error="Rate limit reached"), Reply(status=503, error="overloaded"),
                Reply(good_answer))
    answer = engine.answer(QUESTION)
    assert len(fake.requests) == 3 and waits == [0.5, 1.0]
    assert answer.mode == GENERATED and answer.notes == [] and all(s.supported for s in answer.sentences)


def test_retry_after_header_is_honoured(settings: Settings, embedder: Embedder, fake: FakeLLM) -> None:
    waits: list[float] = []
    engine = ChatEngine(settings, embedder, llm=LLMClient(settings, sleep=waits.append))
    fake.script(Reply(status=429, error="slow down", headers={"Retry-After": "2"}), Reply(good_answer))
    assert engine.answer(QUESTION).mode == GENERATED
    assert waits == [2.0]


def test_rate_limit_that_persists_falls_back(settings: Settings, embedder: Embedder, fake: FakeLLM) -> None:
    waits: list[float] = []
    engine = ChatEngine(settings, embedder, llm=LLMClient(settings, sleep=waits.append))
    fake.script(*[Reply(status=429, error="Rate limit reached")] * 3)
    answer = engine.answer(QUESTION)
    assert len(fake.requests) == 3 and waits == [0.5, 1.0]
    assert answer.mode == EXTRACTIVE
    assert answer.notes == [fallback_note(
        f"the LLM server at {fake.url} is rate-limiting requests (HTTP 429 after 3 attempts: Rate limit reached): "
        "wait a minute and ask again"
    )]


def test_bad_api_key_falls_back_to_the_extractive_answer(engine: ChatEngine, fake: FakeLLM) -> None:
    fake.script(Reply(status=401, error="Incorrect API key provided"))
    answer = engine.answer(QUESTION)
    assert len(fake.requests) == 1  # a 401 is not retried
    assert answer.mode == EXTRACTIVE
    assert answer.notes == [fallback_note(
        f"the LLM server at {fake.url} rejected the API key (HTTP 401: Incorrect API key provided): set a valid "
        "OPENAI_API_KEY / --llm-api-key"
    )]
    assert answer.text == EXTRACTIVE_TEXT
    assert sentences(answer) == [
        {"text": "82 million dollars", "supported": True, "citations": [1], "quotes": ["82 million dollars"],
         "note": "", "lead": True, "source": "", "label": "quoted"},
        {"text": BRIDGE_FIRST, "supported": True, "citations": [1], "quotes": [BRIDGE_FIRST], "note": "",
         "lead": False, "source": "", "label": "quoted"},
    ]


def test_unknown_model_says_which(engine: ChatEngine, fake: FakeLLM) -> None:
    fake.script(Reply(status=404, error="The model `gpt-4o-mini` does not exist."))
    answer = engine.answer(QUESTION)
    assert answer.mode == EXTRACTIVE
    assert answer.notes == [fallback_note(
        f"the LLM server at {fake.url} does not serve model 'gpt-4o-mini' (HTTP 404: The model `gpt-4o-mini` does "
        "not exist.): set BOT_LLM_MODEL / --llm-model to a model it serves, and check the base URL ends in /v1"
    )]


def test_unreachable_server(fixture_index: tuple[Settings, RebuildReport], embedder: Embedder) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    engine = ChatEngine(fixture_index[0].with_overrides(llm_base_url=url, llm_timeout=1.0), embedder)
    answer = engine.answer(QUESTION)
    assert answer.mode == EXTRACTIVE and answer.text == EXTRACTIVE_TEXT
    assert answer.notes == [fallback_note(
        f"cannot reach the LLM server at {url} ([Errno 111] Connection refused): start it or fix OPENAI_BASE_URL "
        "/ --llm-base-url"
    )]


@pytest.mark.parametrize("stall_after", [None, 3], ids=["before-reply", "mid-stream"])
def test_hang_past_the_timeout_falls_back(engine: ChatEngine, fake: FakeLLM, stall_after: int | None) -> None:
    fake.script(Reply(good_answer, hang=30, stall_after=stall_after))
    parts = list(engine.stream_answer(QUESTION))
    final = parts[-1]
    assert len(fake.requests) == 1  # a timeout is not retried
    assert final.mode == EXTRACTIVE and final.text == EXTRACTIVE_TEXT
    assert final.notes == [fallback_note(
        f"the LLM server at {fake.url} did not answer within 1 s: check that it is not overloaded, or raise "
        "BOT_LLM_TIMEOUT / --llm-timeout"
    )]
    if stall_after is not None:
        # The user saw the start of the generated answer before the fallback replaced it.
        assert [p.text for p in parts if p.mode == GENERATED][-1] == GOOD[:21]


def test_no_relevant_passage_never_calls_the_llm(engine: ChatEngine, fake: FakeLLM) -> None:
    fake.script(Reply(good_answer))
    answer = engine.answer("What is the boiling point of mercury?")
    assert fake.requests == []
    assert (answer.mode, answer.text, answer.citations, answer.sentences) == (
        NOT_COVERED, "The indexed articles do not cover this question.", [], []
    )


def test_model_finding_no_answer_says_not_covered(engine: ChatEngine, fake: FakeLLM) -> None:
    fake.script(Reply("NOT COVERED"))
    parts = list(engine.stream_answer(QUESTION))
    assert all("NOT" not in p.text for p in parts)
    assert (parts[-1].mode, parts[-1].text) == (NOT_COVERED, "The indexed articles do not cover this question.")
    assert parts[-1].notes == ["The language model found no answer in the retrieved passages."]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "OPENAI_"))}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", "ask", *args], cwd=ROOT, env=full_env, capture_output=True, text=True,
        timeout=600,
    )


def test_cli_json_with_flags(fixture_index: tuple[Settings, RebuildReport], fake: FakeLLM) -> None:
    fake.script(Reply(lambda r: f"The repair cost 95 million dollars [{passage_number(r, BRIDGE)}]. "
                                f"It ran 19 million dollars over budget [{passage_number(r, BRIDGE)}]."))
    result = run_cli(QUESTION, "--json", "--store", str(fixture_index[0].store), "--llm-base-url", fake.url,
                     "--llm-model", "llama3.1:8b", "--llm-api-key", "sk-test")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    b = passage_number(fake.requests[0], BRIDGE)
    assert fake.requests[0]["model"] == "llama3.1:8b"
    assert data["mode"] == "generated"
    assert [(s["text"], s["supported"], s["citations"], s["quotes"]) for s in data["sentences"]] == [
        ("The repair cost 95 million dollars.", False, [b], [BRIDGE_BUDGET]),  # the closest span, flagged
        ("It ran 19 million dollars over budget.", True, [b], [BRIDGE_BUDGET]),
    ]
    assert [c["n"] for c in data["citations"]] == [b] and data["citations"][0]["quote"] == BRIDGE_BUDGET


def test_cli_env_vars_and_fallback(fixture_index: tuple[Settings, RebuildReport], fake: FakeLLM) -> None:
    fake.script(Reply(status=401, error="Incorrect API key provided"))
    result = run_cli(QUESTION, "--store", str(fixture_index[0].store),
                     env={"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": "sk-wrong", "BOT_LLM_MODEL": "m"})
    assert result.returncode == 0, result.stderr
    assert fake.requests[0]["model"] == "m"
    assert result.stdout.startswith(
        f"82 million dollars [1]\n\n{BRIDGE_FIRST} [1]\nnote: "
        + fallback_note(f"the LLM server at {fake.url} rejected the API key (HTTP 401")
    )


def test_parameter_a_model_refuses_is_dropped(engine: ChatEngine, fake: FakeLLM) -> None:
    fake.script(
        Reply(status=400, error="Unsupported parameter: 'max_tokens' is not supported with this model."),
        Reply(status=400, error="Unsupported value: 'temperature' does not support 0 with this model."),
        Reply(good_answer),
    )
    answer = engine.answer(QUESTION)
    assert [sorted(set(r) & {"max_tokens", "temperature"}) for r in fake.requests] == [
        ["max_tokens", "temperature"], ["temperature"], [],
    ]
    assert answer.mode == GENERATED and answer.notes == []


def test_other_bad_request_falls_back(engine: ChatEngine, fake: FakeLLM) -> None:
    fake.script(Reply(status=400, error="This model's maximum context length is 4096 tokens."))
    answer = engine.answer(QUESTION)
    assert len(fake.requests) == 1 and answer.mode == EXTRACTIVE
    assert answer.notes == [fallback_note(
        f"the LLM server at {fake.url} refused the request (HTTP 400: This model's maximum context length is "
        "4096 tokens.)"
    )]
