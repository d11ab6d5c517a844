"""Multi-turn chat: follow-ups rewritten into standalone questions, with and without an LLM."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bot.answering.rewrite import HISTORY_TURNS, fresh_sentences, is_follow_up, rewrite_question
from bot.answering.sentences import CandidateSentence
from bot.engine import ChatEngine
from bot.types import EXTRACTIVE, GENERATED, Answer, Hit
from index.documents import Chunk
from index.embedding import Embedder
from index.rebuild import RebuildReport
from index.settings import Settings
from tests.conftest import MULTIHOP_QUERIES, SHARED_DATA, require_shared
from tests.fake_llm import FakeLLM, Reply, passage_number, user_message

NATURAL_QUESTIONS = SHARED_DATA / "natural-questions" / "dev.json"

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
        # A pronoun before anything it could stand for, or a short question about "the" something unnamed.
        ("What was the verdict?", True),
        ("What happened to her after that?", True),
        ("Who testified against him?", True),
        ("Why?", True),
        ("What did this company announce?", True),
        # The question says what its pronouns stand for, or names its subject.
        ("Did Apple raise its prices?", False),
        ("how much was ftx worth at its peak?", False),
        ("Is it true that Apple raised prices?", False),
        ("What did Google report this year?", False),
        ("What is inflation?", False),
        ("Who called for an audit of the bridge contract?", False),
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
        ([HOCKEY], "Who was their coach?", "Who was their coach? (Riverton Rockets, won, hockey, championship)"),
        # The answer's first sentence is Punkt's: "U.S." does not end it.
        ([("Who resigned?", "The U.S. team lost to Japan and coach Emma Hayes resigned [1]. Fans left.")],
         "Why did she go?", "Why did she go? (U.S, Japan, Emma Hayes, resigned)"),
        # A follow-up of a follow-up keeps the conversation's topic and adds the names asked about since.
        ([PIONTKOVSKY, ("And what did the Kremlin say?", "")], "when was that?",
         "When was that? (Kremlin, Piontkovsky, Putin, predict)"),
        # A person pronoun may stand for someone the last answer named.
        ([("What did outlets report about Sam Bankman-Fried's trial?", "Caroline Ellison testified for days [1].")],
         "What happened to her after that?",
         "What happened to her after that? (Sam Bankman-Fried, Caroline Ellison, outlets, report, trial)"),
        ([("What did outlets report about Sam Bankman-Fried's trial?", "")], "What was the verdict?",
         "What was the verdict? (Sam Bankman-Fried, outlets, report, trial)"),
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


def test_only_the_recent_turns_are_read() -> None:
    old_topic = [("What did the Harbor Bridge repair cost?", "It cost 82 million dollars [1].")]
    chatter = [(f"Who won the hockey championship in {year}?", "The Riverton Rockets [1].")
               for year in range(2000, 2020)]
    recent = [("What did outlets report about Sam Bankman-Fried's trial?", "FTX collapsed [1].")]
    rewrite = rewrite_question("What was the verdict?", old_topic + chatter + recent)
    assert rewrite.question == "What was the verdict? (Sam Bankman-Fried, outlets, report, trial)"
    # Past HISTORY_TURNS of follow-ups the topic is not reached: only the recent questions' names are carried.
    follow_ups = [("And what did Caroline Ellison say?", "She testified [1].")] * HISTORY_TURNS
    assert rewrite_question("when was that?", recent + follow_ups).question == (
        "When was that? (Caroline Ellison, say)")


def test_self_contained_questions_after_unrelated_turns_are_never_rewritten() -> None:
    require_shared()
    unrelated = [PIONTKOVSKY, HOCKEY, ("What did outlets report about Sam Bankman-Fried's trial?", "He denied it.")]
    multihop = [str(r["query"]) for r in json.loads(MULTIHOP_QUERIES.read_text(encoding="utf-8"))]
    natural = [str(r["question"]) for r in json.loads(NATURAL_QUESTIONS.read_text(encoding="utf-8"))]
    assert (len(multihop), len(natural)) == (792, 120)
    rewritten = [q for q in multihop + natural if rewrite_question(q, unrelated).changed]
    assert rewritten == []


def test_fresh_sentences_leave_out_what_the_previous_answer_said() -> None:
    text = "Mayor Dana Reyes cut the ribbon at dawn. Critics said the repair ran over budget."
    chunk = Chunk("a1", 0, text, 0, len(text), title="T", outlet="O")
    said, new = (CandidateSentence(Hit(chunk, 1.0), 0, 40, text[:40]),
                 CandidateSentence(Hit(chunk, 1.0), 41, len(text), text[41:]))
    previous = "**Dana Reyes** [1]\n\nMayor  Dana Reyes cut the ribbon at dawn [1]."
    assert fresh_sentences([said, new], previous) == [new]
    assert fresh_sentences([said, new], "") == [said, new]


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
    history = [("How much ice did Swiss glaciers lose in 2023?", "…")]
    answer = engine.answer("Who won the hockey championship?", history=history)
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
    assert answer.standalone_question == "Who was their coach? (Riverton Rockets, won, hockey, championship)"
    assert answer.mode == EXTRACTIVE
    assert answer.notes == [
        "Extractive answer (verbatim sentences from the passages) because the language model failed: the LLM "
        f"server at {fake.url} rejected the API key (HTTP 401: Incorrect API key provided): set a valid "
        "OPENAI_API_KEY / --llm-api-key"
    ]
    assert answer.citations[0].chunk.title == "Riverton Rockets win the championship"


def test_follow_ups_keep_the_topic_and_say_something_new(
    fixture_index: tuple[Settings, RebuildReport], embedder: Embedder
) -> None:
    engine = ChatEngine(fixture_index[0], embedder)
    history: list[tuple[str, str]] = []

    def ask(question: str) -> Answer:
        answer = engine.answer(question, history=history)
        history.append((question, answer.text))
        return answer

    ask("How much did the Harbor Bridge repair cost?")
    hockey = ask("Who won the hockey championship?")
    assert hockey.standalone_question is None  # a new topic, asked in full: not a follow-up of the bridge
    coach = ask("Who was their coach?")
    assert coach.standalone_question == "Who was their coach? (Riverton Rockets, won, hockey, championship)"
    assert {c.chunk.title for c in coach.citations} == {"Riverton Rockets win the championship"}
    assert "Coach Helen Marsh said" in coach.text
    runner = ask("Who set a course record at the Melbourne Marathon?")
    after = ask("What did she say after that?")
    assert after.standalone_question == (
        "What did she say after that? (Melbourne Marathon, Ruth Chebet, set, course, record)")
    assert "Chebet said the cool weather helped her" in after.text
    assert not {s.text for s in after.sentences} & {s.text for s in runner.sentences}
