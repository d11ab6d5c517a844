"""Domain exceptions of the bot layer; the CLI and UI turn them into messages."""

from __future__ import annotations


class BotError(Exception):
    """Base class: the message says what the user should do."""


class LLMError(BotError):
    """The configured language model could not answer (the caller falls back to extractive answers)."""
