"""Domain exceptions of the bot layer; the CLI and UI turn them into messages."""

from __future__ import annotations


class BotError(Exception):
    """Base class: the message says what the user should do."""


class QuestionTooLongError(BotError):
    """The question is longer than one question can be (a pasted document, or a hostile client)."""


class LLMError(BotError):
    """The configured language model could not answer (the caller falls back to extractive answers)."""


class LLMAuthError(LLMError):
    """The server rejected the API key (HTTP 401/403)."""


class LLMModelNotFoundError(LLMError):
    """The server does not serve the configured model (HTTP 404)."""


class LLMUnreachableError(LLMError):
    """No server answers at the configured base URL."""


class LLMTimeoutError(LLMError):
    """The server stopped answering for longer than the timeout."""


class LLMRateLimitError(LLMError):
    """The server still answered 429 after every retry."""


class LLMServerError(LLMError):
    """The server failed (HTTP 5xx, or a malformed reply) after every retry."""


class ServeError(BotError):
    """The chat cannot listen on the configured host and port."""


class AnswerWorkerError(BotError):
    """The worker process computing an answer stopped before the answer was complete."""
