// horrors tally: one tap = one tick.
//
// Every tap goes first into a queue in localStorage, with a client_id, and the count on the
// button goes up at once. The queue is then sent with POST /api/ticks/batch; an item leaves
// the queue only after the server answered 201, and a resent client_id is a replay on the
// server, so neither a dead network nor a reload loses or doubles a tap.
(function () {
  'use strict';

  var QUEUE = 'horrors.queue.v1';
  var LAST = 'horrors.last.v1';
  var BASE = 'horrors.base.v1';
  var DEPARTMENT = 'horrors.department';
  var UNDO_MS = 15 * 60 * 1000;      // staff may void their own tick for 15 minutes
  var RETRY_MS = 10 * 1000;
  var REFRESH_MS = 60 * 1000;
  var MAX_BATCH = 500;

  var root = document.getElementById('tally');
  if (!root) return;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : '';
  var needDepartment = root.dataset.departmentsRequired === 'true';
  var site = root.dataset.site || '';
  var buttons = Array.prototype.slice.call(root.querySelectorAll('button.horror'));
  var byKey = {};
  buttons.forEach(function (b) { byKey[b.dataset.key] = b; });
  var departmentSelect = document.getElementById('department');
  var complaint = document.getElementById('complaint');
  var SOURCE = 'horrors.source';
  var sourceInputs = Array.prototype.slice.call(root.querySelectorAll('input[name="source"]'));
  var more = document.getElementById('more');
  var qtyInput = document.getElementById('qty');
  var noteInput = document.getElementById('note');
  var lastLine = document.getElementById('last');
  var syncLine = document.getElementById('sync');
  var undoButton = document.getElementById('undo');

  // The page's texts, in its language, rendered by the server into data-messages;
  // `{name}` marks where a value goes.
  var M = (function () {
    try { return JSON.parse(root.dataset.messages || '{}'); } catch (e) { return {}; }
  })();
  function msg(key, values) {
    var text = M[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split('{' + name + '}').join(String(values[name]));
    });
    return text;
  }

  // ------------------------------------------------------------ storage

  function load(name, fallback) {
    try {
      var text = localStorage.getItem(name);
      return text === null ? fallback : JSON.parse(text);
    } catch (e) {
      return fallback;
    }
  }
  function save(name, value) {
    try {
      if (value === null) localStorage.removeItem(name);
      else localStorage.setItem(name, JSON.stringify(value));
    } catch (e) { /* storage full or blocked: the tap still goes out now */ }
  }
  function queue() { return load(QUEUE, []); }
  function setQueue(items) { save(QUEUE, items); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // Plain-HTTP LAN deployments are not a secure context: build a v4 UUID by hand.
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  function nameOf(key) {
    var b = byKey[key];
    return b ? b.querySelector('.name').textContent : key;
  }

  // ------------------------------------------------------------ counts

  // base = today's counts as the server last told us; shown = base + what is still queued.
  var base = (function () {
    var html = { day: root.dataset.day, site: site, at: Number(root.dataset.renderedAt), counts: {} };
    buttons.forEach(function (b) { html.counts[b.dataset.key] = Number(b.dataset.today) || 0; });
    var stored = load(BASE, null);
    // A page served from the offline cache is older than what we saw since.
    if (stored && sameSite(stored) && stored.day === html.day && stored.at > html.at && stored.counts) return stored;
    return html;
  })();
  save(BASE, base);

  // Counts are per site: those kept for another site (the device changed site) do not apply.
  function sameSite(stored) { return (stored.site || '') === site; }

  function setBase(counts, day) {
    base = { day: day || base.day, site: site, at: Date.now(), counts: counts };
    save(BASE, base);
  }

  function render() {
    var pending = {};
    var items = queue();
    items.forEach(function (t) { pending[t.horror] = (pending[t.horror] || 0) + (t.qty || 1); });
    buttons.forEach(function (b) {
      var key = b.dataset.key;
      b.querySelector('.count').textContent = String((base.counts[key] || 0) + (pending[key] || 0));
      if (!pending[key] && b.classList.contains('pending')) {
        b.classList.remove('pending');
        b.classList.add('saved');
        b.querySelector('.state').textContent = msg('stateSaved');
      } else if (pending[key]) {
        b.classList.add('pending');
        b.classList.remove('saved');
        b.querySelector('.state').textContent = msg(navigator.onLine === false ? 'stateQueued' : 'stateSaving');
      }
    });
    if (items.length > 0) {
      syncLine.textContent = problem
        ? msg('waitingProblem', { count: items.length, problem: problem })
        : msg('waiting', { count: items.length });
      syncLine.className = problem ? 'problem' : 'waiting';
    } else if (problem) {
      syncLine.textContent = problem;
      syncLine.className = 'problem';
    } else {
      syncLine.textContent = msg('allSaved');
      syncLine.className = '';
    }
    var last = load(LAST, null);
    undoButton.hidden = !(last && Date.now() - last.at < UNDO_MS);
  }

  // ------------------------------------------------------------ tapping

  function tap(button) {
    var key = button.dataset.key;
    var department = departmentSelect ? departmentSelect.value : '';
    if (needDepartment && !department) {
      say(msg('chooseDepartment'));
      departmentSelect.setAttribute('aria-invalid', 'true');
      departmentSelect.focus();
      return;
    }
    var item = { client_id: uuid(), horror: key, occurred_at: new Date().toISOString() };
    if (site) item.site = site;
    var source = chosenSource();
    if (source !== 'internal') item.source = source;
    if (department) item.department = department;
    var qty = qtyInput ? parseInt(qtyInput.value, 10) : 1;
    if (qty > 1 && qty <= 1000) item.qty = qty;
    var note = noteInput ? noteInput.value.trim() : '';
    if (note) item.note = Array.from(note).slice(0, 500).join(''); // by code point, never half an emoji

    var items = queue();
    items.push(item);
    setQueue(items);
    save(LAST, { client_id: item.client_id, horror: key, qty: item.qty || 1, at: Date.now(), id: null });

    // The extras are for this tap only.
    if (source === 'complaint') restoreSource();
    showPlaybook(source === 'complaint' ? key : null);
    if (qtyInput) qtyInput.value = '1';
    if (noteInput) noteInput.value = '';
    if (more) more.open = false;

    button.classList.remove('bumped');
    void button.offsetWidth; // restart the flash
    button.classList.add('bumped', 'pending');
    lastTap = msg(item.source === 'complaint' ? 'tappedComplaint' : 'tapped', { name: nameOf(key), qty: item.qty || 1 });
    sayTap(navigator.onLine === false ? 'statusOffline' : 'statusSaving');
    render();
    sync();
  }

  // The source of the next tap. A complaint is for one tap; "observer" (someone from
  // outside the department counting) stays chosen on this device, like the department.
  function chosenSource() {
    for (var i = 0; i < sourceInputs.length; i++) {
      if (sourceInputs[i].checked) return sourceInputs[i].value;
    }
    return 'internal';
  }
  function restoreSource() {
    var base = load(SOURCE, 'internal');
    sourceInputs.forEach(function (input) { input.checked = input.value === base; });
    if (!sourceInputs.some(function (input) { return input.checked; }) && sourceInputs[0]) {
      sourceInputs[0].checked = true;
    }
  }
  sourceInputs.forEach(function (input) {
    input.addEventListener('change', function () {
      if (input.checked && input.value !== 'complaint') save(SOURCE, input.value);
    });
  });
  restoreSource();

  // After a complaint tap, that horror's playbook (rendered into the page, hidden).
  var playbooks = Array.prototype.slice.call(root.querySelectorAll('section.playbook'));
  function showPlaybook(key) {
    var shown = null;
    playbooks.forEach(function (section) {
      section.hidden = section.dataset.key !== key;
      if (!section.hidden) shown = section;
    });
    if (shown) shown.focus({ preventScroll: true });
  }
  root.addEventListener('click', function (event) {
    if (event.target.closest('button.close-playbook')) showPlaybook(null);
  });

  function say(text) { lastLine.textContent = text; lastTap = ''; }

  // What the last tap was ("Late delivery +1") and where it stands (a status key).
  var lastTap = '';
  var lastStatus = '';
  function sayTap(status) {
    lastLine.textContent = msg('line', { what: lastTap, status: msg(status) });
    lastStatus = status;
  }

  // ------------------------------------------------------------ syncing

  var syncing = false;
  var again = false;
  var batchSize = MAX_BATCH; // drops to 1 to find a tap the server refuses without naming it
  var inFlight = {};        // client_id → true while a batch holding it is out
  var undoAfterSync = null; // client_id whose tick must be voided once it has an id
  var problem = '';
  var generation = 0;       // bumps whenever a batch lands, to drop stale count refreshes

  function headers() {
    return { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf };
  }

  function sync() {
    if (syncing) { again = true; return; }
    var items = queue();
    if (items.length === 0) { render(); return; }
    if (navigator.onLine === false) { render(); return; }
    syncing = true;
    var batch = items.slice(0, batchSize);
    batch.forEach(function (t) { inFlight[t.client_id] = true; });
    fetch('/api/ticks/batch', {
      method: 'POST',
      credentials: 'same-origin',
      headers: headers(),
      body: JSON.stringify({ ticks: batch })
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) { return handle(res.status, data, batch); });
    }, function () {
      problem = '';
      if (lastTap && lastStatus === 'statusSaving') sayTap('statusWaiting');
    }).then(function () {
      syncing = false;
      inFlight = {};
      render();
      if (again) { again = false; sync(); }
    });
  }

  function handle(status, data, batch) {
    if (status === 201) {
      problem = '';
      batchSize = MAX_BATCH;
      generation += 1;
      var ids = {};
      (data.ticks || []).forEach(function (tick, i) { if (batch[i]) ids[batch[i].client_id] = tick.id; });
      var sent = {};
      batch.forEach(function (t) { sent[t.client_id] = true; });
      setQueue(queue().filter(function (t) { return !sent[t.client_id]; }));
      if (queue().length) again = true; // more waiting (taps made meanwhile, or one-at-a-time mode)
      if (!data.replayed) {
        var counts = Object.assign({}, base.counts);
        batch.forEach(function (t) { counts[t.horror] = (counts[t.horror] || 0) + (t.qty || 1); });
        setBase(counts);
      }
      var last = load(LAST, null);
      if (last && ids[last.client_id]) {
        last.id = ids[last.client_id];
        save(LAST, last);
        lastTap = msg('tapped', { name: nameOf(last.horror), qty: last.qty });
        sayTap('statusSaved');
      }
      if (undoAfterSync && ids[undoAfterSync]) {
        undoAfterSync = null;
        undo();
      }
      refreshCounts();
      return;
    }
    if (status === 401) {
      problem = msg('problemSession');
      return;
    }
    if (status === 403) {
      problem = msg('problemReload');
      return;
    }
    if (status === 422 || status === 409) {
      // All or nothing: fix or set aside the items named, then send the rest again.
      var details = (data.error && data.error.details) || [];
      var items = queue();
      var drop = {};
      var rejected = [];
      details.forEach(function (d) {
        var t = typeof d.index === 'number' ? batch[d.index] : null;
        if (!t) return;
        if (d.code === 'occurred_in_future') {
          // This phone's clock runs ahead: let the server stamp the time.
          items.forEach(function (q) { if (q.client_id === t.client_id) delete q.occurred_at; });
        } else if (!drop[t.client_id]) {
          drop[t.client_id] = true;
          rejected.push(msg('rejected', { name: nameOf(t.horror), reason: d.message }));
        }
      });
      if (details.length === 0) {
        refusedWhole(data, batch);
        return;
      }
      setQueue(items.filter(function (q) { return !drop[q.client_id]; }));
      if (rejected.length) say(msg('notRecorded', { reasons: rejected.join('; ') }));
      again = true;
      return;
    }
    if (status >= 400 && status < 500) {
      refusedWhole(data, batch);
      return;
    }
    problem = msg('problemBusy');
  }

  // A 4xx that names no item (400, 413, 415…): find the tap that causes it by sending one
  // at a time, and set that one aside, so one bad tap never blocks the others.
  function refusedWhole(data, batch) {
    if (batch.length > 1) {
      batchSize = 1;
      again = true;
      return;
    }
    var t = batch[0];
    if (!t) return;
    setQueue(queue().filter(function (q) { return q.client_id !== t.client_id; }));
    var reason = (data.error && data.error.message) || msg('refused');
    say(msg('notRecorded', { reasons: msg('rejected', { name: nameOf(t.horror), reason: reason }) }));
    again = true;
  }

  // Today's counts from the server (every device), unless a batch landed meanwhile.
  function refreshCounts() {
    if (navigator.onLine === false) return;
    var started = generation;
    fetch('/api/horrors' + (site ? '?site=' + encodeURIComponent(site) : ''), { credentials: 'same-origin' }).then(function (res) {
      if (!res.ok) return null;
      return res.json();
    }).then(function (data) {
      if (!data || started !== generation || syncing) return;
      var counts = {};
      (data.horrors || []).forEach(function (h) { counts[h.key] = h.today; });
      setBase(counts, base.day);
      render();
    }, function () { /* offline: keep what we have */ });
  }

  // ------------------------------------------------------------ undo

  function undo() {
    var last = load(LAST, null);
    if (!last) return;
    var items = queue();
    var queued = items.some(function (t) { return t.client_id === last.client_id; });
    if (queued && inFlight[last.client_id]) {
      undoAfterSync = last.client_id;
      say(msg('undoing', { name: nameOf(last.horror) }));
      return;
    }
    if (queued) {
      setQueue(items.filter(function (t) { return t.client_id !== last.client_id; }));
      save(LAST, null);
      say(msg('undoneUnsent', { name: nameOf(last.horror) }));
      render();
      return;
    }
    if (!last.id) {
      say(msg('stillSaving'));
      return;
    }
    undoButton.disabled = true;
    fetch('/api/ticks/' + encodeURIComponent(last.id) + '/void', {
      method: 'POST',
      credentials: 'same-origin',
      headers: headers(),
      body: JSON.stringify({ reason: 'undo' })
    }).then(function (res) {
      if (res.ok) {
        var counts = Object.assign({}, base.counts);
        counts[last.horror] = Math.max(0, (counts[last.horror] || 0) - last.qty);
        setBase(counts);
        generation += 1;
        save(LAST, null);
        say(msg('undone', { name: nameOf(last.horror) }));
        refreshCounts();
      } else if (res.status === 403) {
        save(LAST, null);
        say(msg('tooLate'));
      } else {
        say(msg('undoFailed', { status: res.status }));
      }
    }, function () {
      say(msg('undoOffline'));
    }).then(function () {
      undoButton.disabled = false;
      render();
    });
  }

  // ------------------------------------------------------------ wiring

  buttons.forEach(function (b) {
    b.addEventListener('click', function () { tap(b); });
  });
  undoButton.addEventListener('click', undo);

  if (departmentSelect) {
    var remembered = load(DEPARTMENT, '');
    if (remembered && Array.prototype.some.call(departmentSelect.options, function (o) { return o.value === remembered; })) {
      departmentSelect.value = remembered;
    }
    departmentSelect.addEventListener('change', function () {
      save(DEPARTMENT, departmentSelect.value);
      departmentSelect.removeAttribute('aria-invalid');
    });
  }

  var logout = document.getElementById('logout-form');
  if (logout) {
    logout.addEventListener('submit', function (event) {
      var n = queue().length;
      if (n > 0 && !window.confirm(msg('logoutConfirm', { count: n }))) {
        event.preventDefault();
      }
    });
  }

  window.addEventListener('online', function () { problem = ''; sync(); refreshCounts(); });
  window.addEventListener('offline', render);
  window.addEventListener('storage', function (e) {
    if (e.key === QUEUE || e.key === BASE || e.key === LAST) {
      if (e.key === BASE) {
        var stored = load(BASE, null);
        if (stored && sameSite(stored) && stored.counts) base = stored;
      }
      render();
    }
  });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') { sync(); refreshCounts(); }
  });
  setInterval(sync, RETRY_MS);
  setInterval(function () { if (queue().length === 0) refreshCounts(); }, REFRESH_MS);

  if ('serviceWorker' in navigator && root.dataset.sw) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: '/tally' }).catch(function () { /* no offline reload, taps still queue */ });
  }

  render();
  sync();
})();
