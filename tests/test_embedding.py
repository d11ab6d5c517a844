"""The embedders: the int8 ONNX default against the PyTorch model, batching, the answer-time cache, bad names."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedding import Embedder, load_embedder
from index.errors import EmbeddingModelError
from index.settings import DEFAULT_EMBED_MODEL, TORCH_EMBED_MODEL

TEXTS = [
    "The glacier retreated 40 metres this year, the survey found.",
    "Apple shares fell after the launch event in Cupertino.",
    "short",
    "The city council approved the new housing plan by seven votes to two after a long debate on Tuesday night, "
    "and the mayor said building could start in the spring.",
]


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    return load_embedder(TORCH_EMBED_MODEL)


def test_default_is_the_onnx_export(embedder: Embedder) -> None:
    assert (embedder.name, embedder.dim, embedder.batch_size) == ("all-MiniLM-L6-v2-onnx-int8", 384, 32)
    assert embedder.name == DEFAULT_EMBED_MODEL


def test_onnx_vectors_match_the_pytorch_model(embedder: Embedder, torch_embedder: Embedder) -> None:
    onnx, torch = embedder.embed_texts(TEXTS), torch_embedder.embed_texts(TEXTS)
    assert onnx.shape == torch.shape == (4, 384) and onnx.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)
    agreement = (onnx * torch).sum(axis=1)
    assert agreement.min() > 0.998, agreement
    # Both rank the texts the same way for a question (what retrieval depends on).
    question = "How far did the glacier retreat?"
    assert np.argsort(onnx @ embedder.embed_query(question)).tolist() == np.argsort(
        torch @ torch_embedder.embed_query(question)).tolist()


def test_a_text_gets_the_same_vector_alone_or_in_any_batch(embedder: Embedder) -> None:
    together = embedder.embed_texts(TEXTS)
    for i, text in enumerate(TEXTS):
        np.testing.assert_allclose(embedder.embed_texts([text])[0], together[i], atol=1e-6)
    reordered = embedder.embed_texts(TEXTS[::-1])
    np.testing.assert_allclose(reordered[::-1], together, atol=1e-6)


def test_rows_follow_the_input_order_whatever_the_batching(embedder: Embedder) -> None:
    many = [f"{TEXTS[i % 4]} ({'x ' * (i % 7)}{i})" for i in range(70)]  # four batches of mixed lengths
    ticks: list[int] = []
    vectors = embedder.embed_texts(many, progress=ticks.append)
    assert ticks == [22, 32, 9, 7]
    for i in (0, 33, 69):
        np.testing.assert_allclose(vectors[i], embedder.embed_texts([many[i]])[0], atol=1e-6)


def test_a_batch_closes_before_padding_outweighs_its_text(embedder: Embedder) -> None:
    # Two long texts and ten short ones: padding the short ones to the long ones' length would be mostly padding.
    texts = ["word " * 120, "term " * 110] + [f"short text {i}" for i in range(10)]
    ticks: list[int] = []
    embedder.embed_texts(texts, progress=ticks.append)
    assert ticks == [2, 10]


def test_answer_time_cache_returns_the_same_vectors(embedder: Embedder) -> None:
    fresh = embedder.embed_texts(TEXTS)
    cached = embedder.embed_cached([TEXTS[1], TEXTS[1], TEXTS[3]])
    np.testing.assert_allclose(cached, fresh[[1, 1, 3]], atol=1e-6)
    np.testing.assert_allclose(embedder.embed_query(TEXTS[0]), fresh[0], atol=1e-6)


def test_unknown_model_says_what_to_do() -> None:
    with pytest.raises(EmbeddingModelError) as err:
        load_embedder("no-such-model")
    assert str(err.value) == (
        "unknown embedding model 'no-such-model': give the folder of a local sentence-transformers model, "
        "set BOT_EMBED_MODEL=all-MiniLM-L6-v2 for the PyTorch model, "
        "or leave BOT_EMBED_MODEL unset to use all-MiniLM-L6-v2-onnx-int8"
    )
