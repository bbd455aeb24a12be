{% autoescape off %}// Diaodu's service worker (served by diaodu.core.pwa.service_worker at the site's root).
// It keeps the static shell (stylesheets, scripts, icons, the offline page) so that the
// application opens without a connection. Pages, the API and uploaded files are never stored:
// they always come from the server, and a page that cannot be loaded shows the offline page.
"use strict";
const CACHE = {{ cache_name }};
const SHELL = {{ shell }};
const OFFLINE = {{ offline }};
const STATIC_PREFIX = {{ static_prefix }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(SHELL); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.startsWith("diaodu-shell-") && name !== CACHE;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    // Pages from the server only; without a connection, the offline page.
    event.respondWith(fetch(request).catch(function () {
      return caches.match(OFFLINE, { cacheName: CACHE });
    }));
    return;
  }
  if (SHELL.indexOf(url.pathname) !== -1 && url.pathname.startsWith(STATIC_PREFIX)) {
    // The shell: from the cache, refreshed in the background while online.
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (cached) {
        const fresh = fetch(request).then(function (response) {
          if (response.ok) { cache.put(request, response.clone()); }
          return response;
        });
        if (cached) {
          fresh.catch(function () { return null; });
          return cached;
        }
        return fresh;
      });
    }));
  }
});
{% endautoescape %}
