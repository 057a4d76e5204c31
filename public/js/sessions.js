// Sessions list: a "select all" checkbox per table (progressive enhancement; the page works without it).
(function () {
  'use strict';
  document.querySelectorAll('input.js-select-all').forEach(function (all) {
    var table = all.closest('table');
    if (!table) return;
    var boxes = table.querySelectorAll('tbody input[type="checkbox"][name="ids"]');
    all.hidden = false;
    all.addEventListener('change', function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    table.addEventListener('change', function (event) {
      if (event.target === all) return;
      var checked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
      all.checked = checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    });
  });
})();
