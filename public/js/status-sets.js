// Progressive enhancement of the status-set pages (they work without it):
// ask before deleting, and show the minutes field only for "within N minutes".
(function () {
  'use strict';
  document.querySelectorAll('.js-confirm').forEach(function (button) {
    button.addEventListener('click', function (event) {
      if (!window.confirm(button.getAttribute('data-confirm') || '')) event.preventDefault();
    });
  });
  document.querySelectorAll('.js-pick-mode').forEach(function (select) {
    var wrap = document.getElementById(select.getAttribute('data-minutes') || '');
    if (!wrap) return;
    var sync = function () {
      var invalid = wrap.querySelector('[aria-invalid="true"]');
      wrap.hidden = select.value !== 'within' && !invalid;
    };
    select.addEventListener('change', sync);
    sync();
  });
})();
