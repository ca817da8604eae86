// The live page's script, run by the browser: draws each test's matrix from the state (the embedded
// block, then GET /state.json every interval), and a cell's detail on click or from the URL's
// #cell=... fragment. Every name and reason is set as textContent or a title, never parsed as markup.
// Plain ES2020 with no template literals, so it can sit in this string as is.

export const WATCH_PAGE_SCRIPT = `'use strict';
(function () {
  var state = JSON.parse(document.getElementById('state').textContent);
  var main = document.getElementById('tests');
  var detail = document.getElementById('detail');
  var status = document.getElementById('status');
  var selected = fromHash();
  var GLYPH = { allow: 'A', deny: 'D', error: '!' };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fromHash() {
    var m = /^#cell=(.*)$/.exec(location.hash);
    if (!m) return null;
    try {
      var v = JSON.parse(decodeURIComponent(m[1]));
      return Array.isArray(v) && v.length === 3 ? v : null;
    } catch (e) { return null; }
  }
  function same(a, b) { return a && b && a[0] === b[0] && a[1] === b[1] && a[2] === b[2]; }
  function summary(test) {
    if (!test.counts) return test.runs === 0 ? 'no run yet' : '';
    var c = test.counts;
    return test.sources.length + ' sources × ' + test.targets.length + ' targets · run ' + test.runs + ' at ' +
      test.lastRunAt + ' (' + test.lastRunSeconds + ' s) · ' + c.matched + ' matched, ' + c.mismatched +
      ' mismatched, ' + c.undecided + ' undecided, ' + c.unchecked + ' unchecked';
  }
  // A name's end is what tells apart workloads of one namespace: a long one loses its start (CSS).
  function nameCell(cls, name) {
    var th = el('th', cls);
    th.title = name;
    th.appendChild(el('span', null, name));
    return th;
  }
  function drawTest(test) {
    var section = el('section', 'test');
    var h = el('h2', null, test.name);
    if (test.verdict) h.appendChild(el('span', 'verdict ' + test.verdict, test.verdict));
    section.appendChild(h);
    section.appendChild(el('p', 'summary', summary(test)));
    var recent = 0;
    test.cells.forEach(function (row) { row.forEach(function (c) { if (c && c.recent) recent++; }); });
    if (recent > 0) section.appendChild(el('p', 'flipped', recent + ' cell' + (recent === 1 ? '' : 's') +
      ' flipped in the last ' + state.recentRuns + ' runs (outlined)'));
    if (test.failure) section.appendChild(el('p', 'failure', 'last run failed at ' + test.failure.at + ' (' +
      test.failure.kind + '): ' + test.failure.message));
    if (test.sources.length === 0) return section;
    var wrap = el('div', 'wrap');
    var table = el('table', 'matrix');
    var head = el('tr');
    head.appendChild(el('th', 'corner'));
    test.targets.forEach(function (t) { head.appendChild(nameCell('col', t)); });
    table.appendChild(el('thead')).appendChild(head);
    var body = table.appendChild(el('tbody'));
    test.sources.forEach(function (s, i) {
      var tr = el('tr');
      tr.appendChild(nameCell('row', s));
      test.targets.forEach(function (t, j) {
        var cell = test.cells[i][j];
        if (!cell) { tr.appendChild(el('td', 'none')); return; }
        var td = el('td', 'cell ' + cell.state + (cell.recent ? ' recent' : ''), GLYPH[cell.observed] || '·');
        td.title = s + ' → ' + t + ': ' + cell.state + ' (expected ' + (cell.expected || 'nothing') +
          ', observed ' + (cell.observed || 'nothing') + ')';
        td.dataset.key = JSON.stringify([test.name, s, t]);
        if (same(selected, [test.name, s, t])) td.classList.add('selected');
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    wrap.appendChild(table);
    section.appendChild(wrap);
    return section;
  }
  function find(key) {
    if (!key) return null;
    for (var k = 0; k < state.tests.length; k++) {
      var test = state.tests[k];
      if (test.name !== key[0]) continue;
      var i = test.sources.indexOf(key[1]), j = test.targets.indexOf(key[2]);
      if (i >= 0 && j >= 0 && test.cells[i][j]) return test.cells[i][j];
    }
    return null;
  }
  function row(dl, name, value) {
    if (value === null || value === undefined || value === '') return;
    dl.appendChild(el('dt', null, name));
    dl.appendChild(el('dd', null, value));
  }
  function drawDetail() {
    var cell = find(selected);
    detail.replaceChildren();
    detail.hidden = !cell;
    if (!cell) return;
    var close = el('button', null, '×');
    close.title = 'close';
    close.addEventListener('click', function () { selected = null; history.replaceState(null, '', '#'); draw(); });
    detail.appendChild(close);
    detail.appendChild(el('h3', null, selected[1] + ' → ' + selected[2] + ' (' + selected[0] + ')'));
    var dl = el('dl');
    row(dl, 'state', cell.state);
    row(dl, 'expected', (cell.expected || 'nothing') + (cell.rule ? ' by ' + cell.rule : ''));
    row(dl, 'observed', cell.observed || 'nothing');
    row(dl, 'reason', cell.reason);
    row(dl, 'latency', cell.latencyMs === null ? null : cell.latencyMs + ' ms');
    row(dl, 'family', cell.family);
    row(dl, 'why', cell.explanation);
    detail.appendChild(dl);
    if (cell.model && cell.model.length > 0) {
      detail.appendChild(el('dt', null, 'policy model'));
      var ul = detail.appendChild(el('ul', 'model'));
      cell.model.forEach(function (line) { ul.appendChild(el('li', null, line)); });
    }
    detail.appendChild(el('dt', null, 'flips (' + cell.flips.length + ', oldest first)'));
    if (cell.flips.length === 0) { detail.appendChild(el('p', 'no-flips', 'none since the watch started')); return; }
    var flips = detail.appendChild(el('table', 'flips'));
    cell.flips.forEach(function (f) {
      var tr = flips.appendChild(el('tr', 'flip'));
      tr.appendChild(el('td', null, f.at));
      tr.appendChild(el('td', null, 'run ' + f.run));
      tr.appendChild(el('td', null, f.from + ' → ' + f.to));
    });
  }
  function draw() {
    main.replaceChildren.apply(main, state.tests.map(drawTest));
    drawDetail();
  }
  main.addEventListener('click', function (event) {
    var td = event.target.closest('td.cell');
    if (!td) return;
    selected = JSON.parse(td.dataset.key);
    history.replaceState(null, '', '#cell=' + encodeURIComponent(td.dataset.key));
    draw();
  });
  window.addEventListener('hashchange', function () { selected = fromHash(); draw(); });
  function poll() {
    fetch('state.json', { cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (next) {
        state = next;
        status.className = '';
        status.textContent = 'updated ' + state.generatedAt + ', every ' + state.intervalMs / 1000 + ' s';
        draw();
      }, function (error) {
        status.className = 'stale';
        status.textContent = 'could not refresh (' + error.message + '); showing ' + state.generatedAt;
      })
      .finally(function () { setTimeout(poll, Math.max(1000, state.intervalMs)); });
  }
  status.textContent = 'as of ' + state.generatedAt + ', every ' + state.intervalMs / 1000 + ' s';
  draw();
  setTimeout(poll, Math.max(1000, state.intervalMs));
})();
`;
