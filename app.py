"""The web chat: a thin Gradio front end over bot.engine.ChatEngine (formats and displays, never retrieves)."""

from __future__ import annotations

import argparse
import contextlib
import html
import ipaddress
import itertools
import queue
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import gradio as gr

import index.offline  # noqa: F401  (before gradio/chromadb are imported)
from bot.engine import ChatEngine
from bot.errors import BotError
from bot.retrieval.filters import Filters
from bot.types import EXTRACTIVE, GENERATED, Answer, AnswerSentence
from bot.views.compare import OutletColumn, compare_outlets
from bot.views.evidence import Evidence, day_of, gather_evidence, outlet_of
from bot.views.examples import ExampleQuestion, answerable_by, example_questions
from bot.views.quotes import Quote, quotes_in
from bot.views.scope import CorpusProfile, describe_scope, month_span, profile_fields
from bot.views.timeline import TimelinePoint, coverage_timeline
from index.embedding import Embedder
from index.errors import IndexLayerError, NoIndexError
from index.settings import ENV_VARS, Settings, SettingsError, load_settings

TITLE = "News chat"
MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")

# ---------------------------------------------------------------- page styling and behaviour

CSS = """
.gradio-container { max-width: 1680px !important; }
#app-title h1 { margin-bottom: 0; }
#app-title p { margin-top: 4px; color: var(--body-text-color-subdued); }
#chat .answer p { margin: 0 0 6px 0; }
#chat a.cite, .view a.cite { text-decoration: none; font-weight: 600; font-size: 0.85em; vertical-align: super;
  padding: 0 1px; color: var(--color-accent); cursor: pointer; }
#chat .unsupported-sentence del { text-decoration-color: #dc2626; text-decoration-thickness: 2px;
  color: var(--body-text-color-subdued); }
#chat .unsupported-sentence .flag { color: #b91c1c; font-size: 0.8em; font-weight: 600; margin-left: 2px; }
body.hide-unsupported #chat .unsupported-sentence { display: none; }
#chat .answer-meta { color: var(--body-text-color-subdued); font-size: 0.82em; margin-top: 8px; }
#chat .note { font-size: 0.88em; border-left: 3px solid #f59e0b; padding: 2px 8px; margin: 6px 0; }
#chat details.rewrite { font-size: 0.82em; color: var(--body-text-color-subdued); margin: 4px 0; }
#chat details.rewrite summary { cursor: pointer; }
#chat .answer-actions a { font-size: 0.82em; text-decoration: none; cursor: pointer; color: var(--color-accent); }
#chat .answer-actions a:hover { text-decoration: underline; }
#chat .error-text { color: #b91c1c; }
.source-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 8px 12px;
  margin-bottom: 10px; cursor: pointer; background: var(--background-fill-primary); }
.source-card:hover, .source-card:focus { border-color: var(--color-accent); outline: none; }
.source-card .card-n { font-weight: 700; color: var(--color-accent); margin-right: 4px; }
.source-card .card-title { font-weight: 600; }
.source-card .meta, .view .meta { color: var(--body-text-color-subdued); font-size: 0.85em; }
.source-card .passage { white-space: pre-wrap; margin: 6px 0 2px; font-size: 0.92em; line-height: 1.45; }
.source-card.retrieved .passage { display: -webkit-box; -webkit-line-clamp: 4; -webkit-box-orient: vertical;
  overflow: hidden; }
.view mark, .source-card mark, #passage-viewer mark { background: #fde68a; color: #111; padding: 0 1px;
  border-radius: 2px; }
.view h4 { margin: 14px 0 6px; }
.timeline h4 { margin-top: 4px; font-size: 0.95em; }
#index-status p { overflow-wrap: anywhere; }
.view .empty { color: var(--body-text-color-subdued); }
.view .hint { color: var(--body-text-color-subdued); font-size: 0.85em; }
.timeline svg { width: 100%; height: auto; font-family: var(--font); }
.timeline .axis { stroke: var(--border-color-primary); }
.timeline .grid { stroke: var(--border-color-primary); stroke-dasharray: 2 4; }
.timeline text { fill: var(--body-text-color); font-size: 12px; }
.timeline text.tick { fill: var(--body-text-color-subdued); font-size: 11px; }
.timeline .dot circle { stroke: #2563eb; stroke-width: 2; }
.timeline .dot.cited circle { fill: #2563eb; }
.timeline .dot.retrieved circle { fill: var(--background-fill-primary); }
.timeline .dot text { fill: #fff; font-size: 10px; font-weight: 700; pointer-events: none; }
.timeline .dot.retrieved text { fill: #2563eb; }
.timeline .dot:hover circle { stroke-width: 3; }
.timeline ol { padding-left: 18px; font-size: 0.9em; }
.compare-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 10px; }
.compare-col { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 8px 10px; }
.compare-col h5 { margin: 0 0 4px; font-size: 1em; }
.compare-col ul { padding-left: 16px; margin: 6px 0; font-size: 0.9em; }
.compare-col li { margin-bottom: 6px; }
.quote { border-left: 3px solid var(--color-accent); padding: 2px 10px; margin: 8px 0; }
.quote blockquote { margin: 0; padding: 0; border: none; font-style: italic; }
#sources, #timeline, #compare, #quotes { max-height: 720px; overflow-y: auto; }
.quote .who { font-size: 0.85em; margin-top: 2px; }
#passage-store { display: none !important; }
#passage-viewer { max-width: min(760px, 92vw); width: 760px; border: none; border-radius: 14px; padding: 0;
  box-shadow: 0 20px 60px rgba(0,0,0,.35); background: var(--background-fill-primary, #fff);
  color: var(--body-text-color, #111); }
#passage-viewer::backdrop { background: rgba(15, 23, 42, .45); }
#passage-viewer .pv-head { padding: 14px 18px 8px; border-bottom: 1px solid var(--border-color-primary, #ddd); }
#passage-viewer .pv-title { font-size: 1.1em; font-weight: 700; margin: 0 28px 4px 0; }
#passage-viewer .pv-meta { color: var(--body-text-color-subdued, #555); font-size: 0.9em; }
#passage-viewer .pv-body { padding: 12px 18px; white-space: pre-wrap; line-height: 1.55; max-height: 55vh;
  overflow: auto; }
#passage-viewer .pv-foot { padding: 8px 18px 14px; display: flex; justify-content: space-between; gap: 8px;
  align-items: center; }
#passage-viewer .pv-close { position: absolute; top: 10px; right: 12px; border: none; background: none;
  font-size: 1.4em; cursor: pointer; color: inherit; }
#toast { position: fixed; bottom: 24px; left: 50%; transform: translateX(-50%); background: #111827; color: #fff;
  padding: 8px 16px; border-radius: 8px; z-index: 10000; font-size: 0.9em; }
"""

# Gradio has no component for inline citations that open a passage: markers and cards are links to
# `#psg-<turn>-<n>`, and this script opens the passage they name in a dialog, building it from text
# nodes only (never innerHTML), so nothing from an article can run.  It also copies answers.
HEAD = """
<script>
(function () {
  function viewer() {
    let dlg = document.getElementById('passage-viewer');
    if (dlg) return dlg;
    dlg = document.createElement('dialog');
    dlg.id = 'passage-viewer';
    dlg.setAttribute('aria-label', 'Cited passage');
    const close = document.createElement('button');
    close.className = 'pv-close'; close.type = 'button'; close.textContent = '×';
    close.setAttribute('aria-label', 'Close');
    close.addEventListener('click', function () { dlg.close(); });
    const head = document.createElement('div'); head.className = 'pv-head';
    const title = document.createElement('div'); title.className = 'pv-title';
    const meta = document.createElement('div'); meta.className = 'pv-meta';
    head.append(title, meta);
    const body = document.createElement('div'); body.className = 'pv-body';
    const foot = document.createElement('div'); foot.className = 'pv-foot';
    const link = document.createElement('a'); link.className = 'pv-link';
    link.target = '_blank'; link.rel = 'noopener noreferrer'; link.textContent = 'Open the original article ↗';
    const nolink = document.createElement('span'); nolink.className = 'pv-nolink';
    nolink.textContent = 'No link was recorded for this article.';
    const where = document.createElement('span'); where.className = 'pv-where';
    foot.append(link, nolink, where);
    dlg.append(close, head, body, foot);
    dlg.addEventListener('click', function (e) { if (e.target === dlg) dlg.close(); });
    document.body.appendChild(dlg);
    return dlg;
  }
  function safeUrl(url) {
    try { const u = new URL(url); return (u.protocol === 'http:' || u.protocol === 'https:') ? u.href : ''; }
    catch (e) { return ''; }
  }
  function openPassage(key, start, end) {
    const holder = document.querySelector('[data-psg="' + key + '"]');
    if (!holder) return false;
    const text = holder.querySelector('.passage').textContent;
    let s = parseInt(start !== undefined && start !== null ? start : holder.dataset.start, 10);
    let e = parseInt(end !== undefined && end !== null ? end : holder.dataset.end, 10);
    if (!(s >= 0 && e > s && e <= text.length)) { s = 0; e = 0; }
    const dlg = viewer();
    dlg.querySelector('.pv-title').textContent = '[' + holder.dataset.n + '] ' + holder.dataset.title;
    dlg.querySelector('.pv-meta').textContent = holder.dataset.meta;
    const body = dlg.querySelector('.pv-body');
    const mark = document.createElement('mark');
    mark.textContent = text.slice(s, e);
    body.replaceChildren(document.createTextNode(text.slice(0, s)), mark, document.createTextNode(text.slice(e)));
    const url = safeUrl(holder.dataset.url || '');
    const link = dlg.querySelector('.pv-link');
    link.hidden = !url; dlg.querySelector('.pv-nolink').hidden = !!url;
    if (url) link.href = url; else link.removeAttribute('href');
    dlg.querySelector('.pv-where').textContent = holder.dataset.where || '';
    if (!dlg.open) dlg.showModal();
    if (e > s) mark.scrollIntoView({block: 'center'});
    return true;
  }
  function toast(message) {
    let el = document.getElementById('toast');
    if (!el) { el = document.createElement('div'); el.id = 'toast'; el.setAttribute('role', 'status');
               document.body.appendChild(el); }
    el.textContent = message; el.hidden = false;
    clearTimeout(el._timer); el._timer = setTimeout(function () { el.hidden = true; }, 2500);
  }
  async function copyText(text) {
    try { await navigator.clipboard.writeText(text); return true; }
    catch (err) {
      const area = document.createElement('textarea');
      area.value = text; area.style.position = 'fixed'; area.style.opacity = '0';
      document.body.appendChild(area); area.select();
      const ok = document.execCommand('copy'); area.remove(); return ok;
    }
  }
  document.addEventListener('click', function (event) {
    const link = event.target.closest('a[href^="#psg-"], a[href^="#copy-"]');
    const card = link ? null : event.target.closest('.source-card[data-psg]');
    if (card && event.target.closest('a[href]')) return;  // the card's own link to the article
    if (!link && !card) return;
    event.preventDefault();
    event.stopPropagation();
    if (card) { openPassage(card.dataset.psg); return; }
    const href = link.getAttribute('href');
    if (href.startsWith('#copy-')) {
      const holder = document.querySelector('[data-copy="' + href.slice(6) + '"]');
      if (holder) copyText(holder.textContent).then(function (ok) {
        toast(ok ? 'Answer copied with its references' : 'Copying failed: select the text instead');
      });
      return;
    }
    if (!openPassage(href.slice(5), link.dataset.start, link.dataset.end)) {
      toast('This passage is no longer loaded: ask the question again');
    }
  }, true);
  document.addEventListener('keydown', function (event) {
    const card = event.target.closest && event.target.closest('.source-card[data-psg]');
    if (card && (event.key === 'Enter' || event.key === ' ')) { event.preventDefault(); openPassage(card.dataset.psg); }
  });
})();
</script>
"""

EMPTY_SOURCES = (
    "<div class='view'><p class='empty'>Ask a question: the passages behind the answer appear here, "
    "the cited span of each highlighted. Click a marker such as [1] in the answer, or a card, to read it.</p></div>"
)
EMPTY_TIMELINE = (
    "<div class='view'><p class='empty'>The coverage timeline plots the articles behind an answer by "
    "publication date and outlet, so you can see who reported what, when.</p></div>"
)
EMPTY_COMPARE = (
    "<div class='view'><p class='empty'>Outlet comparison puts what each outlet's articles say on your "
    "question side by side, every statement cited.</p></div>"
)
EMPTY_QUOTES = (
    "<div class='view'><p class='empty'>Quotes lists who said what in the passages behind an answer, "
    "with the speaker where the article names one.</p></div>"
)
EXAMPLE_SAMPLE = 8000  # chunks read at start to find example questions (the 609-article index has 6,590)
WORKING = "<div class='view'><p class='empty'>Working on the answer…</p></div>"
REBUILD_STAGES = {
    "reading": "reading articles",
    "chunking": "splitting into passages",
    "embedding": "embedding passages",
    "writing": "writing the index",
    "lexical": "building the keyword index",
    "switching": "switching to the new index",
    "cleanup": "removing old index versions",
}
NO_INDEX_TEXT = (
    "There is no index yet, so there is nothing to search. Open **Index** on the left and click "
    "**Rebuild index** to index the articles in `{corpus}`, or run "
    "`python -m index rebuild --corpus {corpus} --store {store}` and reload this page."
)


# ---------------------------------------------------------------- small formatting helpers


def esc(text: str | None) -> str:
    """Text from an article or a user, escaped for HTML (quotes included, for attributes)."""
    return html.escape(text or "", quote=True)


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s); anything else (javascript:, data:) is never linked."""
    if url and re.match(r"https?://", url.strip(), re.IGNORECASE):
        return url.strip()
    return None


def nice_day(day: date | None) -> str:
    """A date as "4 Oct 2023"."""
    return f"{day.day} {day:%b %Y}" if day else ""


def dateline(chunk_outlet: str | None, published_at: str | None) -> str:
    """"Outlet · 4 Oct 2023" (plain text)."""
    return " · ".join(x for x in (chunk_outlet or "", nice_day(day_of(published_at))) if x)


def mode_label(answer: Answer) -> str:
    """How the answer was made, in words."""
    if not answer.covered:
        return "not covered by the index"
    if answer.mode == GENERATED:
        return "generated answer, each sentence checked against its citations"
    if answer.mode == EXTRACTIVE:
        return "extractive answer: verbatim sentences from the articles"
    return answer.mode


def link_markers(escaped: str, turn: int, known: set[int]) -> str:
    """Turn `[n]` and `[n, m]` markers in escaped text into links to their passages (unknown numbers stay text)."""

    def one(n: str) -> str:
        number = int(n)
        if number not in known:
            return f"[{number}]"
        return f'<a class="cite" href="#psg-{turn}-{number}" title="Open passage [{number}]">[{number}]</a>'

    return MARKER.sub(lambda m: "".join(one(n) for n in re.split(r"\s*,\s*", m.group(1))), escaped)


# ---------------------------------------------------------------- the answer bubble


def format_sentence(sentence: AnswerSentence, turn: int, known: set[int]) -> str:
    """One answer sentence; an unsupported one is struck through and flagged with the reason."""
    text = html.escape(sentence.text.strip(), quote=False)
    if not MARKER.search(sentence.text):
        text += "".join(f" [{n}]" for n in sentence.citations)
    body = link_markers(text, turn, known)
    if sentence.supported:
        return body
    why = sentence.note or "its cited passages do not support it"
    return (
        f'<span class="unsupported-sentence"><del title="{esc(why)}">{body}</del>'
        f'<span class="flag" title="{esc(why)}"> ⚠ unsupported: {html.escape(why, quote=False)}</span></span>'
    )


def format_answer(answer: Answer, turn: int = 1, scope: str = "", hint: str = "") -> str:
    """The chat bubble: text with clickable markers, unsupported sentences flagged, notes, scope, copy link."""
    known = {c.n for c in answer.citations}
    if answer.done and answer.sentences:
        text = " ".join(format_sentence(s, turn, known) for s in answer.sentences)
    else:
        text = link_markers(html.escape(answer.text or "…", quote=False), turn, known)
    parts = [f'<div class="answer{" done" if answer.done else ""}"><p class="answer-text">{text}</p>']
    parts.extend(f'<p class="note">{html.escape(note, quote=False)}</p>' for note in answer.notes)
    if hint:
        parts.append(f'<p class="note">{html.escape(hint, quote=False)}</p>')
    if answer.standalone_question and answer.standalone_question.strip() != answer.question.strip():
        parts.append(
            '<details class="rewrite"><summary>Follow-up rewritten for the search</summary>'
            f"Searched for: “{html.escape(answer.standalone_question, quote=False)}”</details>"
        )
    meta = " · ".join(x for x in (scope, mode_label(answer) if answer.done else "answering…") if x)
    parts.append(f'<p class="answer-meta">{html.escape(meta, quote=False)}</p>')
    if answer.done and answer.citations:
        parts.append(f'<p class="answer-actions"><a href="#copy-{turn}" class="copy-answer">'
                     "Copy answer with references</a></p>")
    parts.append("</div>")
    return "".join(parts)


def format_error(message: str) -> str:
    """A bubble for something that went wrong, saying what to do."""
    return f'<div class="answer done"><p class="error-text">⚠️ {html.escape(message, quote=False)}</p></div>'


# ---------------------------------------------------------------- sources: cards and the passage store


def _passage_holder_attrs(turn: int, ev: Evidence) -> str:
    chunk = ev.chunk
    where = f"passage {chunk.n + 1} of the article, characters {chunk.start}–{chunk.end}"
    return (
        f'data-psg="{turn}-{ev.n}" data-n="{ev.n}" data-title="{esc(chunk.title)}" '
        f'data-meta="{esc(dateline(outlet_of(chunk), chunk.published_at))}" '
        f'data-url="{esc(safe_url(chunk.url) or "")}" data-start="{ev.start}" data-end="{ev.end}" '
        f'data-where="{esc(where)}"'
    )


def _highlighted(text: str, start: int, end: int) -> str:
    if not 0 <= start < end <= len(text):
        return esc(text)
    return f"{esc(text[:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:])}"


def format_card(turn: int, ev: Evidence) -> str:
    """A source card: number, title, outlet, date, link, and the passage with the cited span highlighted."""
    chunk = ev.chunk
    url = safe_url(chunk.url)
    link = (
        f' · <a href="{esc(url)}" target="_blank" rel="noopener noreferrer">original article ↗</a>'
        if url
        else " · no link recorded"
    )
    label = "cited" if ev.cited else "retrieved"
    return (
        f'<div class="source-card {label}" tabindex="0" role="button" {_passage_holder_attrs(turn, ev)}>'
        f'<div><span class="card-n">[{ev.n}]</span><span class="card-title">{esc(chunk.title)}</span></div>'
        f'<div class="meta">{esc(dateline(outlet_of(chunk), chunk.published_at))}{link}</div>'
        f'<div class="passage">{_highlighted(chunk.text, ev.start, ev.end)}</div></div>'
    )


def format_sources(turn: int, answer: Answer, evidence: Sequence[Evidence] | None = None) -> str:
    """The Sources tab for an answer: cited passages first, then the other retrieved ones."""
    evidence = list(evidence) if evidence is not None else gather_evidence(answer)
    if not answer.covered:
        parts = ["<div class='view'><p class='empty'>No passage in the index answers this question. Try other "
                 "words (names, places, dates), clear the filters, or add articles and rebuild the index.</p>"]
        if evidence:
            parts.append("<h4>Closest passages found, judged not relevant enough</h4>")
            parts.extend(format_card(turn, ev) for ev in evidence)
        return "".join(parts) + "</div>"
    if not evidence:
        return WORKING
    cited = [ev for ev in evidence if ev.cited]
    other = [ev for ev in evidence if not ev.cited]
    parts = ["<div class='view sources'>"]
    if cited:
        parts.append("<p class='hint'>Cited in the answer — click a card or a marker to read the passage.</p>")
        parts.extend(format_card(turn, ev) for ev in cited)
    if other:
        parts.append("<h4>Also retrieved, not cited</h4>")
        parts.extend(format_card(turn, ev) for ev in other)
    parts.append("</div>")
    return "".join(parts)


def format_store(turns: Sequence[Turn]) -> str:
    """Hidden holders of every finished turn's passages and copy text, so old markers still open."""
    parts = []
    for turn in turns:
        parts.append(f'<pre data-copy="{turn.number}">{esc(answer_markdown(turn))}</pre>')
        for ev in turn.evidence:
            parts.append(f'<div {_passage_holder_attrs(turn.number, ev)}><div class="passage">'
                         f"{esc(ev.chunk.text)}</div></div>")
    return "".join(parts)


# ---------------------------------------------------------------- coverage timeline (inline SVG)


def format_timeline(turn: int, points: Sequence[TimelinePoint], evidence: Sequence[Evidence]) -> str:
    """An SVG plot of the answer's articles by date (x) and outlet (rows); each dot opens its passage."""
    if not points:
        return ("<div class='view'><p class='empty'>No articles to plot: nothing in the index answers this "
                "question.</p></div>")
    spans = {ev.n: (ev.start, ev.end) for ev in evidence}
    dated = [p for p in points if p.day is not None]
    undated = [p for p in points if p.day is None]
    outlets = {p.outlet for p in points}
    days = [p.day for p in dated if p.day is not None]
    span = month_span(min(days), max(days)) if days else "undated"
    parts = ["<div class='view timeline'>", f"<h4>Who reported when: {len(points)} article(s) from {len(outlets)} "
             f"outlet(s), {esc(span)}</h4>"]
    if dated:
        parts.append(_timeline_svg(turn, dated, spans))
    parts.append("<p class='hint'>● filled: cited in the answer · ○ hollow: retrieved, not cited. "
                 "Click a dot or a line below to read the passage.</p><ol>")
    for p in points:
        n = p.markers[0]
        start, end = spans.get(n, (0, 0))
        when = nice_day(p.day) or "undated"
        parts.append(
            f'<li><span class="meta">{esc(when)} · {esc(p.outlet)}</span> — '
            f'<a href="#psg-{turn}-{n}" data-start="{start}" data-end="{end}">{esc(p.title)}</a> '
            + " ".join(f"[{m}]" for m in p.markers)
            + ("" if p.cited else " <span class='meta'>(not cited)</span>")
            + "</li>"
        )
    parts.append("</ol>")
    if undated:
        parts.append(f"<p class='hint'>{len(undated)} article(s) carry no publication date and are not plotted.</p>")
    parts.append("</div>")
    return "".join(parts)


def _timeline_svg(turn: int, points: Sequence[TimelinePoint], spans: dict[int, tuple[int, int]]) -> str:
    days = [p.day for p in points if p.day is not None]
    earliest: dict[str, date] = {}
    for p in points:
        if p.day is not None:
            earliest[p.outlet] = min(p.day, earliest.get(p.outlet, p.day))
    outlets = sorted(earliest, key=lambda o: (earliest[o], o))
    first, last = min(days), max(days)
    pad = max(timedelta(days=3), (last - first) * 0.06)
    lo, hi = first - pad, last + pad
    width, left, right, top, row, bottom = 460, 112, 16, 12, 32, 34
    height = top + row * len(outlets) + bottom
    span_days = max((hi - lo).days, 1)

    def x(day: date) -> float:
        return left + (day - lo).days / span_days * (width - left - right)

    svg = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Coverage timeline: '
        f'{len(points)} articles from {len(outlets)} outlets, {esc(month_span(first, last))}">'
    ]
    for i, outlet in enumerate(outlets):
        y = top + row * i + row / 2
        label = outlet if len(outlet) <= 17 else outlet[:16] + "…"
        svg.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y}" y2="{y}"/>')
        svg.append(
            f'<g><title>{esc(outlet)}</title><text class="outlet" x="{left - 8}" y="{y + 4}" text-anchor="end">'
            f"{esc(label)}</text></g>"
        )
    axis_y = top + row * len(outlets) + 6
    svg.append(f'<line class="axis" x1="{left}" x2="{width - right}" y1="{axis_y}" y2="{axis_y}"/>')
    for tick, label in _ticks(lo, hi):
        tx = x(tick)
        svg.append(f'<line class="axis" x1="{tx:.1f}" x2="{tx:.1f}" y1="{axis_y}" y2="{axis_y + 4}"/>')
        svg.append(f'<text class="tick" x="{tx:.1f}" y="{axis_y + 16}" text-anchor="middle">{esc(label)}</text>')
    crowd: dict[tuple[str, date], int] = {}
    for p in points:
        assert p.day is not None
        k = crowd.get((p.outlet, p.day), 0)
        crowd[(p.outlet, p.day)] = k + 1
        cx = x(p.day) + 15 * k  # same outlet, same day: side by side instead of on top of each other
        cy = top + row * outlets.index(p.outlet) + row / 2
        n = p.markers[0]
        start, end = spans.get(n, (0, 0))
        tip = f"[{', '.join(map(str, p.markers))}] {p.title} — {p.outlet}, {nice_day(p.day)}"
        svg.append(
            f'<a class="dot {"cited" if p.cited else "retrieved"}" href="#psg-{turn}-{n}" '
            f'data-start="{start}" data-end="{end}"><title>{esc(tip)}</title>'
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="9"/>'
            f'<text x="{cx:.1f}" y="{cy + 3:.1f}" text-anchor="middle">{n}</text></a>'
        )
    svg.append("</svg>")
    return "".join(svg)


def _ticks(lo: date, hi: date) -> list[tuple[date, str]]:
    """Axis ticks: weekly for a few weeks, monthly for up to two years, yearly beyond."""
    span = (hi - lo).days
    ticks: list[tuple[date, str]] = []
    if span <= 35:
        day = lo + timedelta(days=(7 - lo.weekday()) % 7)  # Mondays
        while day <= hi:
            ticks.append((day, f"{day.day} {day:%b}"))
            day += timedelta(days=7)
        return ticks
    if span <= 730:
        year, month = lo.year, lo.month + 1
        step = 1 if span <= 240 else 3
        while True:
            if month > 12:
                year, month = year + 1, month - 12
            day = date(year, month, 1)
            if day > hi:
                return ticks
            ticks.append((day, f"{day:%b %Y}" if month == 1 or not ticks else f"{day:%b}"))
            month += step
    for year in range(lo.year + 1, hi.year + 1):
        ticks.append((date(year, 1, 1), str(year)))
    return ticks


# ---------------------------------------------------------------- outlet comparison and quotes


def format_compare(turn: int, columns: Sequence[OutletColumn], evidence: Sequence[Evidence] = ()) -> str:
    """Each outlet's statements on the question, side by side, every statement cited."""
    silent: dict[str, set[str]] = {}
    shown = {col.outlet for col in columns}
    for ev in evidence:
        if outlet_of(ev.chunk) not in shown:
            silent.setdefault(outlet_of(ev.chunk), set()).add(ev.chunk.article_id)
    note = (
        "<p class='hint'>Also retrieved, with nothing relevant to this question: "
        + ", ".join(f"{esc(outlet)} ({len(ids)} article{'s' if len(ids) > 1 else ''})"
                    for outlet, ids in sorted(silent.items()))
        + ".</p>"
        if silent
        else ""
    )
    if not columns:
        return ("<div class='view'><p class='empty'>Nothing to compare: no retrieved passage says anything "
                "relevant to this question.</p></div>")
    parts = ["<div class='view'>", f"<p class='hint'>What {len(columns)} outlet(s) say on this question, "
             "from the passages retrieved for it. Click a marker to read the statement in its passage.</p>",
             "<div class='compare-grid'>"]
    for col in columns:
        parts.append(f"<div class='compare-col'><h5>{esc(col.outlet)}</h5>")
        dates = sorted(d for _, d in col.articles if d)
        span = month_span(dates[0], dates[-1]) if dates else "undated"
        parts.append(f"<div class='meta'>{len(col.articles)} article(s) · {esc(span)}</div><ul>")
        for st in col.statements:
            parts.append(
                f"<li>{esc(st.text)} <a class='cite' href='#psg-{turn}-{st.n}' data-start='{st.start}' "
                f"data-end='{st.end}' title='Open passage [{st.n}]'>[{st.n}]</a></li>"
            )
        parts.append("</ul><div class='meta'>" + "<br>".join(
            esc(f"{title} ({nice_day(day) or 'undated'})") for title, day in col.articles) + "</div></div>")
    parts.append("</div>" + note + "</div>")
    return "".join(parts)


def format_quotes(turn: int, quotes: Sequence[Quote]) -> str:
    """Who said what: every quoted statement in the answer's passages, with its speaker when named."""
    if not quotes:
        return ("<div class='view'><p class='empty'>No quoted statement in the passages behind this "
                "answer.</p></div>")
    named = sum(1 for q in quotes if q.speaker)
    parts = ["<div class='view'>", f"<p class='hint'>{len(quotes)} quoted statement(s), {named} with a named "
             "speaker. Click a marker to read the quote in its passage.</p>"]
    for q in quotes:
        who = esc(q.speaker) if q.speaker else "<i>speaker not named in the passage</i>"
        parts.append(
            f"<div class='quote'><blockquote>“{esc(q.text.rstrip(' ,'))}”</blockquote><div class='who'>— <b>{who}</b>"
            f"<span class='meta'>, in {esc(q.chunk.title)} ({esc(dateline(outlet_of(q.chunk), q.chunk.published_at))})"
            f"</span> <a class='cite' href='#psg-{turn}-{q.n}' data-start='{q.start}' data-end='{q.end}' "
            f"title='Open passage [{q.n}]'>[{q.n}]</a></div></div>"
        )
    parts.append("</div>")
    return "".join(parts)


# ---------------------------------------------------------------- Markdown: copy and export


@dataclass
class Turn:
    """One finished question and answer of the conversation, with what was searched."""

    number: int
    question: str
    answer: Answer
    scope: str
    evidence: list[Evidence] = field(default_factory=list)


def answer_markdown(turn: Turn) -> str:
    """One answer as Markdown with its references (what "copy" puts on the clipboard)."""
    answer = turn.answer
    lines: list[str] = []
    if answer.done and answer.sentences:
        rendered = []
        for s in answer.sentences:
            text = s.text.strip()
            if not MARKER.search(text):
                text += "".join(f" [{n}]" for n in s.citations)
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


# ---------------------------------------------------------------- filters


def parse_day(raw: str | None, label: str) -> date | None:
    """A date from the date boxes; a clear error when it is not YYYY-MM-DD."""
    if raw is None or not str(raw).strip():
        return None
    text = str(raw).strip()[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise gr.Error(f"The {label} date “{raw}” is not a date: write it as YYYY-MM-DD, e.g. 2023-10-31.") from None


def build_filters(
    outlets: Sequence[str] | None, categories: Sequence[str] | None, date_from: str | None, date_to: str | None
) -> Filters:
    """The retrieval filters chosen beside the chat (dates are whole days, both ends included)."""
    first = parse_day(date_from, "“from”")
    last = parse_day(date_to, "“to”")
    if first and last and first > last:
        raise gr.Error(f"The “from” date {first} is after the “to” date {last}: swap them or clear one.")

    def ts(day: date) -> int:
        return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())

    return Filters(
        outlets=tuple(outlets or ()),
        categories=tuple(categories or ()),
        date_from=ts(first) if first else None,
        date_to=ts(last) + 86399 if last else None,
    )


def not_covered_hint(filters: Filters) -> str:
    """What to try when nothing relevant was found."""
    if not filters.empty:
        return ("Nothing relevant within the selected filters: widen or clear them (Filters, left) and ask again.")
    return ("Try other words — names, places, dates from the articles — or add articles to the corpus and "
            "rebuild the index.")


# ---------------------------------------------------------------- the app's long-lived state


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ChatApp:
    """What the page needs, loaded once: the engine (None until an index exists), the corpus profile, examples."""

    def __init__(self, settings: Settings, embedder: Embedder, engine: ChatEngine | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.engine = engine
        self.profile: CorpusProfile | None = None
        self.examples: list[ExampleQuestion] = []
        self.rebuild_lock = threading.Lock()
        self._load_lock = threading.Lock()
        self.load()

    @property
    def rebuild_allowed(self) -> bool:
        """Rebuilding from the page is for local use: only when the chat listens on this machine only."""
        return _is_local(self.settings.host)

    def load(self) -> None:
        """Open the engine if needed and read the outlets, categories, dates and example questions."""
        with self._load_lock:
            self._load()

    def _load(self) -> None:
        if self.engine is None:
            try:
                self.engine = ChatEngine(self.settings, self.embedder)
            except NoIndexError:
                return
        self.engine.retriever.refresh()
        self.profile = profile_fields(self.engine.retriever.chunk_fields)
        # Example questions need chunk text; a bounded sample keeps start-up flat however large the index grows.
        chunks = [s.chunk for s in itertools.islice(self.engine.retriever.collection.iter_all(), EXAMPLE_SAMPLE)]
        self.examples = example_questions(chunks, answerable=answerable_by(self.engine))

    def status_markdown(self) -> str:
        """Index status: articles, chunks, last rebuild, embedding model."""
        if self.engine is None:
            return f"**No index yet.** Click **Rebuild index** to index the articles in {self.settings.corpus}."
        info = self.engine.retriever.store.info()
        built = info.built_at
        with contextlib.suppress(ValueError):
            built = datetime.fromisoformat(built).strftime("%d %b %Y, %H:%M UTC")
        outlets = len(self.profile.outlets) if self.profile else 0
        return (
            f"**{info.articles} articles** from {outlets} outlets, **{info.chunks} passages**  \n"
            f"Last rebuild: {built}  \nEmbedding model: {info.embedding_model}  \n"
            f"Corpus: {self.settings.corpus}  \nIndex: {info.location}"
        )


# ---------------------------------------------------------------- the page


def _history_pairs(history: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """(question, answer text) pairs from Chatbot messages, whose content is a string or a list of parts."""
    pairs: list[tuple[str, str]] = []
    pending: str | None = None
    for message in history:
        content = message.get("content")
        if isinstance(content, str):
            text = content
        elif isinstance(content, list):
            text = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        elif isinstance(content, dict):
            text = str(content.get("text", ""))
        else:
            text = ""
        # Keep the answer's words only: drop the notes, scope line and copy link around them.
        text = re.sub(r'<details.*?</details>|<p class="(?:answer-meta|answer-actions|note)">.*?</p>', " ", text,
                      flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"</(?:p|div)>|<br\s*/?>", " ", text)))
        text = re.sub(r"\s+", " ", text).strip()
        if message.get("role") == "user":
            pending = text
        elif message.get("role") == "assistant" and pending is not None:
            pairs.append((pending, text))
            pending = None
    return pairs


def _user_bubble(question: str) -> dict[str, Any]:
    return {"role": "user", "content": html.escape(question, quote=False)}


def _outlet_choices(chat: ChatApp) -> list[str]:
    return list(chat.profile.outlets) if chat.profile else []


def _category_choices(chat: ChatApp) -> list[str]:
    return list(chat.profile.categories) if chat.profile else []


def _example_messages(chat: ChatApp) -> list[dict[str, str]]:
    return [{"text": q.text} for q in chat.examples]


def _placeholder(chat: ChatApp) -> str:
    if chat.engine is None:
        return ("<h3>No index yet</h3><p>There are no articles to search. Open <b>Index</b> on the left and "
                "click <b>Rebuild index</b>, then ask a question.</p>")
    if not chat.examples:
        return "<h3>Ask about the news in your index</h3><p>Answers quote the articles and cite each passage.</p>"
    return ("<h3>Ask about the news in your index</h3><p>Answers quote the articles and cite each passage. "
            "Try one of these questions, built from your corpus:</p>")


def build_app(chat: ChatApp | ChatEngine) -> gr.Blocks:
    """The Gradio page over an already loaded engine (or a ChatApp that may still lack an index)."""
    if isinstance(chat, ChatEngine):
        chat = ChatApp(chat.settings, chat.embedder, chat)
    app = chat

    def respond(
        message: str,
        history: list[dict[str, Any]],
        turns: list[Turn],
        outlets: list[str] | None,
        categories: list[str] | None,
        date_from: str | None,
        date_to: str | None,
    ) -> Iterator[tuple[Any, ...]]:
        question = (message or "").strip()
        if not question:
            gr.Warning("Type a question first, or pick one of the examples.")
            return
        filters = build_filters(outlets, categories, date_from, date_to)  # gr.Error keeps the question in the box
        history = list(history or [])
        turns = list(turns or [])
        number = (turns[-1].number if turns else 0) + 1
        past = [(t.question, t.answer.text) for t in turns] or _history_pairs(history)
        history.append(_user_bubble(question))
        history.append({"role": "assistant", "content": format_answer(Answer(question=question), number)})
        skip = gr.skip()
        yield "", history, turns, WORKING, WORKING, WORKING, WORKING, skip, skip
        if app.engine is None:
            app.load()  # the index may have been built since (`python -m index rebuild`)
        if app.engine is None or app.profile is None:
            text = NO_INDEX_TEXT.format(corpus=app.settings.corpus, store=app.settings.store)
            history[-1] = {"role": "assistant", "content": format_error(text.replace("**", "").replace("`", ""))}
            yield "", history, turns, EMPTY_SOURCES, EMPTY_TIMELINE, EMPTY_COMPARE, EMPTY_QUOTES, skip, skip
            return
        scope = describe_scope(filters, app.profile)
        answer: Answer | None = None
        try:
            for answer in app.engine.stream_answer(question, past, filters=filters):
                hint = "" if answer.covered or not answer.done else not_covered_hint(filters)
                history[-1] = {"role": "assistant", "content": format_answer(answer, number, scope, hint)}
                if answer.done:
                    break
                yield "", history, turns, format_sources(number, answer), skip, skip, skip, skip, skip
        except (IndexLayerError, BotError) as exc:
            history[-1] = {"role": "assistant", "content": format_error(str(exc))}
            yield "", history, turns, EMPTY_SOURCES, EMPTY_TIMELINE, EMPTY_COMPARE, EMPTY_QUOTES, skip, skip
            return
        if answer is None:
            return
        evidence = gather_evidence(answer)
        turn = Turn(number, question, answer, scope, evidence)
        turns.append(turn)
        subject = answer.standalone_question or question
        columns = compare_outlets(subject, evidence, app.embedder) if answer.covered else []
        yield (
            "",
            history,
            turns,
            format_sources(number, answer, evidence),
            format_timeline(number, coverage_timeline(evidence) if answer.covered else [], evidence),
            format_compare(number, columns, evidence),
            format_quotes(number, quotes_in(evidence) if answer.covered else []),
            format_store(turns),
            gr.update(value=write_export(turns, app.profile), interactive=True),
        )

    def respond_example(
        selection: gr.SelectData, history: list[dict[str, Any]], turns: list[Turn], *filters: Any
    ) -> Iterator[tuple[Any, ...]]:
        value = selection.value
        text = value.get("text", "") if isinstance(value, dict) else str(value)
        yield from respond(text, history, turns, *filters)

    def describe_filters(outlets: list[str] | None, categories: list[str] | None, date_from: str | None,
                         date_to: str | None) -> str:
        if app.profile is None:
            return "No index yet."
        try:
            filters = build_filters(outlets, categories, date_from, date_to)
        except gr.Error as exc:
            return f"⚠️ {exc.message}"
        return "Next question: " + describe_scope(filters, app.profile) + "."

    def refresh_page() -> tuple[Any, ...]:
        if app.engine is None:
            app.load()
        return (
            app.status_markdown(),
            gr.update(choices=_outlet_choices(app)),
            gr.update(choices=_category_choices(app)),
            gr.update(examples=_example_messages(app) or None, placeholder=_placeholder(app)),
            describe_filters([], [], None, None),
        )

    def clear_filters() -> tuple[Any, ...]:
        return [], [], None, None

    def new_chat() -> tuple[Any, ...]:
        return ([], [], EMPTY_SOURCES, EMPTY_TIMELINE, EMPTY_COMPARE, EMPTY_QUOTES, "",
                gr.update(value=None, interactive=False))

    def rebuild(
        full: bool, *filters: Any, progress: gr.Progress = gr.Progress()  # noqa: B008
    ) -> Iterator[tuple[Any, ...]]:
        from index.rebuild import RebuildReport, rebuild_index

        if not app.rebuild_allowed:
            raise gr.Error("Rebuilding from the page is only offered when the chat runs on 127.0.0.1; "
                           "run `python -m index rebuild` on the server instead.")
        if not app.rebuild_lock.acquire(blocking=False):
            raise gr.Error("A rebuild is already running: wait for it to finish.")
        skip = gr.skip()
        try:
            # The rebuild runs beside this generator, which turns its progress reports into page updates.
            events: queue.Queue[tuple[str, int, int] | None] = queue.Queue()
            outcome: dict[str, Any] = {}

            def work() -> None:
                try:
                    outcome["report"] = rebuild_index(
                        app.settings, app.embedder, full=full, progress=lambda *event: events.put(event)
                    )
                except IndexLayerError as exc:
                    outcome["error"] = exc
                finally:
                    events.put(None)

            worker = threading.Thread(target=work, name="rebuild", daemon=True)
            worker.start()
            yield f"Rebuilding the index from `{app.settings.corpus}`…", skip, skip, skip, skip
            shown = 0.0
            while (event := events.get()) is not None:
                stage, done, total = event
                label = REBUILD_STAGES.get(stage, stage)
                progress((done, total) if total else None, desc=f"{label}…", unit="items")
                if time.monotonic() - shown > 0.25:
                    shown = time.monotonic()
                    count = f" {done}/{total}" if total else ""
                    yield f"Rebuilding: {label}{count}…", skip, skip, skip, skip
            worker.join()
            if "error" in outcome:
                raise gr.Error(str(outcome["error"]))
            report: RebuildReport = outcome["report"]
            app.load()
        finally:
            app.rebuild_lock.release()
        lines = [f"✓ Rebuilt in {report.seconds:.1f} s: {report.articles} articles, {report.chunks} passages"]
        if report.changed:
            lines.append(f"({report.added} added, {report.updated} updated, {report.removed} removed, "
                         f"{report.unchanged} unchanged).")
        else:
            lines.append("(nothing had changed).")
        if report.skipped:
            lines.append(f"\n\n{len(report.skipped)} file(s) skipped: " + "; ".join(
                f"`{s.origin}`: {s.reason}" for s in report.skipped[:5]))
        yield (
            app.status_markdown() + "\n\n" + " ".join(lines),
            gr.update(choices=_outlet_choices(app)),
            gr.update(choices=_category_choices(app)),
            gr.update(examples=_example_messages(app) or None, placeholder=_placeholder(app)),
            describe_filters(*filters),
        )

    with gr.Blocks(title=TITLE) as demo:
        gr.Markdown(
            f"# {TITLE}\nAsk about the articles in your index. Every sentence of an answer cites the passage it "
            "comes from: click a marker such as **[1]** to read it, with the cited words highlighted.",
            elem_id="app-title",
        )
        turns_state = gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=250, elem_id="side"):
                gr.Markdown("### Filters")
                outlets = gr.Dropdown(
                    choices=_outlet_choices(app), multiselect=True, label="Outlets",
                    info="Search only these (empty: all)", elem_id="filter-outlets",
                )
                categories = gr.Dropdown(
                    choices=_category_choices(app), multiselect=True, label="Categories", elem_id="filter-categories"
                )
                with gr.Row():
                    date_from = gr.DateTime(include_time=False, type="string", label="From", elem_id="filter-from")
                    date_to = gr.DateTime(include_time=False, type="string", label="To", elem_id="filter-to")
                scope_note = gr.Markdown(describe_filters([], [], None, None), elem_id="scope-note")
                clear_btn = gr.Button("Clear filters", size="sm", elem_id="clear-filters")
                gr.Markdown("### Display")
                hide_unsupported = gr.Checkbox(
                    label="Hide unsupported sentences", value=False, elem_id="hide-unsupported"
                )
                export_btn = gr.DownloadButton(
                    "Export conversation (.md)", value=None, interactive=False, size="sm", elem_id="export"
                )
                new_chat_btn = gr.Button("New chat", size="sm", elem_id="new-chat")
                with gr.Accordion("Index", open=app.engine is None, elem_id="index-panel"):
                    status = gr.Markdown(app.status_markdown(), elem_id="index-status")
                    full = gr.Checkbox(label="Re-embed everything (full rebuild)", value=False)
                    rebuild_btn = gr.Button(
                        "Rebuild index", variant="primary" if app.engine is None else "secondary", size="sm",
                        elem_id="rebuild",
                        interactive=app.rebuild_allowed,
                    )
                    if not app.rebuild_allowed:
                        gr.Markdown("Rebuilding from the page is only offered when the chat runs on 127.0.0.1.")
            with gr.Column(scale=3, min_width=420):
                chatbot = gr.Chatbot(
                    label="Chat",
                    height=640,
                    render_markdown=False,
                    sanitize_html=True,
                    feedback_options=None,
                    buttons=[],
                    placeholder=_placeholder(app),
                    examples=_example_messages(app) or None,
                    elem_id="chat",
                )
                box = gr.Textbox(
                    label="Question", placeholder="Ask a question about the articles…", submit_btn=True,
                    elem_id="question", autofocus=True,
                )
            with gr.Column(scale=2, min_width=340), gr.Tabs(elem_id="views"):
                with gr.Tab("Sources", id="tab-sources"):
                    sources = gr.HTML(EMPTY_SOURCES, elem_id="sources")
                with gr.Tab("Timeline", id="tab-timeline"):
                    timeline = gr.HTML(EMPTY_TIMELINE, elem_id="timeline")
                with gr.Tab("Compare outlets", id="tab-compare"):
                    compare = gr.HTML(EMPTY_COMPARE, elem_id="compare")
                with gr.Tab("Quotes", id="tab-quotes"):
                    quotes = gr.HTML(EMPTY_QUOTES, elem_id="quotes")
        store = gr.HTML("", elem_id="passage-store")

        filter_inputs = [outlets, categories, date_from, date_to]
        outputs = [box, chatbot, turns_state, sources, timeline, compare, quotes, store, export_btn]
        box.submit(respond, [box, chatbot, turns_state, *filter_inputs], outputs, api_name="respond")
        chatbot.example_select(respond_example, [chatbot, turns_state, *filter_inputs], outputs,
                               api_name=False)
        for component in filter_inputs:
            component.change(describe_filters, filter_inputs, scope_note, api_name=False, queue=False)
        clear_btn.click(clear_filters, None, filter_inputs, api_name=False, queue=False)
        reset = [chatbot, turns_state, sources, timeline, compare, quotes, store, export_btn]
        new_chat_btn.click(new_chat, None, reset, api_name=False)
        chatbot.clear(new_chat, None, reset, api_name=False)
        hide_unsupported.change(
            None, hide_unsupported, None,
            js="(hide) => { document.body.classList.toggle('hide-unsupported', hide); return []; }",
        )
        page_state = [status, outlets, categories, chatbot, scope_note]
        rebuild_btn.click(rebuild, [full, *filter_inputs], page_state, api_name=False, concurrency_limit=1)
        demo.load(refresh_page, None, page_state, api_name=False)
    return demo


# ---------------------------------------------------------------- command line


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
    parser.add_argument(
        "--no-build", action="store_true",
        help="do not build a missing index at start (the page then offers to build it)",
    )
    return parser


def prepare_app(settings: Settings, build_if_missing: bool = True, say: Callable[[str], None] = print) -> ChatApp:
    """Load the model once, build the index from the corpus if there is none (unless told not to)."""
    from index.embedding import load_embedder
    from index.store import open_store

    embedder = load_embedder(settings.embed_model)
    try:
        store = open_store(settings.store, settings.chroma_url)
        store.require_active(embedder.name)
    except NoIndexError:
        if build_if_missing:
            from index.rebuild import rebuild_index

            say(f"no index at {settings.store} yet: building it from {settings.corpus} …")
            report = rebuild_index(settings, embedder)
            say(f"indexed {report.articles} articles → {report.chunks} chunks in {report.seconds:.1f} s")
            for item in report.skipped:
                say(f"  skipped {item.origin}: {item.reason}")
        else:
            say(f"no index at {settings.store} yet: the page offers to build it from {settings.corpus}")
    return ChatApp(settings, embedder)


def main(argv: Sequence[str] | None = None) -> int:
    """Start the chat server."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(
            store=args.store, corpus=args.corpus, chroma_url=args.chroma_url, host=args.host, port=args.port
        )
        chat = prepare_app(settings, build_if_missing=not args.no_build, say=lambda m: print(m, flush=True))
    except (IndexLayerError, BotError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    demo = build_app(chat)
    print(f"chat ready on http://{settings.host}:{settings.port}", flush=True)
    demo.queue(default_concurrency_limit=2).launch(
        server_name=settings.host, server_port=settings.port, show_error=True, css=CSS, head=HEAD,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
