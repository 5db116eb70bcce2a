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
  if (TALLY.test(url.pathname) && !url.search) tallyPage(event, url.pathname);
});

// A tally page: the network's answer if it comes within WAIT_MS, else the copy kept on the
// phone at once (a slow 3G round trip alone is 2 s), marked as such; offline, the copy. The
// network's answer, whenever it comes, replaces the copy, and a page shown from the copy is
// told what it said (its revision, or that it is no longer this page), so the page can say
// whether the dossier changed. The server judges whatever is recorded from either version.
var WAIT_MS = 500;
function tallyPage(event, path) {
  // Two bodies: one for the page, one to keep.
  var network = fetch(event.request).then(function (response) { return [response, response.clone()]; });
  var stored = caches.open(PAGES).then(function (cache) { return cache.match(path); });
  var fromCopy = false;
  var answer = new Promise(function (resolve) {
    var done = false;
    function copy(hit, why) {
      if (done) return;
      done = fromCopy = true;
      resolve(marked(hit, why));
    }
    network.then(function (both) { if (!done) { done = true; resolve(both[0]); } }, function () {
      stored.then(function (hit) {
        if (hit) copy(hit, "offline");
        else if (!done) { done = true; resolve(Response.error()); }
      });
    });
    stored.then(function (hit) { if (hit) setTimeout(function () { copy(hit, "refreshing"); }, WAIT_MS); });
  });
  event.respondWith(answer);
  var refreshed = network.then(function (both) {
    var response = both[1];
    if (response.ok && response.type === "basic" && !response.redirected) {
      return keep(path, response).then(function () { return { revision: response.headers.get("X-Dossier-Revision") }; });
    }
    // A redirect (the session ended, the dossier moved past its meeting) or an error: the copy
    // no longer stands for this page; the next visit asks the network and waits for it.
    return caches.open(PAGES).then(function (cache) { return cache.delete(path); }).then(function () {
      return { gone: true };
    });
  }, function () { return { offline: true }; });
  event.waitUntil(Promise.all([answer, refreshed]).then(function (results) {
    if (!fromCopy || !event.resultingClientId) return;
    return self.clients.get(event.resultingClientId).then(function (client) {
      if (client) client.postMessage(Object.assign({ tallyRefreshed: path }, results[1]));
    });
  }).catch(function () {}));
}

// The copy is kept with the time it was saved, to be named on the page shown from it.
function keep(path, response) {
  return response.blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set("X-Saved-At", new Date().toISOString());
    // The body kept is decoded, and the page shown from it is longer (its marks): no stale length or encoding.
    headers.delete("Content-Length");
    headers.delete("Content-Encoding");
    return caches.open(PAGES).then(function (cache) {
      return cache.put(path, new Response(body, { status: response.status, statusText: response.statusText,
                                                  headers: headers }));
    });
  });
}

// The copy as shown: its <body> says it is the phone's copy, when it was saved, and why it is shown.
function marked(hit, why) {
  var saved = hit.headers.get("X-Saved-At") || "";
  return hit.text().then(function (html) {
    html = html.replace("<body ", '<body data-phone-copy="' + why + '" data-saved-at="' + saved + '" ');
    return new Response(html, { status: hit.status, statusText: hit.statusText, headers: hit.headers });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.keep && TALLY.test(new URL(data.keep, self.location.origin).pathname)) {
    // The page that installed this worker was loaded before it: fetch a copy now.
    var path = new URL(data.keep).pathname;
    event.waitUntil(fetch(path, { credentials: "same-origin" }).then(function (response) {
      if (response.ok && !response.redirected) return keep(path, response);
    }));
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
