// Take-attendance page enhancements. Without JavaScript the page works as is: plain radio
// buttons, a submit button, and "set all" buttons the server fills in. This script adds:
// - status letters: in a row, pressing a status's letter (P, L, E, A … as the set has them)
//   picks it and moves to the next student;
// - the live "still unmarked" counter and the per-row "Unmarked" label and highlight;
// - "set all" / "set all unmarked" in the browser, without a round trip;
// - a "not saved yet" reminder once something changed;
// - a confirmation before "mark the unmarked as … now";
// - on a row changed elsewhere meanwhile (a conflict), the row's inputs follow "keep theirs /
//   use mine", and editing the row chooses "use mine".
(function () {
  'use strict';

  // "Mark the unmarked as … now": a confirmation naming how many students get marked (the
  // same text is on the page for those without JavaScript), and a warning if the list below has
  // unsaved changes, which that separate form would not keep.
  Array.prototype.forEach.call(document.querySelectorAll('form.js-confirm'), function (confirmForm) {
    confirmForm.addEventListener('submit', function (event) {
      var pending = document.querySelector('.js-unsaved');
      var text = confirmForm.getAttribute('data-confirm') || '';
      if (pending && !pending.hidden) text += '\n\n' + (confirmForm.getAttribute('data-unsaved') || '');
      if (!window.confirm(text)) event.preventDefault();
    });
  });

  var form = document.getElementById('take-form');
  var body = form && form.querySelector('.js-take-rows');
  if (!form || !body) return;
  // Student rows only: a conflict's explanation is a row of its own below its student.
  var rows = Array.prototype.slice.call(body.querySelectorAll('tr.take-row'));
  var counter = form.querySelector('.js-unmarked-text');
  var unsaved = form.querySelector('.js-unsaved');
  var hint = form.querySelector('.js-key-hint');
  var saveButtons = form.querySelectorAll('button[type="submit"]:not(.js-bulk)');
  var templates = {};
  try { templates = JSON.parse(counter.getAttribute('data-templates') || '{}'); } catch (e) { templates = {}; }
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || 'en') : null;

  function checked(row) { return row.querySelector('input[type="radio"]:checked'); }

  function updateCounter() {
    var left = rows.filter(function (row) { return !checked(row); }).length;
    var text;
    if (left === 0) text = counter.getAttribute('data-all-marked');
    else text = (templates[plural ? plural.select(left) : 'other'] || templates.other || '{{count}}').replace('{{count}}', String(left));
    if (counter.textContent !== text) counter.textContent = text;
  }

  // Radios cannot be cleared, so a row only ever goes from unmarked to marked here.
  function markRow(row) {
    if (!row.classList.contains('take-row--unmarked')) return;
    row.classList.remove('take-row--unmarked');
    var flag = row.querySelector('.take-flag');
    if (flag) flag.hidden = true;
  }

  function changed() {
    updateCounter();
    if (unsaved) unsaved.hidden = false;
  }

  // Conflict rows: the radios "keep theirs" / "use mine" sit in the row after the student's.
  function choicesOf(row) {
    var next = row.nextElementSibling;
    return next && next.classList.contains('take-conflict-row') ? next.querySelectorAll('.js-conflict-choice') : [];
  }

  // Shows a choice's value in the student's row ('' status: unmarked), so the row reads as it will be saved.
  function showChoice(row, choice) {
    var status = choice.getAttribute('data-status') || '';
    Array.prototype.forEach.call(row.querySelectorAll('input[type="radio"]'), function (radio) { radio.checked = status !== '' && radio.value === status; });
    var remark = row.querySelector('input[type="text"]');
    if (remark) remark.value = choice.getAttribute('data-remark') || '';
    if (status !== '') markRow(row);
  }

  // An edit in a conflict row means "use mine", and "mine" is now what the row holds.
  function editedConflict(row) {
    var choices = choicesOf(row);
    if (choices.length !== 2) return;
    var mine = choices[1];
    var radio = row.querySelector('input[type="radio"]:checked');
    var remark = row.querySelector('input[type="text"]');
    mine.checked = true;
    mine.setAttribute('data-status', radio ? radio.value : '');
    mine.setAttribute('data-remark', remark ? remark.value : '');
  }

  function pick(row, radio) {
    if (!radio.checked) radio.checked = true;
    markRow(row);
  }

  body.addEventListener('change', function (event) {
    var target = event.target;
    if (!target || target.type !== 'radio') return;
    if (target.classList.contains('js-conflict-choice')) {
      var studentRow = target.closest('tr').previousElementSibling;
      if (studentRow) showChoice(studentRow, target);
    } else {
      var row = target.closest('tr');
      if (row) { markRow(row); editedConflict(row); }
    }
    changed();
  });

  body.addEventListener('input', function (event) {
    var target = event.target;
    if (!target || target.type !== 'text') return;
    var row = target.closest('tr');
    if (row) editedConflict(row);
  });

  function focusRow(row) {
    var radio = checked(row) || row.querySelector('input[type="radio"]');
    if (radio) radio.focus();
  }

  // Letters only act on the radios of a row: typing in a remark field stays typing.
  body.addEventListener('keydown', function (event) {
    var target = event.target;
    if (!target || target.type !== 'radio') return;
    if (event.ctrlKey || event.metaKey || event.altKey || !event.key || event.key.length !== 1) return;
    var row = target.closest('tr');
    var key = event.key.toLowerCase();
    var radio = row && row.querySelector('input[type="radio"][data-key="' + CSS.escape(key) + '"]');
    if (!radio) return;
    event.preventDefault();
    pick(row, radio);
    editedConflict(row);
    changed();
    var next = rows[rows.indexOf(row) + 1];
    if (next) focusRow(next);
    else if (saveButtons.length) saveButtons[saveButtons.length - 1].focus(); // last student: Enter saves
  });

  // The bulk buttons fill the radios here instead of asking the server (same result, no reload).
  Array.prototype.forEach.call(form.querySelectorAll('.js-bulk'), function (button) {
    button.addEventListener('click', function (event) {
      event.preventDefault();
      var onlyUnmarked = button.getAttribute('data-mode') === 'unmarked';
      rows.forEach(function (row) {
        // A conflict row waits for the teacher's own "keep theirs / use mine".
        if (row.classList.contains('take-row--conflict') || (onlyUnmarked && checked(row))) return;
        var radio = row.querySelector('input[type="radio"][value="' + CSS.escape(button.value) + '"]');
        if (radio) pick(row, radio);
      });
      changed();
    });
  });

  // The chosen side (at first "keep theirs") is what the row shows; "use mine" brings the teacher's values back.
  rows.forEach(function (row) {
    Array.prototype.forEach.call(choicesOf(row), function (choice) { if (choice.checked) showChoice(row, choice); });
  });

  if (hint) hint.hidden = false;
  updateCounter();
})();
