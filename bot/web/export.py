"""Markdown of the conversation: one answer with its references ("copy"), or every turn (the export download)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.views.evidence import outlet_of
from bot.views.scope import CorpusProfile
from bot.web.labels import TITLE, dateline, mode_label, safe_url, sentence_with_markers
from bot.web.state import Turn


def answer_markdown(turn: Turn) -> str:
    """One answer as Markdown with its references (what "copy" puts on the clipboard)."""
    answer = turn.answer
    lines: list[str] = []
    if answer.done and answer.sentences:
        rendered = []
        for s in answer.sentences:
            text = sentence_with_markers(s)
            if s.lead:
                lines.append(f"**{text}**\n")  # the short answer, on its own line
                continue
            rendered.append(text if s.supported else f"~~{text}~~ _(unsupported: {s.note or 'not in its sources'})_")
        lines.append(" ".join(rendered))
    else:
        lines.append(answer.text)
    for note in answer.notes:
        lines.append(f"\n_{note}_")
    if answer.standalone_question and answer.standalone_question.strip() != answer.question.strip():
        lines.append(f"\n_Searched as: “{answer.standalone_question}”_")
    lines.append(f"\n_{turn.scope} · {mode_label(answer)}_")
    if answer.citations:
        lines.append("\n**References**\n")
        for c in answer.citations:
            chunk = c.chunk
            where = dateline(outlet_of(chunk), chunk.published_at)
            url = safe_url(chunk.url)
            quote = re.sub(r"\s+", " ", c.quote).strip()
            lines.append(f"[{c.n}] “{quote}” — *{chunk.title}*, {where}" + (f". <{url}>" if url else ""))
    return "\n".join(lines).strip() + "\n"


def conversation_markdown(turns: Sequence[Turn], profile: CorpusProfile | None) -> str:
    """The whole conversation as Markdown, every answer with full citations."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = [f"# {TITLE}: conversation", "", f"_Exported {stamp}"]
    if profile is not None:
        head[-1] += f" from an index of {profile.articles} articles from {len(profile.outlets)} outlets"
    head[-1] += "._"
    body = []
    for turn in turns:
        body.append(f"\n## {turn.number}. {turn.question}\n")
        body.append(answer_markdown(turn))
    return "\n".join(head + body)


def write_export(turns: Sequence[Turn], profile: CorpusProfile | None) -> str:
    """Write the conversation to a Markdown file for the download button; its path."""
    with tempfile.NamedTemporaryFile(
        "w", suffix=".md", prefix="news-chat-conversation-", delete=False, encoding="utf-8"
    ) as handle:
        handle.write(conversation_markdown(turns, profile))
        return handle.name
