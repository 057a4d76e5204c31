// Projector view: keeps the code, the QR and the counter current without reloading the page.
// Without JavaScript the page reloads itself with a meta refresh (at each rotation, or every
// few seconds). This script cancels that refresh and instead:
// - asks the server for the state exactly when the code rotates (the server's clock decides:
//   the page only waits `secondsLeft`), and every ~5 s for the counter;
// - ticks the countdown each second;
// - reloads the whole page only when the state changes (check-in opens or closes);
// - on a failed request shows a small "reconnecting" note and tries again;
// - when the link was revoked or expired (404), reloads once: the server's "link no longer
//   valid" page has no script, so the asking stops there.
// The page is opened through a projector link: the URL is the only credential, no ltik, no cookie.
(function () {
  'use strict';

  var root = document.querySelector('.js-projector');
  if (!root) return;
  var pageState = root.getAttribute('data-state');
  // Nothing on the page changes by itself in these states.
  if (pageState !== 'open' && pageState !== 'not_open') return;

  var POLL_MS = 5000;
  var RETRY_MS = 3000;
  // Asking a moment after the rotation, so the server is surely in the new slot.
  var AFTER_ROTATION_MS = 150;
  var stateUrl = root.getAttribute('data-state-url');
  var qr = root.querySelector('.js-qr');
  var code = root.querySelector('.js-code');
  var countdown = root.querySelector('.js-countdown');
  var counter = root.querySelector('.js-counter');
  var reconnecting = root.querySelector('.js-reconnecting');
  var slot = root.getAttribute('data-slot');
  var rotateAt = null; // performance.now() of the next rotation, when the code rotates
  var timer = null;

  function setText(el, text) {
    if (el && typeof text === 'string' && el.textContent !== text) el.textContent = text;
  }

  function tick() {
    if (!countdown || rotateAt === null) return;
    var seconds = Math.max(0, Math.ceil((rotateAt - performance.now()) / 1000));
    setText(countdown, (countdown.getAttribute('data-template') || '').replace('{{seconds}}', String(seconds)));
  }

  function apply(s) {
    if (s.state !== pageState) {
      window.location.reload();
      return false;
    }
    if (reconnecting) reconnecting.hidden = true;
    setText(counter, s.counterText);
    if (s.slot !== undefined && String(s.slot) !== slot) {
      slot = String(s.slot);
      if (qr && s.qrDataUri) qr.setAttribute('src', s.qrDataUri);
      setText(code, s.typedDisplay);
      root.setAttribute('data-slot', slot);
    }
    rotateAt = typeof s.secondsLeft === 'number' ? performance.now() + s.secondsLeft * 1000 : null;
    tick();
    return true;
  }

  function nextDelay(s) {
    var wait = POLL_MS;
    if (typeof s.secondsLeft === 'number') wait = Math.min(wait, s.secondsLeft * 1000 + AFTER_ROTATION_MS);
    if (typeof s.opensInSeconds === 'number') wait = Math.min(wait, s.opensInSeconds * 1000 + AFTER_ROTATION_MS);
    return Math.max(wait, 200);
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(refresh, ms);
  }

  function refresh() {
    fetch(stateUrl, {
      headers: { Accept: 'application/json' },
      credentials: 'omit',
      cache: 'no-store',
    })
      .then(function (res) {
        if (res.status === 404) return null;
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (s) {
        if (s === null) window.location.reload();
        else if (apply(s)) schedule(nextDelay(s));
      })
      .catch(function () {
        if (reconnecting) reconnecting.hidden = false;
        schedule(RETRY_MS);
      });
  }

  // A meta refresh is not cancelled by removing its element, but window.stop() after the load
  // does cancel it (its timer starts once the page has loaded). Requests start after that, so
  // the stop cannot abort one of them.
  function start() {
    setTimeout(function () {
      window.stop();
      // The refresh is cancelled; removing its element too tells assistive tools (and axe) that
      // this page will not reload by itself.
      var metaRefresh = document.querySelector('meta[http-equiv="refresh"]');
      if (metaRefresh) metaRefresh.parentNode.removeChild(metaRefresh);
      // Ticks more often than once a second so the shown second changes on time.
      setInterval(tick, 250);
      // The first request also learns the exact time left (the page's number was rounded up).
      refresh();
    }, 0);
  }
  if (document.readyState === 'complete') start();
  else window.addEventListener('load', start);
})();
