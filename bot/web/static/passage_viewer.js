// Gradio has no component for inline citations that open a passage: markers and cards are links to
// `#psg-<turn>-<n>`, and this script opens the passage they name in a dialog, building it from text
// nodes only (never innerHTML), so nothing from an article can run.  It also copies answers.
// The passages come from the data-* attributes of bot/web/templates/passages.html; served in the page's
// <head> by bot/web/server.py.
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
    const whole = document.createElement('a'); whole.className = 'pv-article'; whole.href = '#read-';
    whole.textContent = 'Read the whole article';
    foot.append(whole, link, nolink, where);
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
    dlg.querySelector('.pv-article').setAttribute('href', '#read-' + key + (e > s ? ':' + s + ':' + e : ''));
    if (!dlg.open) dlg.showModal();
    if (e > s) mark.scrollIntoView({block: 'center'});
    return true;
  }
  // The whole article comes from the server (bot/web/reader.py): the request goes into a hidden textbox, and
  // the reader it renders is shown once its data-request names this request.
  let readerTimer = null;
  function closeReader() { document.body.classList.remove('reader-open'); clearInterval(readerTimer); }
  function openReader(request) {
    const box = document.querySelector('#reader-request textarea, #reader-request input');
    if (!box) { toast('The article reader is not available on this page'); return; }
    const dlg = document.getElementById('passage-viewer');
    if (dlg && dlg.open) dlg.close();
    const wanted = request + ':' + Date.now().toString(36);
    box.value = wanted;
    box.dispatchEvent(new Event('input', {bubbles: true}));
    toast('Opening the article…');
    clearInterval(readerTimer);
    const since = Date.now();
    readerTimer = setInterval(function () {
      const shown = document.querySelector('#article-reader .reader[data-request="' + wanted + '"]');
      if (shown) {
        clearInterval(readerTimer);
        document.body.classList.add('reader-open');
        const focus = shown.querySelector('#reader-focus');
        if (focus) focus.scrollIntoView({block: 'center'});
        const el = document.getElementById('toast'); if (el) el.hidden = true;
      } else if (Date.now() - since > 15000) {
        clearInterval(readerTimer); toast('The article did not open: try again');
      }
    }, 100);
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
    const reading = event.target.closest('a[href^="#read-"], a[href="#close-reader"]');
    if (reading) {
      event.preventDefault(); event.stopPropagation();
      const target = reading.getAttribute('href');
      if (target === '#close-reader') closeReader(); else openReader(target.slice(6));
      return;
    }
    if (document.body.classList.contains('reader-open') && !event.target.closest('#article-reader')) closeReader();
    // The topic tabs' full-width toggle: the evidence column moves below the chat (chat.css: body.wide-views).
    if (event.target.closest('.wide-toggle')) {
      const wide = document.body.classList.toggle('wide-views');
      document.querySelectorAll('.wide-toggle').forEach(function (b) { b.setAttribute('aria-pressed', String(wide)); });
      document.getElementById('views')?.scrollIntoView({block: 'start'});
      return;
    }
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
      if (!holder) { toast('This answer is no longer loaded: use Export conversation'); return; }
      copyText(holder.textContent).then(function (ok) {
        toast(ok ? 'Answer copied with its references' : 'Copying failed: select the text instead');
      });
      return;
    }
    if (!openPassage(href.slice(5), link.dataset.start, link.dataset.end)) {
      toast('This passage is no longer loaded: ask the question again');
    }
  }, true);
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape' && document.body.classList.contains('reader-open')) { closeReader(); return; }
    const card = event.target.closest && event.target.closest('.source-card[data-psg]');
    if (card && (event.key === 'Enter' || event.key === ' ')) { event.preventDefault(); openPassage(card.dataset.psg); }
  });
})();
