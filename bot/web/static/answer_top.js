// Each answer is read from its start: when a question is asked, the chat's window follows the answer growing below
// it only until the question reaches the window's top, where Gradio's own scrolling (turned off in
// bot/web/layout.py) followed the answer to its end and left the short answer and the first sentences above the
// window, most of all on a phone. A reader who scrolls meanwhile is left where they are.
// Served in the page's <head> by bot/web/server.py.
(function () {
  const MARGIN = 36;  // px above the question: the chat's label sits over the window's top corner
  let seen = 0;
  let pinned = null;  // the newest question, until it reaches the window's top or the reader scrolls
  function follow() {
    const asked = document.querySelectorAll('#chat .message-row.user-row');
    if (asked.length > seen) pinned = asked[asked.length - 1];
    seen = asked.length;  // fewer: a new chat emptied the list
    if (!pinned || !pinned.isConnected) { pinned = null; return; }
    const frame = pinned.closest('.bubble-wrap');
    if (!frame) return;
    const top = pinned.getBoundingClientRect().top - frame.getBoundingClientRect().top;
    if (top <= MARGIN + 1) { pinned = null; return; }  // at the top: the answer now grows out of sight, below
    frame.scrollTop += top - MARGIN;  // as far as the content allows: the answer below is not there yet
  }
  function watch() {
    const chat = document.querySelector('#chat');
    if (!chat) { setTimeout(watch, 100); return; }
    new MutationObserver(follow).observe(chat, { subtree: true, childList: true, characterData: true });
    const stop = function () { pinned = null; };
    for (const kind of ['wheel', 'touchmove', 'keydown', 'mousedown']) chat.addEventListener(kind, stop, { passive: true });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch); else watch();
})();
