// On a narrow screen (a phone) the filter panel starts folded, so the first screen shows the chat: Gradio's
// accordion is open or closed for every visitor alike, so this script closes it once the page has rendered,
// when the window is narrow. Served in the page's <head> by bot/web/server.py.
(function () {
  const NARROW = '(max-width: 640px)';
  const started = Date.now();
  function fold() {
    const toggle = document.querySelector('#filters-panel > button.label-wrap, #filters-panel button.label-wrap');
    if (!toggle) { if (Date.now() - started < 30000) setTimeout(fold, 100); return; }
    if (window.matchMedia(NARROW).matches && toggle.classList.contains('open')) toggle.click();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fold); else fold();
})();
