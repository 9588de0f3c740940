// horrors dashboard: sends the volume form to PUT /api/volume (with the session's CSRF
// token) and says what was saved, or what the server refused and why.
(function () {
  'use strict';

  var form = document.getElementById('volume-form');
  var section = document.getElementById('volume');
  if (!form || !section) return;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : '';
  var status = document.getElementById('volume-status');
  var unit = form.dataset.unit || '';

  // The page's texts, in its language, rendered by the server into data-messages;
  // `{name}` marks where a value goes.
  var M = (function () {
    try { return JSON.parse(section.dataset.messages || '{}'); } catch (e) { return {}; }
  })();
  function msg(key, values) {
    var text = M[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split('{' + name + '}').join(String(values[name]));
    });
    return text;
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = 'form-status ' + (kind || '');
  }

  function grouped(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var day = form.querySelector('[name="day"]');
    var site = form.querySelector('[name="site"]');
    var units = form.querySelector('[name="units"]');
    units.removeAttribute('aria-invalid');
    var text = units.value.trim();
    if (!/^\d+$/.test(text)) {
      units.setAttribute('aria-invalid', 'true');
      say(msg('unitsWhole'), 'problem');
      units.focus();
      return;
    }
    var entry = { day: day.value, units: Number(text) };
    if (site && site.value) entry.site = site.value;
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    say(msg('saving'), '');
    fetch('/api/volume', {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ entries: [entry] })
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.status === 200) {
          var saved = (data.entries || [])[0] || entry;
          var values = { units: grouped(saved.units), unit: data.unit || unit, day: saved.day };
          if (site && site.selectedIndex >= 0 && saved.site) {
            values.site = site.options[site.selectedIndex].textContent;
            say(msg('savedAt', values), 'ok');
          } else {
            say(msg('saved', values), 'ok');
          }
          return;
        }
        var error = data.error || {};
        var reasons = (error.details || []).map(function (d) { return d.message; }).filter(Boolean);
        var message = error.message || msg('serverAnswered', { status: res.status });
        say(reasons.length ? message + ': ' + reasons.join('; ') : message, 'problem');
      });
    }, function () {
      say(msg('unreachable'), 'problem');
    }).then(function () {
      button.disabled = false;
    });
  });
})();

// The paper check sheet's form: the counts of each horror and day, sent as one sheet to
// POST /api/sheets with an Idempotency-Key kept until it is saved (a double click or a
// resend records it once); blank boxes count as none.
(function () {
  'use strict';

  var form = document.getElementById('sheet-form');
  var section = document.getElementById('sheet-entry');
  if (!form || !section) return;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : '';
  var error = document.getElementById('sheet-error');
  var status = document.getElementById('sheet-status');
  var M = (function () {
    try { return JSON.parse(section.dataset.messages || '{}'); } catch (e) { return {}; }
  })();
  function msg(key, values) {
    var text = M[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split('{' + name + '}').join(String(values[name]));
    });
    return text;
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return 'sheet-' + Date.now() + '-' + String(Math.random()).slice(2);
  }
  var key = null;
  form.addEventListener('input', function () { key = null; });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    error.textContent = '';
    status.textContent = '';
    var body = { days: [] };
    var byDay = {};
    var site = form.querySelector('[name="site"]');
    var department = form.querySelector('[name="department"]');
    if (site && site.value) body.site = site.value;
    if (department && department.value.trim()) body.department = department.value.trim();
    form.querySelectorAll('input.count').forEach(function (input) {
      var day = input.dataset.day;
      if (!byDay[day]) { byDay[day] = {}; body.days.push({ day: day, counts: byDay[day] }); }
      var text = input.value.trim();
      byDay[day][input.dataset.key] = text === '' ? 0 : Number(text);
    });
    // Only the days with something written on them.
    body.days = body.days.filter(function (d) {
      return Object.keys(d.counts).some(function (k) { return d.counts[k] !== 0; });
    });
    if (!body.days.length) return;
    if (!key) key = newKey();
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    fetch('/api/sheets', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf, 'Idempotency-Key': key },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.status === 201 || res.status === 200) {
          var total = (data.ticks || []).reduce(function (n, t) { return n + t.qty; }, 0);
          status.textContent = msg('saved', { count: total });
          form.querySelectorAll('input.count').forEach(function (i) { i.value = ''; });
          key = null;
          return;
        }
        var e = data.error || {};
        var reasons = (e.details || []).map(function (d) { return d.message; }).filter(Boolean);
        var text = e.message || msg('serverAnswered', { status: res.status });
        error.textContent = reasons.length > 1 ? text + ': ' + reasons.join('; ') : text;
      });
    }, function () {
      error.textContent = msg('unreachable');
    }).then(function () {
      button.disabled = false;
    });
  });
})();
