/*
 * Report page, progressive enhancement: the column-header sort links reorder the rows in place
 * instead of reloading a large page. Without JavaScript the links load the sorted page from the
 * server, which stays the reference: this script mirrors its order (names in server order via
 * data-n, percentages via data-p, "no grade" always last, ties by name).
 */
(function () {
  'use strict';
  var table = document.querySelector('.js-report-table');
  if (!table || !window.URLSearchParams || !window.history || !history.replaceState) return;
  var body = table.tBodies[0];
  var links = table.querySelectorAll('a.js-sort');

  function stateOf(href) {
    var params = new URL(href, location.href).searchParams;
    return { sort: params.get('sort') === 'percentage' ? 'percentage' : 'name', dir: params.get('dir') === 'desc' ? 'desc' : 'asc' };
  }

  function compare(sort, dir) {
    var sign = dir === 'asc' ? 1 : -1;
    return function (a, b) {
      var na = Number(a.getAttribute('data-n'));
      var nb = Number(b.getAttribute('data-n'));
      if (sort === 'name') return sign * (na - nb);
      var pa = a.getAttribute('data-p');
      var pb = b.getAttribute('data-p');
      if (pa === '' || pb === '') return pa === pb ? na - nb : pa === '' ? 1 : -1;
      return sign * (Number(pa) - Number(pb)) || na - nb;
    };
  }

  function withSort(href, sort, dir) {
    var url = new URL(href, location.href);
    if (sort === 'name') url.searchParams.delete('sort'); else url.searchParams.set('sort', sort);
    if (dir === 'asc') url.searchParams.delete('dir'); else url.searchParams.set('dir', dir);
    return url.pathname + url.search;
  }

  /** Header links, aria-sort, arrows and the filter form's hidden fields, as the server would render them. */
  function reflect(sort, dir) {
    Array.prototype.forEach.call(links, function (link) {
      var key = link.getAttribute('data-sort');
      var th = link.closest('th');
      var current = key === sort;
      var next = current && dir === 'asc' ? 'desc' : 'asc';
      link.setAttribute('href', withSort(link.getAttribute('href'), key, next));
      if (current) th.setAttribute('aria-sort', dir === 'asc' ? 'ascending' : 'descending'); else th.removeAttribute('aria-sort');
      var arrow = th.querySelector('.sort-arrow');
      if (arrow) arrow.textContent = current ? (dir === 'asc' ? ' ▲' : ' ▼') : '';
      var hint = link.querySelector('.js-sort-hint');
      if (hint) hint.textContent = ' (' + table.getAttribute(next === 'asc' ? 'data-hint-asc' : 'data-hint-desc') + ')';
    });
    var form = document.querySelector('.report-filters');
    if (form) {
      form.querySelector('input[name="sort"]').value = sort;
      form.querySelector('input[name="dir"]').value = dir;
    }
  }

  Array.prototype.forEach.call(links, function (link) {
    link.addEventListener('click', function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      var target = link.getAttribute('href');
      var state = stateOf(target);
      var rows = Array.prototype.slice.call(body.rows).sort(compare(state.sort, state.dir));
      var fragment = document.createDocumentFragment();
      rows.forEach(function (row) { fragment.appendChild(row); });
      body.appendChild(fragment);
      history.replaceState(null, '', target);
      reflect(state.sort, state.dir);
      link.focus();
    });
  });
})();
