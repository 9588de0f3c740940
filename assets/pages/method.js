// horrors: the method's forms (nominations, the paper sheet on the dashboard).
//
// Each form[data-api] is sent as JSON to its URL with the page's CSRF token. Named fields
// become the body's fields (data-number="true" ones as numbers; empty optional ones are
// left out). A form with data-kind="sheet" sends {site, department, days: [{day, counts}]}
// from its count inputs instead. The API's error message shows in the form's .form-error.
(function () {
  'use strict';

  var root = document.getElementById('method') || document.getElementById('sheet-entry');
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : '';
  var M = (function () {
    var holder = document.querySelector('[data-messages]');
    try { return JSON.parse((holder && holder.dataset.messages) || '{}'); } catch (e) { return {}; }
  })();
  function msg(key, values) {
    var text = M[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split('{' + name + '}').join(String(values[name]));
    });
    return text;
  }

  function send(url, body, key) {
    var headers = { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf };
    if (key) headers['Idempotency-Key'] = key;
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: headers,
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        return { status: res.status, data: data };
      });
    }, function () {
      return { status: 0, data: { error: { message: msg('unreachable') } } };
    });
  }

  function fields(form) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      var value = el.value.trim();
      if (value === '' && !el.required) return;
      body[el.name] = el.dataset.number === 'true' ? Number(value) : value;
    });
    return body;
  }

  // The sheet: one entry per day with the counts written on it (blank counts as 0).
  function sheet(form) {
    var body = { days: [] };
    var site = form.querySelector('[name="site"]');
    var department = form.querySelector('[name="department"]');
    if (site && site.value) body.site = site.value;
    if (department && department.value) body.department = department.value;
    var byDay = {};
    form.querySelectorAll('input.count').forEach(function (input) {
      var day = input.dataset.day;
      if (!byDay[day]) { byDay[day] = {}; body.days.push({ day: day, counts: byDay[day] }); }
      byDay[day][input.dataset.key] = input.value.trim() === '' ? 0 : Number(input.value);
    });
    return body;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + '-' + String(Math.random()).slice(2);
  }

  document.querySelectorAll('form[data-api]').forEach(function (form) {
    var error = form.querySelector('.form-error');
    var status = form.querySelector('.form-status');
    // A sheet keeps one key until it is saved, so a resend (double click, network retry)
    // records it once.
    var key = null;
    form.addEventListener('input', function () { key = null; });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (error) error.textContent = '';
      if (status) status.textContent = '';
      var isSheet = form.dataset.kind === 'sheet';
      if (isSheet && !key) key = uuid();
      var submit = form.querySelector('button[type="submit"]');
      if (submit) submit.disabled = true;
      send(form.dataset.api, isSheet ? sheet(form) : fields(form), isSheet ? key : null).then(function (result) {
        if (submit) submit.disabled = false;
        if (result.status >= 200 && result.status < 300) {
          if (form.dataset.reload === 'true') { window.location.reload(); return; }
          if (isSheet) {
            var ticks = (result.data && result.data.ticks) || [];
            var total = ticks.reduce(function (n, t) { return n + t.qty; }, 0);
            if (status) status.textContent = msg('sheetSaved', { count: total });
            form.querySelectorAll('input.count').forEach(function (i) { i.value = ''; });
            key = null;
          } else if (status) {
            status.textContent = msg('saved');
          }
          return;
        }
        var e = result.data && result.data.error;
        var text = (e && e.message) || msg('serverAnswered', { status: result.status });
        if (error) error.textContent = text;
      });
    });
  });
  if (root) root.dataset.ready = 'true';
})();
