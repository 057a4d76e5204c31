// Progressive enhancement of the self-marking settings form (it works without it): the rotation
// fields show only while "rotating QR" is chosen. Without JavaScript they stay visible and the
// server ignores them for the other modes. A field with an error is never hidden.
(function () {
  'use strict';
  var wrap = document.querySelector('.js-rotation-fields');
  var radios = document.querySelectorAll('.js-check-in-mode');
  if (!wrap || radios.length === 0) return;
  var sync = function () {
    var chosen = document.querySelector('.js-check-in-mode:checked');
    var invalid = wrap.querySelector('[aria-invalid="true"]');
    wrap.hidden = !invalid && (!chosen || chosen.value !== wrap.getAttribute('data-mode'));
  };
  radios.forEach(function (radio) { radio.addEventListener('change', sync); });
  sync();
})();
