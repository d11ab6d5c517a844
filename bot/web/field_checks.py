"""Checks of the filter fields before a question is answered: a wrong date is said on the field itself
(Gradio's event validator, gr.validate), so no error badge covers the chat and the question stays in the box."""

from __future__ import annotations

from typing import Any

import gradio as gr

from bot.web.filters import build_filters


def check_filters(_message: Any, _history: Any, _turns: Any, outlets: Any, categories: Any, date_from: Any,
                  date_to: Any) -> list[Any]:
    """One gr.validate per input of the question's event (question, chat, turns, outlets, categories, dates)."""
    fine = [gr.validate(True, "")] * 5
    try:
        build_filters(outlets, categories, date_from, date_to)
    except gr.Error as exc:
        to_field = "“to”" in str(exc.message).split(":")[0] and "“from”" not in str(exc.message).split(":")[0]
        wrong = gr.validate(False, str(exc.message))
        return [*fine, gr.validate(True, ""), wrong] if to_field else [*fine, wrong, gr.validate(True, "")]
    return [*fine, gr.validate(True, ""), gr.validate(True, "")]
