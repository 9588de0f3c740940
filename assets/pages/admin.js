// horrors admin: sends the catalogue, token and cycle forms to the JSON API (with the
// session's CSRF token) and shows the 422 details beside the fields they name.
(function () {
  'use strict';

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : '';

  // The page's texts, in its language, rendered by the server into data-messages;
  // `{name}` marks where a value goes.
  var root = document.getElementById('admin');
  var M = (function () {
    try { return JSON.parse((root && root.dataset.messages) || '{}'); } catch (e) { return {}; }
  })();
  function msg(key, values) {
    var text = M[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split('{' + name + '}').join(String(values[name]));
    });
    return text;
  }
  function roleName(role) { return M['role_' + role] || role; }

  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        return { status: res.status, data: data };
      });
    }, function () {
      return { status: 0, data: { error: { message: msg('unreachable') } } };
    });
  }

  function message(result) {
    return (result.data && result.data.error && result.data.error.message) || msg('serverAnswered', { status: result.status });
  }

  // ------------------------------------------------------------ inline errors

  function clearErrors(scope) {
    scope.querySelectorAll('small.error').forEach(function (e) { e.textContent = ''; });
    scope.querySelectorAll('[aria-invalid]').forEach(function (e) { e.removeAttribute('aria-invalid'); });
    scope.querySelectorAll('.form-error').forEach(function (e) { e.textContent = ''; });
  }

  var errorSeq = 0;
  // Puts `text` under the field named `field` inside `scope`; returns the input, if any.
  function fieldError(scope, field, text) {
    var slot = scope.querySelector('small.error[data-field="' + field + '"]');
    var input = scope.querySelector('[name="' + field + '"]');
    if (!slot) return null;
    slot.textContent = text;
    if (!slot.id) slot.id = 'error-' + (++errorSeq);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', slot.id);
    }
    return input || slot;
  }

  function formError(form, text) {
    var box = form.querySelector('.form-error');
    if (box) box.textContent = text;
  }

  // ------------------------------------------------------------ catalogue

  var catalogue = document.getElementById('catalogue-form');
  if (catalogue) {
    var rows = document.getElementById('horror-rows');
    var rowTemplate = document.getElementById('horror-row-template');
    var addButton = document.getElementById('add-horror');
    var max = Number(catalogue.dataset.max);

    var renumber = function () {
      rows.querySelectorAll('li.horror-row').forEach(function (li, i) {
        li.querySelector('.number').textContent = String(i + 1);
      });
      addButton.disabled = rows.children.length >= max;
    };

    var addRow = function (values) {
      var li = rowTemplate.content.firstElementChild.cloneNode(true);
      if (values) {
        li.querySelector('[name="key"]').value = values.key;
        li.querySelector('[name="name"]').value = values.name;
        li.querySelector('[name="description"]').value = values.description || '';
        li.querySelector('[name="pain"]').value = values.pain;
        li.querySelector('[name="unit_cost"]').value = values.unitCost;
        li.querySelector('[name="operational"]').checked = values.operational === 'true';
      }
      rows.appendChild(li);
      renumber();
      li.querySelector(values ? '[name="name"]' : '[name="key"]').focus();
    };

    addButton.addEventListener('click', function () { addRow(null); });

    rows.addEventListener('click', function (event) {
      var button = event.target.closest('button');
      if (!button) return;
      var li = button.closest('li.horror-row');
      if (button.classList.contains('remove')) {
        var next = li.nextElementSibling || li.previousElementSibling;
        li.remove();
        renumber();
        if (next) next.querySelector('button.remove').focus();
        else addButton.focus();
      } else if (button.classList.contains('up') && li.previousElementSibling) {
        rows.insertBefore(li, li.previousElementSibling);
        renumber();
        button.focus();
      }
    });

    var retired = document.getElementById('retired');
    if (retired) {
      retired.addEventListener('click', function (event) {
        var button = event.target.closest('button.readd');
        if (!button) return;
        if (rows.children.length >= max) {
          formError(catalogue, msg('catalogueFull', { max: max }));
          return;
        }
        addRow(button.dataset);
        button.closest('li').remove();
      });
    }

    catalogue.addEventListener('submit', function (event) {
      event.preventDefault();
      clearErrors(catalogue);
      var horrors = [];
      var firstBad = null;
      rows.querySelectorAll('li.horror-row').forEach(function (li) {
        var value = function (name) { return li.querySelector('[name="' + name + '"]').value.trim(); };
        var pain = value('pain');
        if (!/^\d+$/.test(pain)) {
          firstBad = firstBad || fieldError(li, 'pain', msg('painWhole'));
        }
        var description = value('description');
        var horror = {
          key: value('key'),
          name: value('name'),
          description: description === '' ? null : description,
          pain: parseInt(pain, 10) || 0,
          unit_cost: value('unit_cost'),
          operational: li.querySelector('[name="operational"]').checked
        };
        // The playbook is sent when it is written or was there (so emptying it clears
        // it); otherwise left out, which keeps what the server has.
        var playbook = {};
        var written = false;
        li.querySelectorAll('textarea[name^="playbook."]').forEach(function (area) {
          var parts = area.name.split('.');
          var text = area.value.trim();
          if (!text) return;
          written = true;
          playbook[parts[1]] = playbook[parts[1]] || {};
          playbook[parts[1]][parts[2]] = text;
        });
        var details = li.querySelector('details.playbook');
        if (written || (details && details.dataset.hadPlaybook === 'true')) horror.playbook = playbook;
        horrors.push(horror);
      });
      if (firstBad) { firstBad.focus(); return; }
      api('PUT', '/api/horrors', { horrors: horrors }).then(function (result) {
        if (result.status === 200) {
          window.location.assign('/admin?saved=catalogue#catalogue');
          return;
        }
        formError(catalogue, message(result));
        var items = rows.querySelectorAll('li.horror-row');
        var focus = null;
        ((result.data.error && result.data.error.details) || []).forEach(function (d) {
          var m = /^horrors\[(\d+)\]\.(\w+)/.exec(d.field || '');
          if (m && items[Number(m[1])]) {
            focus = focus || fieldError(items[Number(m[1])], m[2], d.message);
          } else {
            formError(catalogue, d.message);
          }
        });
        (focus || catalogue.querySelector('.form-error')).focus();
      });
    });
    renumber();
  }

  // ------------------------------------------------------------ devices (QR enrolment)

  var enrolForm = document.getElementById('enrol-form');
  if (enrolForm) {
    enrolForm.addEventListener('submit', function (event) {
      event.preventDefault();
      clearErrors(enrolForm);
      var name = enrolForm.querySelector('[name="name"]');
      var role = enrolForm.querySelector('[name="role"]');
      var site = enrolForm.querySelector('[name="site"]');
      if (!name.value.trim()) {
        formError(enrolForm, msg('tokenNameNeeded'));
        name.setAttribute('aria-invalid', 'true');
        name.focus();
        return;
      }
      var body = { name: name.value.trim(), role: role.value };
      if (site && site.value) body.site = site.value;
      api('POST', '/api/enrolments', body).then(function (result) {
        if (result.status !== 201) {
          formError(enrolForm, message(result));
          return;
        }
        var e = result.data;
        // The SVG is shown as an image: nothing from the response becomes markup.
        document.getElementById('enrol-qr').src =
          'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(e.qr_svg);
        document.getElementById('enrol-url').textContent = e.url;
        var expires = document.getElementById('enrol-expires');
        expires.dateTime = e.expires_at;
        expires.textContent = new Date(e.expires_at).toLocaleTimeString();
        document.getElementById('enrolment').hidden = false;
        name.value = '';
        document.getElementById('enrol-ready').focus();
      });
    });
  }

  // ------------------------------------------------------------ sessions

  document.querySelectorAll('button.revoke-session').forEach(function (button) {
    button.addEventListener('click', function () {
      var row = button.closest('tr');
      api('POST', '/api/sessions/' + encodeURIComponent(button.dataset.id) + '/revoke').then(function (result) {
        if (result.status === 204 || result.status === 404) {
          row.parentNode.removeChild(row);
        } else {
          window.alert(message(result));
        }
      });
    });
  });

  // ------------------------------------------------------------ tokens

  var tokenForm = document.getElementById('token-form');
  if (tokenForm) {
    var table = document.getElementById('token-table');
    var tokenTemplate = document.getElementById('token-row-template');
    var secretBox = document.getElementById('new-token');

    tokenForm.addEventListener('submit', function (event) {
      event.preventDefault();
      clearErrors(tokenForm);
      var name = tokenForm.querySelector('[name="name"]');
      var role = tokenForm.querySelector('[name="role"]');
      var site = tokenForm.querySelector('[name="site"]');
      if (!name.value.trim()) {
        formError(tokenForm, msg('tokenNameNeeded'));
        name.setAttribute('aria-invalid', 'true');
        name.focus();
        return;
      }
      var body = { name: name.value.trim(), role: role.value };
      if (site && !site.disabled && site.value) body.site = site.value;
      api('POST', '/api/tokens', body).then(function (result) {
        if (result.status !== 201) {
          formError(tokenForm, message(result));
          return;
        }
        var t = result.data;
        var tr = tokenTemplate.content.firstElementChild.cloneNode(true);
        tr.dataset.id = t.id;
        tr.querySelector('.name').textContent = t.name;
        tr.querySelector('.role').textContent = roleName(t.role);
        var siteCell = tr.querySelector('.site');
        if (siteCell) {
          var option = site && t.site ? site.querySelector('option[value="' + CSS.escape(t.site) + '"]') : null;
          siteCell.textContent = '';
          if (t.site) {
            siteCell.textContent = option ? option.textContent : t.site;
          } else {
            var all = document.createElement('span');
            all.className = 'unbound';
            all.textContent = msg('allSites');
            siteCell.appendChild(all);
          }
        }
        tr.querySelector('.created').textContent = (t.created_at || '').slice(0, 10);
        tr.querySelector('.status').textContent = msg('tokenActive');
        table.tBodies[0].appendChild(tr);
        document.getElementById('new-token-name').textContent = msg('newTokenFor', { name: t.name, role: roleName(t.role) });
        document.getElementById('new-token-secret').textContent = t.token;
        secretBox.hidden = false;
        name.value = '';
        document.getElementById('copy-token').focus();
      });
    });

    // A token's site: admin tokens are never bound (the server refuses them with 422).
    var tokenRole = tokenForm.querySelector('[name="role"]');
    var tokenSite = tokenForm.querySelector('[name="site"]');
    if (tokenSite) {
      var bindable = function () {
        var admin = tokenRole.value === 'admin';
        if (admin) tokenSite.value = '';
        tokenSite.disabled = admin;
      };
      tokenRole.addEventListener('change', bindable);
      bindable();
    }

    document.getElementById('copy-token').addEventListener('click', function () {
      var code = document.getElementById('new-token-secret');
      var done = function () { this.textContent = msg('copied'); }.bind(this);
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(code.textContent).then(done, function () {});
      } else {
        var range = document.createRange();
        range.selectNodeContents(code);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        try { if (document.execCommand('copy')) done(); } catch (e) { /* selected: copy by hand */ }
      }
    });

    table.addEventListener('click', function (event) {
      var button = event.target.closest('button.revoke');
      if (!button) return;
      var tr = button.closest('tr');
      var name = tr.querySelector('.name').textContent;
      var own = button.dataset.own === 'true';
      var question = msg(own ? 'revokeOwn' : 'revoke', { name: name });
      if (!window.confirm(question)) return;
      api('POST', '/api/tokens/' + encodeURIComponent(tr.dataset.id) + '/revoke').then(function (result) {
        if (result.status !== 200) {
          formError(tokenForm, message(result));
          return;
        }
        if (own) { window.location.assign('/login'); return; }
        tr.classList.add('revoked');
        tr.querySelector('.status').textContent = msg('tokenRevoked', { date: (result.data.revoked_at || '').slice(0, 10) });
        button.remove();
      });
    });
  }

  // ------------------------------------------------------------ cycles

  var FIELD_OF_CODE = {
    invalid_name: 'name', invalid_start: 'start', invalid_days: 'days',
    invalid_focus: 'focus', invalid_note: 'note', unknown_horror: 'focus'
  };

  document.querySelectorAll('form.cycle-form').forEach(function (form) {
    var boxes = form.querySelectorAll('input[name="focus"]');
    var limit = function () {
      var checked = form.querySelectorAll('input[name="focus"]:checked').length;
      boxes.forEach(function (b) { b.disabled = !b.checked && checked >= 3; });
    };
    boxes.forEach(function (b) { b.addEventListener('change', limit); });
    limit();

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      clearErrors(form);
      var value = function (name) { var e = form.querySelector('[name="' + name + '"]'); return e ? e.value.trim() : ''; };
      var body = {
        name: value('name'),
        focus: Array.prototype.map.call(form.querySelectorAll('input[name="focus"]:checked'), function (b) { return b.value; }),
        note: value('note')
      };
      var request;
      if (form.dataset.id) {
        request = api('PUT', '/api/cycles/' + encodeURIComponent(form.dataset.id), body);
      } else {
        body.start = value('start');
        var days = value('days');
        if (days !== '') {
          if (!/^\d+$/.test(days)) {
            fieldError(form, 'days', msg('daysWhole')).focus();
            return;
          }
          body.days = parseInt(days, 10);
        }
        request = api('POST', '/api/cycles', body);
      }
      request.then(function (result) {
        if (result.status === 200 || result.status === 201) {
          window.location.assign('/admin?saved=cycle#cycles');
          return;
        }
        var code = result.data.error && result.data.error.code;
        var field = FIELD_OF_CODE[code];
        var target = field ? fieldError(form, field, message(result)) : null;
        if (!target) formError(form, message(result));
        (target || form.querySelector('.form-error')).focus();
      });
    });
  });
})();
