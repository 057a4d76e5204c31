// Groups page enhancements. Without JavaScript the page works as is: checkboxes are ticked one
// by one and the CSV is pasted into the text area, so these controls stay hidden until now.
(function () {
  'use strict';

  // "Select all" in a table header ticks or clears every row checkbox of that table.
  document.querySelectorAll('.js-select-all').forEach(function (all) {
    var table = document.getElementById(all.getAttribute('data-table'));
    if (!table) return;
    var boxes = Array.prototype.slice.call(table.querySelectorAll('tbody input[type="checkbox"]'));
    if (boxes.length === 0) return;
    function sync() {
      var checked = boxes.filter(function (b) { return b.checked; }).length;
      all.checked = checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
    all.hidden = false;
    all.addEventListener('change', function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      all.indeterminate = false;
    });
    boxes.forEach(function (b) { b.addEventListener('change', sync); });
    sync();
  });

  // A chosen CSV file is read into the text area, which is what the form sends.
  document.querySelectorAll('.js-csv-file').forEach(function (input) {
    var target = document.getElementById(input.getAttribute('data-target'));
    var field = document.getElementById('csv-file-field');
    var status = document.getElementById('csv-file-status');
    if (!target || typeof FileReader === 'undefined') return;
    if (field) field.hidden = false;
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        target.value = String(reader.result || '');
        if (status) status.textContent = file.name;
      };
      reader.onerror = function () {
        if (status) status.textContent = input.getAttribute('data-error');
      };
      reader.readAsText(file, 'utf-8');
    });
  });
})();
