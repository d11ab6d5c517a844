// The page's archive of answers' passages. Each answer sends only its own passages into the hidden
// #passage-store (bot/web/templates/store.html); this script copies them into an archive outside Gradio's
// components, keeping the last `data-keep` answers, so markers of earlier answers still open (the passage
// viewer finds them by their data-psg key) while the server never re-sends or keeps the older ones.
(function () {
  function archive() {
    let box = document.getElementById('passage-archive');
    if (!box) {
      box = document.createElement('div');
      box.id = 'passage-archive'; box.hidden = true;
      document.body.appendChild(box);
    }
    return box;
  }
  function take(store) {
    if (store.dataset.taken) return;
    store.dataset.taken = '1';
    const box = archive();
    if (store.dataset.mode === 'replace') box.replaceChildren();
    store.querySelectorAll('.store-turn').forEach(function (turn) {
      box.querySelectorAll('.store-turn[data-turn="' + turn.dataset.turn + '"]').forEach(function (old) { old.remove(); });
      box.appendChild(turn.cloneNode(true));
    });
    const keep = parseInt(store.dataset.keep, 10) || 20;
    while (box.children.length > keep) box.firstElementChild.remove();
  }
  function scan() {
    document.querySelectorAll('#passage-store .store[data-mode]').forEach(take);
  }
  function watch() {
    const holder = document.getElementById('passage-store');
    if (!holder) { setTimeout(watch, 200); return; }
    new MutationObserver(scan).observe(holder, {childList: true, subtree: true});
    scan();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch); else watch();
})();
