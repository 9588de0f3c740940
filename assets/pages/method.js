// horrors: the method's forms on /nominations (propose, support, adopt, decline).
//
// Each form[data-api] is sent as JSON to its URL with the page's CSRF token. Named fields
// become the body's fields (data-number="true" ones as numbers; empty optional ones are
// left out). The API's error message shows in the form's .form-error.
(function () {
  'use strict';

  var root = document.getElementById('method');
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

  function send(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
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

  document.querySelectorAll('form[data-api]').forEach(function (form) {
    var error = form.querySelector('.form-error');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (error) error.textContent = '';
      var submit = form.querySelector('button[type="submit"]');
      if (submit) submit.disabled = true;
      send(form.dataset.api, fields(form)).then(function (result) {
        if (submit) submit.disabled = false;
        if (result.status >= 200 && result.status < 300) {
          window.location.reload();
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
