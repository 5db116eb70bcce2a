// The tally sheet's drafts and outbox (issue 15). The form works without this file;
// with it, what is typed is kept on the phone (IndexedDB through idb) and, online, on
// the server, and a meeting recorded without a connection waits in an outbox until
// the connection returns. The server judges every sending as it judges a typed form.
(function () {
  "use strict";

  var form = document.querySelector("form[data-tally]");
  var textsNode = document.getElementById("tally-texts");
  if (!form || !textsNode || !window.idb || !window.indexedDB) return;
  var T = JSON.parse(textsNode.textContent);
  var draftUrl = form.dataset.draftUrl, syncUrl = form.dataset.syncUrl;
  var key = "dossier:" + form.dataset.dossier;
  var revision = parseInt(form.elements.expected_revision.value, 10);
  var tokenInput = form.elements.form_token;
  var statusBox = document.querySelector("[data-draft-status]");
  var offerBox = document.querySelector("[data-draft-offer]");
  var csrf = form.elements.csrfmiddlewaretoken.value;
  var dbp = window.idb.openDB("thidua-tally", 1, {
    upgrade: function (db) { db.createObjectStore("drafts"); db.createObjectStore("outbox"); }
  });

  function say(text, kind, sticky) {
    statusBox.hidden = false;
    statusBox.textContent = text;
    statusBox.dataset.kind = kind || "";
    statusBox.dataset.sticky = sticky || kind === "error" ? "1" : "";
  }
  // An autosave does not hide a refusal or a notice to check: it stays until the head types again.
  function note(text, kind) {
    if (statusBox.dataset.sticky) return;
    say(text, kind);
  }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }
  function clock(iso) {
    var d = new Date(iso);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2) + " " +
      ("0" + d.getDate()).slice(-2) + "/" + ("0" + (d.getMonth() + 1)).slice(-2);
  }

  var HEAD = ["held_on", "invited", "present", "chaired_by"];
  function collect() {
    var fields = {};
    HEAD.forEach(function (name) { if (form.elements[name]) fields[name] = form.elements[name].value; });
    var method = form.querySelector("input[name=method]:checked");
    fields.method = method ? method.value : "";
    var confirmed = form.elements.dates_confirmed;
    if (confirmed && confirmed.checked) fields.dates_confirmed = "on";
    var rows = {};
    form.querySelectorAll(".tally-row[id]").forEach(function (row) {
      var pk = row.id.slice(1);
      rows[pk] = ["for", "against", "excl", "change"].map(function (column) {
        var input = form.elements[column + "_" + pk];
        return input ? input.value : "";
      });
    });
    return { fields: fields, rows: rows };
  }
  function entered(data) {
    var n = 0;
    Object.keys(data.rows).forEach(function (pk) { if (data.rows[pk][0] !== "" && data.rows[pk][1] !== "") n += 1; });
    return n;
  }
  function apply(data) {
    HEAD.forEach(function (name) {
      if (form.elements[name] && name in data.fields) form.elements[name].value = data.fields[name];
    });
    form.querySelectorAll("input[name=method]").forEach(function (radio) {
      radio.checked = radio.value === data.fields.method;
    });
    if (form.elements.dates_confirmed) form.elements.dates_confirmed.checked = data.fields.dates_confirmed === "on";
    Object.keys(data.rows).forEach(function (pk) {
      ["for", "against", "excl", "change"].forEach(function (column, i) {
        var input = form.elements[column + "_" + pk];
        if (input && data.rows[pk][i] !== undefined) input.value = data.rows[pk][i];
      });
    });
    form.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function draft() {
    return { token: tokenInput.value, revision: revision, data: collect(), savedAt: new Date().toISOString() };
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", redirect: "follow",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
      body: JSON.stringify(body)
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      // A session that expired answers with the login page: the draft stays on the phone.
      if (response.redirected || !json) return { status: "logged-out" };
      return response.json();
    });
  }

  // ------------------------------------------------------------ drafts
  var localTimer = null, serverTimer = null;
  function saveLocal() {
    localTimer = null;
    var current = draft();
    return dbp.then(function (db) { return db.put("drafts", current, key); }).then(function () {
      note(fill(T.saved_phone, { time: clock(current.savedAt) }));
      return current;
    });
  }
  function saveServer() {
    if (!navigator.onLine) { note(T.offline_kept, "warn"); return; }
    var current = draft();
    post(draftUrl, current).then(function (answer) {
      if (answer.status === "saved") note(fill(T.saved_server, { time: clock(current.savedAt) }));
      else if (answer.status === "logged-out") note(T.logged_out, "warn");
      else note(answer.message || T.offline_kept, "warn");
    }).catch(function () { note(T.offline_kept, "warn"); });
  }
  form.addEventListener("input", function (event) {
    if (event.isTrusted) statusBox.dataset.sticky = "";
    clearTimeout(localTimer); clearTimeout(serverTimer);
    localTimer = setTimeout(saveLocal, 400);
    serverTimer = setTimeout(saveServer, 4000);
  });
  form.addEventListener("change", function () { form.dispatchEvent(new Event("input")); });

  function offer(saved, text) {
    offerBox.hidden = false;
    offerBox.querySelector("[data-offer-text]").textContent = text;
    var stale = saved.revision !== revision;
    offerBox.querySelector("[data-offer-stale]").hidden = !stale;
    offerBox.querySelector("[data-restore]").onclick = function () {
      tokenInput.value = saved.token;
      apply(saved.data);
      offerBox.hidden = true;
      saveLocal();
    };
    offerBox.querySelector("[data-discard]").onclick = function () {
      offerBox.hidden = true;
      dbp.then(function (db) { return db.delete("drafts", key); });
    };
  }

  // ------------------------------------------------------------ outbox
  function showConflict(answer) {
    var box = document.querySelector("[data-conflict]");
    var body = box.querySelector("tbody");
    body.replaceChildren();
    var current = answer.current, mine = answer.draft.data;
    var headRow = function (label, now, then) {
      var tr = document.createElement("tr");
      [label, now, then].forEach(function (text) { var td = document.createElement("td"); td.textContent = text; tr.appendChild(td); });
      if (now !== then) tr.className = "differs";
      body.appendChild(tr);
    };
    var meeting = current.meeting || {};
    headRow(T.col_date, meeting.held_on || "", mine.fields.held_on || "");
    headRow(T.col_present, String(meeting.present || ""), mine.fields.present || "");
    form.querySelectorAll(".tally-row[id]").forEach(function (row) {
      var pk = row.id.slice(1), now = current.rows[pk] || [], then = mine.rows[pk] || [];
      var show = function (cells) { return (cells[0] || "–") + " / " + (cells[1] || "–") + (cells[2] ? " · " + cells[2] : ""); };
      if (show(now) !== show(then)) headRow(row.querySelector(".who").textContent.trim(), show(now), show(then));
    });
    box.hidden = false;
    box.querySelector("[data-keep-mine]").onclick = function () {
      // The head chose the phone's version: the sheet is reloaded as the dossier is now and the
      // draft put on it, to be recorded (and judged) again against the current revision.
      var d = answer.draft;
      clearTimeout(localTimer); clearTimeout(serverTimer);
      // The choice survives the reload in this tab (sessionStorage: no write of the old page can undo it).
      sessionStorage.setItem("tally-restore:" + key, "1");
      dbp.then(function (db) {
        // Reloaded only once the write is committed (a reload would abort it).
        var tx = db.transaction("drafts", "readwrite");
        tx.store.put({ token: d.token, revision: d.revision, data: d.data, savedAt: d.saved_at }, key);
        return tx.done;
      }).then(function () { window.location.reload(); });
    };
    box.querySelector("[data-keep-theirs]").onclick = function () {
      box.hidden = true;
      dbp.then(function (db) { return db.delete("drafts", key); });
      window.location.reload();
    };
  }
  var flushing = null;
  function flush() {
    if (!navigator.onLine) return Promise.resolve();
    // The "online" event and the worker's sync may both ask: one sending at a time.
    if (!flushing) flushing = send().then(function () { flushing = null; }, function () { flushing = null; });
    return flushing;
  }
  function send() {
    return dbp.then(function (db) { return db.get("outbox", key); }).then(function (item) {
      if (!item) return;
      say(T.sending);
      return post(syncUrl, item).then(function (answer) {
        return dbp.then(function (db) {
          if (answer.status === "recorded" || answer.status === "already") {
            return Promise.all([db.delete("outbox", key), db.delete("drafts", key)]).then(function () {
              say(T.sent + " " + answer.message, "ok");
              if (answer.url) setTimeout(function () { window.location.assign(answer.url); }, 1500);
            });
          }
          if (answer.status === "logged-out") { say(T.logged_out, "warn"); return; }
          // Refused: the draft stays (on the phone and on the server), the outbox is emptied.
          return db.delete("outbox", key).then(function () {
            say(T.refused + " " + (answer.message || ""), "error");
            if (answer.status === "conflict") showConflict(answer);
            else if (item.data) apply(item.data);
          });
        });
      }).catch(function () { say(T.waiting, "warn"); });
    });
  }
  form.addEventListener("submit", function (event) {
    if (navigator.onLine) { saveLocal(); return; }
    // No connection: the meeting waits on the phone and goes when the connection returns.
    event.preventDefault();
    delete form.dataset.sending;
    var item = draft();
    dbp.then(function (db) { return db.put("drafts", item, key).then(function () { return db.put("outbox", item, key); }); })
      .then(function () {
        say(T.waiting, "warn");
        if (navigator.serviceWorker && navigator.serviceWorker.ready && window.SyncManager) {
          navigator.serviceWorker.ready.then(function (reg) { return reg.sync.register("tally-outbox"); }).catch(function () {});
        }
      });
    form.querySelectorAll("[data-idle-text]").forEach(function (button) { button.textContent = button.dataset.idleText; });
  });
  window.addEventListener("online", flush);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) { if (event.data && event.data.flush) flush(); });
  }

  // ------------------------------------------------------------ the phone's copy
  // A sheet the network was slow to give is shown from the copy the service worker kept
  // (workflows/pwa/sw.js marks its <body>), and the worker says what the network answered
  // later: the same revision (nothing to do), another (say so, offer to reload: what was typed
  // is kept as a draft and offered back on the new sheet), or no longer this page.
  var copyBox = document.querySelector("[data-phone-copy-notice]");
  var copied = document.body.dataset.phoneCopy;
  function copyNotice(text, kind, reload) {
    copyBox.hidden = false;
    copyBox.className = "alert phone-copy " + kind;
    copyBox.querySelector("[data-copy-text]").textContent = text;
    copyBox.querySelector("[data-copy-reload]").hidden = !reload;
  }
  if (copied) {
    // The copy's one-time token is the one of the page it was kept from, with which a meeting may
    // since have been recorded: what is typed on the copy gets a token of its own, so the server
    // judges it (against the copy's revision) instead of taking it for that meeting sent again.
    var bytes = new Uint8Array(18);
    window.crypto.getRandomValues(bytes);
    tokenInput.value = btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_");
  }
  if (copied && copyBox) {
    var savedAt = document.body.dataset.savedAt ? clock(document.body.dataset.savedAt) : "";
    copyNotice(fill(copied === "offline" ? T.copy_offline : T.copy_refreshing, { time: savedAt }), "warn");
    copyBox.querySelector("[data-copy-reload]").onclick = function () {
      // A draft still waiting for its autosave is written before the page goes.
      var pending = localTimer !== null;
      clearTimeout(localTimer); clearTimeout(serverTimer);
      (pending ? saveLocal() : Promise.resolve()).then(function () { window.location.reload(); });
    };
    if (navigator.serviceWorker) {
      navigator.serviceWorker.addEventListener("message", function (event) {
        var news = event.data || {};
        if (news.tallyRefreshed !== location.pathname) return;
        if (news.offline) copyNotice(fill(T.copy_offline, { time: savedAt }), "warn");
        else if (news.gone) copyNotice(T.copy_gone, "error", true);
        else if (String(news.revision) === String(revision)) copyBox.hidden = true;
        else copyNotice(fill(T.copy_changed, { time: savedAt }), "error", true);
      });
    }
  }
  // The bench's "usable" (benchmarks/tally_page.py): the rows are in the page and every handler
  // of the sheet (app.js's, run before, and this file's) is attached.
  if (window.performance && performance.mark) performance.mark("tally-usable");

  // ------------------------------------------------------------ on load
  var refused = document.getElementById("tally-errors") || document.querySelector(".alert.error");
  dbp.then(function (db) { return Promise.all([db.get("drafts", key), db.get("outbox", key)]); }).then(function (found) {
    var saved = found[0], waiting = found[1];
    if (waiting) { say(T.waiting, "warn"); return flush(); }
    var chosen = sessionStorage.getItem("tally-restore:" + key);
    sessionStorage.removeItem("tally-restore:" + key);
    if (saved && chosen) {
      tokenInput.value = saved.token;
      apply(saved.data);
      say(T.conflict_mine, "warn", true);
      return saveLocal();
    }
    if (refused) { if (saved) tokenInput.value = saved.token; return saveLocal(); }
    if (!navigator.onLine) {
      if (saved) offer(saved, fill(T.offer_phone, { time: clock(saved.savedAt), n: entered(saved.data) }));
      return;
    }
    var url = draftUrl + (saved ? "?token=" + encodeURIComponent(saved.token) : "");
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok && !response.redirected ? response.json() : null; })
      .then(function (answer) {
        if (saved && answer && answer.recorded) {
          say(T.sent, "ok");
          return dbp.then(function (db) { return db.delete("drafts", key); });
        }
        if (saved) return offer(saved, fill(T.offer_phone, { time: clock(saved.savedAt), n: entered(saved.data) }));
        if (answer && answer.draft && !answer.draft.stale) {
          offer(answer.draft, fill(T.offer_server, { time: clock(answer.draft.saved_at), who: answer.draft.saved_by,
            n: entered(answer.draft.data) }));
        }
      });
  }).catch(function () { /* no IndexedDB (private mode): the plain form still works */ });
})();
