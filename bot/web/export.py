"""Markdown of the conversation: one answer with its references ("copy"), or every turn (the export download,
written on click into a bounded folder)."""

from __future__ import annotations

import contextlib
import re
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.types import label_summary
from bot.views.scope import CorpusProfile
from bot.web.labels import TITLE, dateline, mode_label, safe_url, sentence_with_markers
from bot.web.state import Turn

EXPORT_PREFIX = "news-chat-conversation-"
EXPORT_KEEP = 50  # export files kept at once across sessions
EXPORT_MAX_AGE_S = 3600.0


def answer_markdown(turn: Turn) -> str:
    """One answer as Markdown with its references (what "copy" puts on the clipboard)."""
    lines: list[str] = []
    if turn.sentences:
        rendered = []
        for s in turn.sentences:
            if s.lead:  # the short answer, on its own line
                lines.append(f"**{s.text}** " + "".join(f"[{n}]" for n in s.citations) + "\n")
                continue
            text = sentence_with_markers(s)
            if not s.supported:
                text = f"~~{text}~~ _(not supported: {s.note or 'not in its sources'})_"
            elif s.disagrees:
                text += f" _({s.label})_"
            rendered.append(f"- **{s.source}:** {text}\n" if s.source else text)
        lines.append("".join(rendered) if any(s.source for s in turn.sentences) else " ".join(rendered))
        checked = label_summary(list(turn.sentences))
        if checked:
            lines.append(f"\n_{checked}_")
    else:
        lines.append(turn.text)
    for note in turn.notes:
        lines.append(f"\n_{note}_")
    if turn.standalone_question and turn.standalone_question.strip() != turn.question.strip():
        lines.append(f"\n_Searched as: “{turn.standalone_question}”_")
    lines.append(f"\n_{turn.scope} · {mode_label(turn.mode)}_")
    if turn.sources:
        lines.append("\n**References**\n")
        for c in turn.sources:
            where = dateline(c.outlet, c.published_at)
            url = safe_url(c.url)
            quote = re.sub(r"\s+", " ", c.quote).strip()
            lines.append(f"[{c.n}] “{quote}” — *{c.title}*, {where}" + (f". <{url}>" if url else ""))
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


class ExportFolder:
    """Where exports are written when the user clicks Export: one folder holding at most `keep` files, none
    older than `max_age_s` (a file is downloaded right after it is written; older ones are left-overs)."""

    def __init__(self, path: Path, keep: int = EXPORT_KEEP, max_age_s: float = EXPORT_MAX_AGE_S) -> None:
        self.path = path
        self.keep = keep
        self.max_age_s = max_age_s
        self._lock = threading.Lock()

    def write(self, markdown: str) -> Path:
        """Write one export, removing old ones first; the new file's path."""
        with self._lock:
            self.path.mkdir(parents=True, exist_ok=True)
            self.prune(room_for=1)
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            with tempfile.NamedTemporaryFile("w", dir=self.path, prefix=f"{EXPORT_PREFIX}{stamp}-", suffix=".md",
                                             delete=False, encoding="utf-8") as handle:
                handle.write(markdown)
            return Path(handle.name)

    def files(self) -> list[Path]:
        """The export files there now, oldest first."""
        found = []
        for path in self.path.glob(f"{EXPORT_PREFIX}*.md"):
            with contextlib.suppress(FileNotFoundError):  # another process may be pruning too
                found.append((path.stat().st_mtime, path))
        return [path for _, path in sorted(found)]

    def prune(self, room_for: int = 0) -> None:
        """Remove files older than `max_age_s`, then the oldest until `room_for` more fit within `keep`."""
        files = self.files()
        too_old = time.time() - self.max_age_s
        excess = max(0, len(files) + room_for - self.keep)
        for i, path in enumerate(files):
            with contextlib.suppress(FileNotFoundError):
                if i < excess or path.stat().st_mtime < too_old:
                    path.unlink()


def default_export_folder() -> Path:
    """Inside Gradio's own temp folder, so Gradio serves the file as it is instead of copying it once more."""
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder()) / "news-chat-exports"
