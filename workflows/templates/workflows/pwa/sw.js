{% load static %}// The service worker (issue 15): the app shell and the tally pages already opened are
// kept on the phone, so the hamlet head can open a dossier's tally in the cultural house
// without a connection. Everything else goes to the network; nothing here decides
// anything: recorded meetings wait in the page's outbox (static/js/tally.js).
"use strict";
var SHELL = "thidua-shell-{{ version }}";
var PAGES = "thidua-tally-pages";
var SHELL_FILES = [
  "{% static 'css/app.css' %}", "{% static 'js/app.js' %}", "{% static 'js/tally.js' %}",
  "{% static 'vendor/idb/idb.umd.js' %}", "{% static 'img/icon.svg' %}"
];
var TALLY = /^\/dossiers\/\d+\/meeting\/$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(SHELL_FILES); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("thidua-shell-") === 0 && name !== SHELL; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (SHELL_FILES.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
    return;
  }
  if (TALLY.test(url.pathname) && !url.search) {
    // Network first, so an online phone always sees the dossier as it is; the copy is for offline.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname, { cacheName: PAGES }).then(function (hit) { return hit || Response.error(); });
    }));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.keep && TALLY.test(new URL(data.keep, self.location.origin).pathname)) {
    // The page that installed this worker was loaded before it: fetch a copy now.
    event.waitUntil(caches.open(PAGES).then(function (cache) { return cache.add(new URL(data.keep).pathname); }));
  }
  if (data.forget) event.waitUntil(caches.delete(PAGES));
});

// Background Sync: the outbox is the page's; the worker wakes the open tally pages to send it
// (with none open, the next page load or the "online" event sends it).
self.addEventListener("sync", function (event) {
  if (event.tag !== "tally-outbox") return;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage({ flush: true }); });
  }));
});
