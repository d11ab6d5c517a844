"""The web chat: a thin Gradio front end over bot.chat.ChatEngine (formats and displays, never retrieves)."""

from __future__ import annotations

import argparse
import html
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

import index.offline  # noqa: F401  (before gradio/chromadb are imported)
from bot.chat import ChatEngine
from bot.types import Answer, Citation
from index.errors import IndexLayerError, NoIndexError
from index.settings import ENV_VARS, Settings, SettingsError, load_settings

TITLE = "News chat"

CSS = """
.source-card { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 6px 10px; margin-bottom: 8px; }
.source-card summary { cursor: pointer; }
.source-card .meta { color: var(--body-text-color-subdued); font-size: 0.9em; }
.source-card .passage { white-space: pre-wrap; margin: 6px 0; font-size: 0.95em; }
.source-card mark { background: #fde68a; color: inherit; padding: 0 1px; }
.source-card.flash { outline: 2px solid #f59e0b; }
a.cite { text-decoration: none; font-weight: 600; }
"""

# Markers are links to #src-n; open that card instead of navigating (Gradio opens links in new tabs).
HEAD = """
<script>
document.addEventListener('click', function (event) {
  const link = event.target.closest('a[href^="#src-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const card = document.getElementById(link.getAttribute('href').slice(1));
  if (!card) return;
  document.querySelectorAll('.source-card.flash').forEach(function (el) { el.classList.remove('flash'); });
  card.open = true;
  card.classList.add('flash');
  card.scrollIntoView({behavior: 'smooth', block: 'nearest'});
}, true);
</script>
"""

EMPTY_SOURCES = "<p class='empty'>Sources of the answer appear here.</p>"


def link_markers(text: str) -> str:
    """Turn `[n]` markers into links to their source cards."""
    return re.sub(r"\[(\d+)\]", r'<a class="cite" href="#src-\1">[\1]</a>', text)


def format_citation(c: Citation) -> str:
    """One source card: title, outlet, date, link, and the passage with the cited span highlighted."""
    passage = c.passage
    before, quote, after = passage[: c.quote_start], passage[c.quote_start : c.quote_end], passage[c.quote_end :]
    meta = " · ".join(html.escape(x) for x in (c.chunk.source, (c.chunk.published_at or "")[:10]) if x)
    link = (
        f'<a href="{html.escape(c.chunk.url, quote=True)}" target="_blank" rel="noopener noreferrer">'
        "open the original article</a>"
        if c.chunk.url
        else "<span class='meta'>no link recorded for this article</span>"
    )
    return (
        f'<details class="source-card" id="src-{c.n}" open>'
        f"<summary><b>[{c.n}]</b> {html.escape(c.chunk.title)}"
        + (f' <span class="meta">— {meta}</span>' if meta else "")
        + "</summary>"
        f'<div class="passage">{html.escape(before)}<mark>{html.escape(quote)}</mark>{html.escape(after)}</div>'
        f"{link}</details>"
    )


def format_sources(answer: Answer) -> str:
    """The sources panel for an answer."""
    if not answer.citations:
        return EMPTY_SOURCES if answer.covered else "<p>No passage in the index answers this question.</p>"
    return "".join(format_citation(c) for c in answer.citations)


def format_answer(answer: Answer) -> str:
    """The chat bubble of an answer: text with clickable markers, plus notes."""
    text = link_markers(html.escape(answer.text, quote=False))
    notes = "".join(f"\n\n*{html.escape(note)}*" for note in answer.notes)
    return text + notes


def _history_pairs(history: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    pending: str | None = None
    for message in history:
        content = message.get("content")
        text = content if isinstance(content, str) else ""
        if message.get("role") == "user":
            pending = text
        elif message.get("role") == "assistant" and pending is not None:
            pairs.append((pending, re.sub(r"<[^>]+>", "", text)))
            pending = None
    return pairs


def build_app(engine: ChatEngine) -> gr.Blocks:
    """The Gradio chat over an already loaded engine."""

    def respond(message: str, history: list[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]], str]]:
        question = (message or "").strip()
        history = list(history or [])
        if not question:
            yield "", history, EMPTY_SOURCES
            return
        history.append({"role": "user", "content": question})
        history.append({"role": "assistant", "content": "…"})
        try:
            for answer in engine.stream_answer(question, _history_pairs(history[:-2])):
                history[-1] = {"role": "assistant", "content": format_answer(answer)}
                yield "", history, format_sources(answer)
        except IndexLayerError as exc:
            history[-1] = {"role": "assistant", "content": f"⚠️ {html.escape(str(exc))}"}
            yield "", history, EMPTY_SOURCES

    with gr.Blocks(title=TITLE) as demo:
        gr.Markdown(f"## {TITLE}\nAsk about the articles in the index. Every sentence cites its passage: "
                    "click a marker such as [1] to see it.")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Chat",
                    height=560,
                    placeholder="Ask a question about the news in your corpus.",
                    elem_id="chat",
                )
                box = gr.Textbox(
                    label="Question", placeholder="e.g. What did Piontkovsky predict about Putin?",
                    submit_btn=True, elem_id="question",
                )
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(EMPTY_SOURCES, elem_id="sources")
        box.submit(respond, [box, chatbot], [box, chatbot, sources], api_name="respond")
    return demo


def build_parser() -> argparse.ArgumentParser:
    """Command-line options of the web chat."""
    parser = argparse.ArgumentParser(description="Run the news chat in the browser (offline).")
    parser.add_argument("--store", type=Path, help=f"index folder (default .index; env {ENV_VARS['store']})")
    parser.add_argument(
        "--corpus", type=Path, help=f"articles to index on first run (default corpus/; env {ENV_VARS['corpus']})"
    )
    parser.add_argument("--chroma-url", help=f"Chroma server URL (env {ENV_VARS['chroma_url']})")
    parser.add_argument("--host", help=f"address to bind (default 127.0.0.1; env {ENV_VARS['host']})")
    parser.add_argument("--port", type=int, help=f"port (default 7860; env {ENV_VARS['port']})")
    parser.add_argument("--no-build", action="store_true", help="do not build a missing index from the corpus")
    return parser


def prepare_engine(settings: Settings, build_if_missing: bool = True) -> ChatEngine:
    """Load the model once, build the index from the corpus if there is none, open the engine."""
    from index.embedding import load_embedder
    from index.store import open_store

    embedder = load_embedder(settings.embed_model)
    try:
        store = open_store(settings.store, settings.chroma_url)
        store.require_active(embedder.name)
    except NoIndexError:
        if not build_if_missing:
            raise
        from index.rebuild import rebuild_index

        print(f"no index at {settings.store} yet: building it from {settings.corpus} …", flush=True)
        report = rebuild_index(settings, embedder)
        print(f"indexed {report.articles} articles → {report.chunks} chunks in {report.seconds:.1f} s", flush=True)
        for item in report.skipped:
            print(f"  skipped {item.origin}: {item.reason}", flush=True)
    return ChatEngine(settings, embedder)


def main(argv: Sequence[str] | None = None) -> int:
    """Start the chat server."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(
            store=args.store, corpus=args.corpus, chroma_url=args.chroma_url, host=args.host, port=args.port
        )
        engine = prepare_engine(settings, build_if_missing=not args.no_build)
    except (IndexLayerError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    demo = build_app(engine)
    print(f"chat ready on http://{settings.host}:{settings.port}", flush=True)
    demo.queue(default_concurrency_limit=2).launch(
        server_name=settings.host, server_port=settings.port, show_error=True, css=CSS, head=HEAD
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
