// Copy buttons on the landing page. Without JavaScript the read-only fields can be selected
// by hand, so the buttons stay hidden until this script shows them.
(function () {
  'use strict';
  var status = document.getElementById('copy-status');
  function announce(text) { if (status) status.textContent = text; }
  document.querySelectorAll('.js-copy').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var field = document.getElementById(button.getAttribute('data-copy-target'));
      if (!field) return;
      var original = button.textContent;
      var done = function () {
        button.textContent = button.getAttribute('data-copied');
        announce(button.getAttribute('data-copied') + ': ' + field.value);
        setTimeout(function () { button.textContent = original; }, 2000);
      };
      var fallback = function () {
        field.focus();
        field.select();
        try { if (document.execCommand('copy')) return done(); } catch (e) { /* ignore */ }
        announce(button.getAttribute('data-failed'));
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  });
})();
