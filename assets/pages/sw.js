// horrors service worker: keeps /tally and its assets usable with no network, so a reload
// while offline still shows the buttons and the taps waiting in localStorage.
// Network first for the page (fresh counts when online), the cache when the network fails.
'use strict';

var VERSION = new URL(self.location.href).searchParams.get('v') || '0';
var CACHE = 'horrors-tally-' + VERSION;
var PAGE = '/tally';

self.addEventListener('install', function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return fetch(PAGE, { credentials: 'same-origin', redirect: 'manual' }).then(function (res) {
        var assets = [];
        if (res.ok && !isPicker(res)) {
          assets.push(cache.put(PAGE, res.clone()));
          // Whatever /static files the page links to (they carry the same ?v=).
          return res.text().then(function (html) {
            var found = html.match(/\/static\/[a-z0-9.-]+\?v=[0-9a-f]+/g) || [];
            found.forEach(function (url) { assets.push(cache.add(url.replace(/&amp;/g, '&'))); });
            return Promise.all(assets);
          });
        }
        return null;
      });
    }).catch(function () { /* the next online load fills the cache */ }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener('activate', function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf('horrors-tally-') === 0 && k !== CACHE;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && url.pathname === PAGE) {
    event.respondWith(page(request));
  } else if (url.pathname.indexOf('/static/') === 0) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  }
});

function page(request) {
  return fetch(request).then(function (res) {
    var copy = res.ok && res.type === 'basic' && !isPicker(res) ? res.clone() : null;
    caches.open(CACHE).then(function (cache) {
      if (copy) return cache.put(PAGE, copy);
      if (isPicker(res)) return null;
      // Logged out or refused: forget the page (it holds a name and a CSRF secret).
      if (res.type === 'opaqueredirect' || res.status === 401 || res.status === 403) return cache.delete(PAGE);
      return null;
    });
    return res;
  }, function () {
    return caches.open(CACHE).then(function (cache) { return cache.match(PAGE); }).then(function (hit) {
      return hit || Response.error();
    });
  });
}

// The site picker (SPEC §16) is not worth keeping offline: the buttons of the last site are.
function isPicker(res) {
  return res.headers.get('horrors-tally') === 'picker';
}
